import type { LoginToken } from '../domain/auth/login-token.js';
import { effectivePreferences } from '../domain/users/preferences.js';
import type { User } from '../domain/users/user.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A user as another user sees it; `full` adds the private fields (emails, custom fields). */
export function presentUser(user: User, options: { full: boolean; publicUrl: string }) {
  return {
    _id: user.id,
    username: user.username,
    name: user.name,
    type: user.type,
    active: user.active,
    status: user.status,
    statusText: user.statusText,
    statusConnection: user.status === 'offline' ? 'offline' : 'online',
    utcOffset: user.utcOffset,
    roles: [...user.roles],
    createdAt: iso(user.createdAt),
    _updatedAt: iso(user.updatedAt),
    ...(user.lastLogin !== null ? { lastLogin: iso(user.lastLogin) } : {}),
    nickname: user.nickname,
    bio: user.bio,
    avatarUrl: `${options.publicUrl}/avatar/${encodeURIComponent(user.username)}`,
    ...(options.full
      ? {
          emails: user.email ? [{ address: user.email, verified: user.emailVerified }] : [],
          customFields: { ...user.customFields },
          requirePasswordChange: user.requirePasswordChange,
        }
      : {}),
  };
}

/** `me`, and `login`'s `data.me`: the caller's own account with preferences. */
export function presentMe(user: User, publicUrl: string) {
  return {
    ...presentUser(user, { full: true, publicUrl }),
    ...(user.email ? { email: user.email } : {}),
    statusDefault: user.statusDefault,
    settings: { profile: {}, preferences: effectivePreferences(user.preferences) },
    avatarUrl: `${publicUrl}/avatar/${encodeURIComponent(user.username)}`,
    isOAuthUser: false,
    services: { password: { exists: user.passwordHash !== null } },
  };
}

export function presentPersonalToken(token: LoginToken) {
  return {
    name: token.name ?? '',
    createdAt: iso(token.createdAt),
    lastTokenPart: token.lastTokenPart,
    bypassTwoFactor: token.bypassTwoFactor,
  };
}
