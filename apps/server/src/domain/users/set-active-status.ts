import type { DomainContext } from '../context.js';
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
    const updated = await tx.users.update(user.id, { active }, ctx.clock.now());
    if (!active) await tx.tokens.deleteAllOfUser(user.id);
    return updated ?? user;
  });
}
