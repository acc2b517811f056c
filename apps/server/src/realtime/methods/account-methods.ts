import type { Actions } from '../../domain/actions.js';
import type { LoginRequest } from '../../domain/auth/login.js';
import type { PasswordInput } from '../../domain/auth/passwords.js';
import { hashToken } from '../../domain/auth/tokens.js';
import { ChatError } from '../../domain/shared/errors.js';
import { MethodError } from '../ddp.js';
import { param, requireActor, type MethodDefinition } from './method.js';

/** Login tokens are valid this long, as Rocket.Chat's default `Accounts_LoginExpiration` (90 days). */
const TOKEN_LIFETIME_MS = 90 * 24 * 3600 * 1000;

function loginRequest(raw: Readonly<Record<string, unknown>>, address: string): LoginRequest {
  if (typeof raw.resume === 'string') return { kind: 'resume', token: raw.resume, address };
  const user = raw.user;
  let identity: { username: string } | { email: string } | undefined;
  if (typeof user === 'string') identity = user.includes('@') ? { email: user } : { username: user };
  else if (user !== null && typeof user === 'object') {
    const u = user as Record<string, unknown>;
    if (typeof u.username === 'string') identity = { username: u.username };
    else if (typeof u.email === 'string') identity = { email: u.email };
  }
  if (!identity) throw MethodError.badParams('login needs {resume} or {user, password}');
  const password = raw.password;
  let input: PasswordInput | undefined;
  if (typeof password === 'string') input = password;
  else if (password !== null && typeof password === 'object') {
    const p = password as Record<string, unknown>;
    if (typeof p.digest === 'string' && p.algorithm === 'sha-256')
      input = { digest: p.digest, algorithm: 'sha-256' };
  }
  if (input === undefined)
    throw MethodError.badParams('password must be a string or {digest, algorithm: "sha-256"}');
  return { kind: 'password', identity, password: input, address };
}

/** `login` (resume token, personal access token or password digest) and `logout`. */
export function accountMethods(actions: Actions): Record<string, MethodDefinition> {
  return {
    login: {
      anonymous: true,
      async run(ctx, params) {
        const raw = param.object(params, 0, 'login');
        if ('totp' in raw)
          throw new MethodError('totp-not-supported', 'Two-factor login is not supported yet');
        let result;
        try {
          result = await actions.login(loginRequest(raw, ctx.address));
        } catch (error) {
          // Meteor's clients look for 403 on a failed login.
          if (error instanceof ChatError && error.kind === 'unauthenticated')
            throw new MethodError(403, 'User not found');
          throw error;
        }
        const { user, authToken, deviceId } = result;
        await ctx.loggedIn(
          {
            userId: user.id,
            username: user.username,
            roles: user.roles,
            deviceId,
            tokenHash: hashToken(authToken),
          },
          user,
        );
        return {
          id: user.id,
          token: authToken,
          tokenExpires: { $date: (user.lastLogin ?? Date.now()) + TOKEN_LIFETIME_MS },
          type: 'resume' in raw ? 'resume' : 'password',
        };
      },
    },
    /** Users holding a publicly shown global role (admin, bot, …), for badges. */
    getUserRoles: {
      run: () => actions.usersInPublicRoles(),
    },
    logout: {
      anonymous: true,
      async run(ctx) {
        if (!ctx.actor) return undefined;
        await actions.logout(requireActor(ctx));
        ctx.loggedOut();
        return undefined;
      },
    },
  };
}
