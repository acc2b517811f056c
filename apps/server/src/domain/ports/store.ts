import type { LoginToken } from '../auth/login-token.js';
import type { Permission, Role } from '../permissions/role.js';
import type { Setting, SettingValue } from '../settings/setting.js';
import type { UserId } from '../shared/ids.js';
import type { User, UserPatch } from '../users/user.js';

export interface Page {
  readonly offset: number;
  readonly count: number;
}

export interface Paged<T> {
  readonly items: readonly T[];
  readonly total: number;
}

export type UserSortField = 'username' | 'name' | 'createdAt' | 'lastLogin';

export interface UserListQuery extends Page {
  readonly sort?: { readonly field: UserSortField; readonly direction: 1 | -1 };
  /** Case-insensitive substring of username, name or email. */
  readonly text?: string;
  readonly role?: string;
}

export interface UserRepo {
  insert(user: User): Promise<void>;
  /** Applies `patch` and sets `updatedAt`; returns the updated user, or null if none has `id`. */
  update(id: UserId, patch: UserPatch, updatedAt: number): Promise<User | null>;
  delete(id: UserId): Promise<boolean>;
  byId(id: UserId): Promise<User | null>;
  /** Usernames are unique case-insensitively. */
  byUsername(username: string): Promise<User | null>;
  /** Emails are unique case-insensitively. */
  byEmail(email: string): Promise<User | null>;
  list(query: UserListQuery): Promise<Paged<User>>;
  addRole(id: UserId, role: string, updatedAt: number): Promise<void>;
  removeRole(id: UserId, role: string, updatedAt: number): Promise<void>;
  countWithRole(role: string): Promise<number>;
}

export interface TokenRepo {
  insert(token: LoginToken): Promise<void>;
  byHash(hash: string): Promise<LoginToken | null>;
  deleteByHash(hash: string): Promise<boolean>;
  /** Removes every token of `userId` except `keepHash`, personal access tokens excluded. */
  deleteLoginTokensOfUser(userId: UserId, keepHash?: string): Promise<number>;
  deleteAllOfUser(userId: UserId): Promise<number>;
  personalOfUser(userId: UserId): Promise<readonly LoginToken[]>;
  personalByName(userId: UserId, name: string): Promise<LoginToken | null>;
}

export interface RoleRepo {
  upsert(role: Role): Promise<void>;
  byId(id: string): Promise<Role | null>;
  /** Matches the id or, case-insensitively, the name. */
  byIdOrName(idOrName: string): Promise<Role | null>;
  list(): Promise<readonly Role[]>;
  updatedSince(since: number): Promise<readonly Role[]>;
}

export interface PermissionRepo {
  /** Inserts the permission if absent; never overwrites an admin's change. */
  insertIfAbsent(permission: Permission): Promise<void>;
  setRoles(id: string, roles: readonly string[], updatedAt: number): Promise<void>;
  byId(id: string): Promise<Permission | null>;
  list(): Promise<readonly Permission[]>;
  updatedSince(since: number): Promise<readonly Permission[]>;
}

export interface SettingRepo {
  /** Inserts the setting if absent; an existing value is kept, its definition refreshed. */
  define(setting: Setting): Promise<void>;
  setValue(id: string, value: SettingValue, updatedAt: number): Promise<Setting | null>;
  byId(id: string): Promise<Setting | null>;
  list(): Promise<readonly Setting[]>;
}

/** Small facts about the installation: the setup token's hash, the workspace's id. */
export interface MetaRepo {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface Tx {
  readonly users: UserRepo;
  readonly tokens: TokenRepo;
  readonly roles: RoleRepo;
  readonly permissions: PermissionRepo;
  readonly settings: SettingRepo;
  readonly meta: MetaRepo;
}

export interface Store extends Tx {
  /** Runs `fn` in one database transaction; a thrown error rolls everything back. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Answers when the database does; used by `/readyz`. */
  ping(): Promise<void>;
  /** The newest applied migration's name. */
  schemaVersion(): Promise<string | null>;
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/** The store's one storage fact the domain acts on: a unique key is already taken. */
export class UniqueViolation extends Error {
  constructor(readonly key: string) {
    super(`Unique key already taken: ${key}`);
    this.name = 'UniqueViolation';
  }
}
