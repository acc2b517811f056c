/**
 * Domain objects for the store contract tests: every field set, overridable per test.
 * Ids come from the production id generator, so they look like the ones the store will hold.
 */
import { createHash } from 'node:crypto';
import type { LoginToken } from '../../domain/auth/login-token.js';
import type { Permission, Role } from '../../domain/permissions/role.js';
import type { Setting } from '../../domain/settings/setting.js';
import { randomIds, type DeviceId, type UserId } from '../../domain/shared/ids.js';
import type { User } from '../../domain/users/user.js';

/** 2023-11-14T22:13:20Z: already far beyond 2^31 milliseconds. */
export const T0 = 1_700_000_000_000;

/** The latest instant a JavaScript Date can hold; it must survive a bigint column on both dialects. */
export const LAST_DATE_MS = 8_640_000_000_000_000;

export function userId(): UserId {
  return randomIds.next() as UserId;
}

export function aUser(overrides: Partial<User> = {}): User {
  const id = overrides.id ?? userId();
  const username = overrides.username ?? `user-${id}`;
  return {
    id,
    username,
    name: `Name of ${username}`,
    type: 'user',
    email: `${username}@example.test`,
    emailVerified: false,
    active: true,
    roles: ['user'],
    status: 'offline',
    statusText: '',
    statusDefault: 'online',
    utcOffset: 0,
    nickname: '',
    bio: '',
    customFields: {},
    preferences: {},
    passwordHash: null,
    requirePasswordChange: false,
    createdAt: T0,
    updatedAt: T0,
    lastLogin: null,
    ...overrides,
  };
}

/** A login token of `user`, hashed the way the auth code hashes (SHA-256 hex). */
export function aLoginToken(user: User, overrides: Partial<LoginToken> = {}): LoginToken {
  const secret = randomIds.next();
  return {
    hash: createHash('sha256').update(secret).digest('hex'),
    userId: user.id,
    deviceId: randomIds.next() as DeviceId,
    kind: 'login',
    name: null,
    lastTokenPart: secret.slice(-6),
    bypassTwoFactor: false,
    createdAt: T0,
    ...overrides,
  };
}

export function aPersonalToken(user: User, name: string, overrides: Partial<LoginToken> = {}): LoginToken {
  return aLoginToken(user, { kind: 'personal', name, ...overrides });
}

export function aRole(overrides: Partial<Role> = {}): Role {
  const id = overrides.id ?? randomIds.next();
  return {
    id,
    name: id,
    scope: 'Users',
    description: '',
    protected: false,
    mandatory2fa: false,
    updatedAt: T0,
    ...overrides,
  };
}

export function aPermission(overrides: Partial<Permission> = {}): Permission {
  return { id: `permission-${randomIds.next()}`, roles: ['admin'], updatedAt: T0, ...overrides };
}

export function aSetting(overrides: Partial<Setting> = {}): Setting {
  return {
    id: `Setting_${randomIds.next()}`,
    type: 'string',
    value: 'default',
    packageValue: 'default',
    public: false,
    group: 'General',
    updatedAt: T0,
    ...overrides,
  };
}

/** Orders ids the way both databases compare them: by code unit (SQLite BINARY, PostgreSQL "C"). */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
