import type { DomainContext } from '../context.js';
import { emit, messageSaved, subscriptionsChanged } from '../events/emit.js';
import type { Actor } from '../shared/actor.js';
import type { MessageId } from '../shared/ids.js';
import { liveMessage, loadReadableMessage } from './message-access.js';
import { ensureThreadsEnabled } from './threads.js';

/**
 * `chat.followMessage` / `chat.unfollowMessage`: joins or leaves the followers (`replies`) of the
 * thread the message starts or belongs to. Unfollowing also clears the thread from the caller's
 * unread threads, as Rocket.Chat does.
 */
export async function setFollowing(
  ctx: DomainContext,
  actor: Actor,
  input: { readonly mid: MessageId; readonly follow: boolean },
): Promise<void> {
  ensureThreadsEnabled(ctx);
  const { message, room } = await loadReadableMessage(ctx, actor, input.mid);
  await ctx.store.transaction(async (tx) => {
    const parent = await liveMessage(tx, message.tmid ?? message.id);
    const now = ctx.clock.now();
    const follows = parent.replies.includes(actor.userId);
    if (follows !== input.follow) {
      const replies = input.follow
        ? [...parent.replies, actor.userId]
        : parent.replies.filter((id) => id !== actor.userId);
      const updated = await tx.messages.update(parent.id, { replies }, now);
      if (updated) await emit(tx, now, messageSaved(room, updated, false));
    }
    if (input.follow) return;
    const subscription = await tx.subscriptions.byRoomAndUser(parent.rid, actor.userId);
    if (!subscription || !subscription.tunread.includes(parent.id)) return;
    const without = (list: readonly MessageId[]) => list.filter((id) => id !== parent.id);
    await tx.subscriptions.update(
      subscription.id,
      {
        tunread: without(subscription.tunread),
        tunreadUser: without(subscription.tunreadUser),
        tunreadGroup: without(subscription.tunreadGroup),
      },
      now,
    );
    await emit(tx, now, subscriptionsChanged(parent.rid, [actor.userId], 'updated'));
  });
}
