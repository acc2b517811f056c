import type { DomainContext } from '../context.js';
import { emit, sessionsRevoked } from '../events/emit.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';

/**
 * `POST /api/v1/logout`: forgets the token this request came with; other sessions stay.
 * Connections resumed with the same token end too.
 */
export async function logout(ctx: DomainContext, actor: Actor): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    if (await tx.tokens.deleteByHash(actor.tokenHash))
      await emit(tx, ctx.clock.now(), sessionsRevoked(actor.userId));
  });
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
  if (target !== actor.userId) await ctx.authz.require(actor, 'logout-other-user');
  await ctx.store.transaction(async (tx) => {
    if (target !== actor.userId && !(await tx.users.byId(target))) throw ChatError.userNotFound();
    const keep = target === actor.userId ? actor.tokenHash : undefined;
    if ((await tx.tokens.deleteLoginTokensOfUser(target, keep)) > 0)
      await emit(tx, ctx.clock.now(), sessionsRevoked(target));
  });
  return target;
}
