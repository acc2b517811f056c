import type { DomainContext } from '../context.js';
import { emit, sessionsRevoked, subscriptionRemoved } from '../events/emit.js';
import { toLogged } from '../events/events.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import { ensureAnotherActiveAdmin } from './last-admin.js';

/** `users.delete`: removes an account and every token it held. Needs `delete-user`. */
export async function deleteUser(
  ctx: DomainContext,
  actor: Actor,
  key: { userId: UserId } | { username: string },
): Promise<void> {
  await ctx.authz.require(actor, 'delete-user');
  await ctx.store.transaction(async (tx) => {
    const user = 'userId' in key ? await tx.users.byId(key.userId) : await tx.users.byUsername(key.username);
    if (!user) throw ChatError.userNotFound();
    if (user.roles.includes('admin')) await ensureAnotherActiveAdmin(tx, user.id);
    // Their memberships go with them; the rooms stop counting them.
    const now = ctx.clock.now();
    const subscriptions = await tx.subscriptions.ofUser(user.id);
    for (const subscription of subscriptions) {
      await tx.subscriptions.delete(subscription.roomId, user.id, now);
      await tx.rooms.adjustUsersCount(subscription.roomId, -1, now);
    }
    // Their tokens go with the account.
    await tx.users.delete(user.id);
    await emit(tx, now, ...subscriptions.map(subscriptionRemoved), sessionsRevoked(user.id), {
      type: 'user.deleted',
      audience: toLogged,
      userId: user.id,
      username: user.username,
    });
  });
}
