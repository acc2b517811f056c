import type { DomainContext } from '../context.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import { hashToken } from './tokens.js';

/**
 * Resolves `X-User-Id` + `X-Auth-Token` into an Actor, or throws 401. A deactivated user's
 * tokens stop working at once, even before they are removed.
 */
export async function authenticate(ctx: DomainContext, userId: string, token: string): Promise<Actor> {
  const tokenHash = hashToken(token);
  const stored = await ctx.store.tokens.byHash(tokenHash);
  if (!stored || stored.userId !== userId) throw ChatError.notLoggedIn();
  const user = await ctx.store.users.byId(stored.userId);
  if (!user || !user.active) throw ChatError.notLoggedIn();
  return {
    userId: user.id,
    username: user.username,
    roles: user.roles,
    deviceId: stored.deviceId,
    tokenHash,
  };
}
