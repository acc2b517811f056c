import type { DomainContext } from '../context.js';
import { emit, subscriptionsChanged } from '../events/emit.js';
import type { Subscription, SubscriptionPatch } from './subscription.js';

/**
 * Applies `patch` to one member's own subscription (sidebar state, unread marks) and tells that
 * member's other sessions (`subscriptions.changed`). Returns the subscription as it now is.
 */
export async function updateOwnSubscription(
  ctx: DomainContext,
  subscription: Subscription,
  patch: SubscriptionPatch,
): Promise<Subscription> {
  return ctx.store.transaction(async (tx) => {
    const now = ctx.clock.now();
    const updated = await tx.subscriptions.update(subscription.id, patch, now);
    await emit(tx, now, subscriptionsChanged(subscription.roomId, [subscription.userId], 'updated'));
    return updated ?? subscription;
  });
}
