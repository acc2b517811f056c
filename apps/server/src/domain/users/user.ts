import type { UserId } from '../shared/ids.js';

export type UserType = 'user' | 'bot' | 'app';
export type UserStatus = 'online' | 'away' | 'busy' | 'offline';

/** A person, bot or app account. Global roles live beside it in `roles`. */
export interface User {
  readonly id: UserId;
  readonly username: string;
  readonly name: string;
  readonly type: UserType;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly active: boolean;
  readonly roles: readonly string[];
  readonly status: UserStatus;
  readonly statusText: string;
  readonly statusDefault: UserStatus;
  readonly utcOffset: number;
  readonly nickname: string;
  readonly bio: string;
  readonly customFields: Readonly<Record<string, string>>;
  readonly preferences: Readonly<Record<string, unknown>>;
  /** Argon2id PHC string; null for accounts that cannot log in with a password. */
  readonly passwordHash: string | null;
  readonly requirePasswordChange: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastLogin: number | null;
}

export type UserPatch = Partial<
  Pick<
    User,
    | 'username'
    | 'name'
    | 'email'
    | 'emailVerified'
    | 'active'
    | 'status'
    | 'statusText'
    | 'statusDefault'
    | 'utcOffset'
    | 'nickname'
    | 'bio'
    | 'customFields'
    | 'preferences'
    | 'passwordHash'
    | 'requirePasswordChange'
    | 'lastLogin'
  >
>;
