import type { DomainContext } from '../context.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';

/** `POST /api/v1/logout`: forgets the token this request came with; other sessions stay. */
export async function logout(ctx: DomainContext, actor: Actor): Promise<void> {
  await ctx.store.tokens.deleteByHash(actor.tokenHash);
}

/**
 * `POST /api/v1/users.logout`: ends every other login session of `userId` (the caller by default).
 * Ending another user's sessions needs `logout-other-user`; personal access tokens are kept.
 */
export async function logoutOtherSessions(
  ctx: DomainContext,
  actor: Actor,
  userId?: UserId,
): Promise<UserId> {
  const target = userId ?? actor.userId;
  if (target !== actor.userId) {
    await ctx.authz.require(actor, 'logout-other-user');
    if (!(await ctx.store.users.byId(target))) throw ChatError.userNotFound();
    await ctx.store.tokens.deleteLoginTokensOfUser(target);
  } else {
    await ctx.store.tokens.deleteLoginTokensOfUser(target, actor.tokenHash);
  }
  return target;
}
