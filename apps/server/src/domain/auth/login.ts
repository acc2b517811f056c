import type { DomainContext } from '../context.js';
import type { Tx } from '../ports/store.js';
import { ChatError } from '../shared/errors.js';
import type { DeviceId } from '../shared/ids.js';
import type { User } from '../users/user.js';
import { verifyPassword, type PasswordInput } from './passwords.js';
import { hashToken, newToken } from './tokens.js';

export type LoginRequest =
  | {
      readonly kind: 'password';
      readonly identity: { readonly username: string } | { readonly email: string };
      readonly password: PasswordInput;
      /** The client's address, for the per-address limit. */
      readonly address: string;
    }
  | { readonly kind: 'resume'; readonly token: string; readonly address: string };

export interface LoginResult {
  readonly user: User;
  readonly authToken: string;
  readonly deviceId: DeviceId;
}

/**
 * `POST /api/v1/login`: a password login issues a new token on a new device; a resume login
 * checks an existing token (or personal access token) and hands it back. Every failure is the same
 * 401, never saying whether the user or the password was wrong.
 */
export async function login(ctx: DomainContext, request: LoginRequest): Promise<LoginResult> {
  if (request.kind === 'resume') return resume(ctx, request.token);

  const identityKey =
    'username' in request.identity
      ? `u:${request.identity.username.toLowerCase()}`
      : `e:${request.identity.email.toLowerCase()}`;
  const limits = blockLimits(ctx);
  const now = ctx.clock.now();
  const wait = Math.max(
    limits.byUser ? ctx.loginAttempts.retryAfter(identityKey, limits.userAttempts, now) : 0,
    limits.byIp ? ctx.loginAttempts.retryAfter(`ip:${request.address}`, limits.ipAttempts, now) : 0,
  );
  if (wait > 0) throw ChatError.tooManyRequests(wait);

  const user =
    'username' in request.identity
      ? await ctx.store.users.byUsername(request.identity.username)
      : await ctx.store.users.byEmail(request.identity.email);
  const passwordOk = await verifyPassword(user?.passwordHash ?? null, request.password);
  if (!user || !passwordOk || !user.active) {
    if (limits.enabled) {
      if (limits.byUser) ctx.loginAttempts.recordFailure(identityKey, limits.userWindowMs, now);
      if (limits.byIp) ctx.loginAttempts.recordFailure(`ip:${request.address}`, limits.ipWindowMs, now);
    }
    throw ChatError.loginFailed();
  }
  ctx.loginAttempts.reset(identityKey);

  const authToken = newToken();
  const deviceId = ctx.ids.next() as DeviceId;
  const loggedIn = await ctx.store.transaction(async (tx) => {
    await tx.tokens.insert({
      hash: hashToken(authToken),
      userId: user.id,
      deviceId,
      kind: 'login',
      name: null,
      lastTokenPart: authToken.slice(-6),
      bypassTwoFactor: false,
      createdAt: now,
    });
    return touchLastLogin(tx, user, now);
  });
  return { user: loggedIn, authToken, deviceId };
}

async function resume(ctx: DomainContext, token: string): Promise<LoginResult> {
  const stored = await ctx.store.tokens.byHash(hashToken(token));
  const user = stored ? await ctx.store.users.byId(stored.userId) : null;
  if (!stored || !user || !user.active) throw ChatError.loginFailed();
  const now = ctx.clock.now();
  // Clients resume on every reconnect: after a restart, thousands at once. A last login a few
  // minutes old is as good as a new one, and saves each of them a write.
  if (user.lastLogin !== null && now - user.lastLogin < LAST_LOGIN_PRECISION_MS)
    return { user, authToken: token, deviceId: stored.deviceId };
  const loggedIn = await ctx.store.transaction((tx) => touchLastLogin(tx, user, now));
  return { user: loggedIn, authToken: token, deviceId: stored.deviceId };
}

/** How stale `lastLogin` may be after a resume login. */
const LAST_LOGIN_PRECISION_MS = 5 * 60_000;

async function touchLastLogin(tx: Tx, user: User, now: number): Promise<User> {
  return (await tx.users.update(user.id, { lastLogin: now }, now)) ?? user;
}

function blockLimits(ctx: DomainContext) {
  const s = ctx.settings;
  const enabled = s.bool('Block_Multiple_Failed_Logins_Enabled');
  return {
    enabled,
    byUser: enabled && s.bool('Block_Multiple_Failed_Logins_By_User'),
    byIp: enabled && s.bool('Block_Multiple_Failed_Logins_By_Ip'),
    userAttempts: s.int('Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User'),
    userWindowMs: s.int('Block_Multiple_Failed_Logins_Time_To_Unblock_By_User_In_Minutes') * 60_000,
    ipAttempts: s.int('Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip'),
    ipWindowMs: s.int('Block_Multiple_Failed_Logins_Time_To_Unblock_By_Ip_In_Minutes') * 60_000,
  };
}
