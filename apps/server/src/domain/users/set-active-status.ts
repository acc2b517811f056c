import type { DomainContext } from '../context.js';
import { emit, sessionsRevoked, userChanged } from '../events/emit.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import { ensureAnotherActiveAdmin } from './last-admin.js';
import type { User } from './user.js';

/**
 * `users.setActiveStatus`: activates or deactivates an account. A deactivated user cannot log in
 * and every token they held, personal access tokens included, is removed at once.
 */
export async function setActiveStatus(
  ctx: DomainContext,
  actor: Actor,
  userId: UserId,
  active: boolean,
): Promise<User> {
  await ctx.authz.require(actor, 'edit-other-user-active-status');
  return ctx.store.transaction(async (tx) => {
    const user = await tx.users.byId(userId);
    if (!user) throw ChatError.userNotFound();
    if (!active && user.roles.includes('admin')) await ensureAnotherActiveAdmin(tx, user.id);
    const now = ctx.clock.now();
    const updated = (await tx.users.update(user.id, { active }, now)) ?? user;
    const revoked = active ? 0 : await tx.tokens.deleteAllOfUser(user.id);
    await emit(tx, now, userChanged(user, updated), revoked > 0 ? sessionsRevoked(user.id) : null);
    return updated;
  });
}
