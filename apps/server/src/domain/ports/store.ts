import type { DomainEvent, StoredEvent } from '../events/events.js';
import type { LoginToken } from '../auth/login-token.js';
import type { Permission, Role } from '../permissions/role.js';
import type { Setting, SettingValue } from '../settings/setting.js';
import type { Message, MessagePatch } from '../messages/message.js';
import type { Room, RoomPatch, RoomType } from '../rooms/room.js';
import type { MessageId, RoomId, UserId } from '../shared/ids.js';
import type { Subscription, SubscriptionPatch } from '../subscriptions/subscription.js';
import type { User, UserPatch, UserStatus } from '../users/user.js';

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
  /**
   * Sets each listed user's `status` (and `updatedAt`), in a few statements whatever the count:
   * presence writes a whole batch of changes this way. An id listed twice gets its last status;
   * unknown ids are skipped. Returns how many users were updated.
   */
  setStatuses(changes: readonly UserStatusWrite[], updatedAt: number): Promise<number>;
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
  byIds(ids: readonly UserId[]): Promise<readonly User[]>;
  /**
   * Who the listed users are, without roles or profile: what posting a message needs (the author's
   * names, whether a DM's members are active) in one small query. Unknown ids are left out.
   */
  identities(ids: readonly UserId[]): Promise<readonly UserIdentity[]>;
  /** Case-insensitive; unknown names are left out. */
  byUsernames(usernames: readonly string[]): Promise<readonly User[]>;
  /**
   * Active users whose username or name contains `text` case-insensitively (never the email, so
   * that a search cannot probe addresses), for `directory` and `spotlight`.
   */
  listActive(query: ActiveUserQuery): Promise<Paged<User>>;
}

export type UserIdentity = Pick<User, 'id' | 'username' | 'name' | 'active'>;

export interface UserStatusWrite {
  readonly id: UserId;
  readonly status: UserStatus;
}

export interface ActiveUserQuery extends Page {
  readonly text?: string;
  readonly exceptIds?: readonly UserId[];
  readonly sort?: { readonly field: 'username' | 'name' | 'createdAt'; readonly direction: 1 | -1 };
}

export interface RoomListQuery extends Page {
  readonly types: readonly RoomType[];
  /** Case-insensitive substring of the name. */
  readonly text?: string;
  readonly sort?: {
    readonly field: 'name' | 'createdAt' | 'usersCount' | 'lastMessageAt';
    readonly direction: 1 | -1;
  };
  /** Only default channels. */
  readonly defaultOnly?: boolean;
}

export interface RoomRepo {
  insert(room: Room): Promise<void>;
  update(id: RoomId, patch: RoomPatch, updatedAt: number): Promise<Room | null>;
  delete(id: RoomId): Promise<boolean>;
  byId(id: RoomId): Promise<Room | null>;
  /** Channels and groups by name, case-insensitively. */
  byName(name: string): Promise<Room | null>;
  /**
   * The room by id (or, failing that, by name) with `userId`'s membership, in one query: what
   * opening a room and posting into it read first.
   */
  withMembership(
    key: { readonly id: RoomId } | { readonly name: string },
    userId: UserId,
  ): Promise<{ room: Room; subscription: Subscription | null } | null>;
  /** The DM whose members are exactly `uids`. */
  dmByMembers(uids: readonly UserId[]): Promise<Room | null>;
  list(query: RoomListQuery): Promise<Paged<Room>>;
  /** Counts a new message: `msgs + 1`, last message, `updatedAt`. */
  recordMessage(id: RoomId, messageId: MessageId, ts: number): Promise<void>;
  /** Points the room at another last message (or none), e.g. after the last one was deleted. */
  setLastMessage(
    id: RoomId,
    last: { readonly id: MessageId; readonly ts: number } | null,
    updatedAt: number,
  ): Promise<void>;
  adjustUsersCount(id: RoomId, delta: number, updatedAt: number): Promise<void>;
  /** Rooms `userId` is subscribed to, changed after `since` when given. */
  ofUser(userId: UserId, since?: number): Promise<readonly Room[]>;
  /**
   * Rooms of `publicTypes` plus those of `memberTypes` that `memberId` is subscribed to, whose
   * name contains `text` case-insensitively: what `directory` and `spotlight` may show.
   */
  listVisible(query: VisibleRoomQuery): Promise<Paged<Room>>;
}

export interface VisibleRoomQuery extends Page {
  readonly text?: string;
  readonly publicTypes: readonly RoomType[];
  readonly memberTypes: readonly RoomType[];
  readonly memberId: UserId;
  readonly sort?: RoomListQuery['sort'];
}

export interface MemberQuery extends Page {
  /** Case-insensitive substring of username or name. */
  readonly text?: string;
}

export interface SubscriptionRepo {
  insert(subscription: Subscription): Promise<void>;
  byRoomAndUser(roomId: RoomId, userId: UserId): Promise<Subscription | null>;
  ofUser(userId: UserId, since?: number): Promise<readonly Subscription[]>;
  ofRoom(roomId: RoomId): Promise<readonly Subscription[]>;
  /** Members of a room as user ids, sorted by username. */
  members(roomId: RoomId, query: MemberQuery): Promise<Paged<UserId>>;
  /** Members holding a room role (owner, moderator, leader). */
  withRole(roomId: RoomId, role: string): Promise<readonly Subscription[]>;
  update(id: string, patch: SubscriptionPatch, updatedAt: number): Promise<Subscription | null>;
  /** Removes the membership and records its removal for `subscriptions.get`'s `remove`. */
  delete(roomId: RoomId, userId: UserId, deletedAt: number): Promise<boolean>;
  deleteAllOfRoom(roomId: RoomId, deletedAt: number): Promise<number>;
  /** Applies `patch` to every membership of the room (rename, privacy, archive); returns how many. */
  updateAllOfRoom(roomId: RoomId, patch: SubscriptionPatch, updatedAt: number): Promise<number>;
  /** Ids of subscriptions removed from `userId` after `since`. */
  removedSince(
    userId: UserId,
    since: number,
  ): Promise<readonly { id: string; roomId: RoomId; deletedAt: number }[]>;
  /**
   * A new message in the room: every other member gets `unread + 1`, `alert`, and `open`; those in
   * `mentioned` also `userMentions + 1`; all of them `groupMentions + 1` when `groupMention`.
   */
  countNewMessage(input: {
    readonly roomId: RoomId;
    readonly authorId: UserId;
    readonly mentioned: readonly UserId[];
    readonly groupMention: boolean;
    readonly updatedAt: number;
  }): Promise<void>;
  /** A member was renamed: their subscriptions carry the new username. */
  renameMember(userId: UserId, username: string, updatedAt: number): Promise<void>;
  /** Subscriptions of the room whose last-seen time is at or after `ts` (read receipts). */
  seenSince(roomId: RoomId, ts: number): Promise<readonly Subscription[]>;
}

export interface MessageQuery extends Page {
  readonly roomId: RoomId;
  /** Only messages before (or at, when `inclusive`) this time. */
  readonly latest?: number;
  readonly oldest?: number;
  readonly inclusive?: boolean;
  /** Leaves out thread replies not also shown in the room. */
  readonly hideThreadReplies?: boolean;
  readonly pinned?: boolean;
  readonly starredBy?: UserId;
  readonly mentions?: UserId;
  readonly threadOf?: MessageId;
  /** Only thread parents (messages with replies). */
  readonly threadsOnly?: boolean;
  /** Only messages whose thread `userId` follows (listed in `replies`). */
  readonly followedBy?: UserId;
  /** Only these messages; an empty list matches none. */
  readonly ids?: readonly MessageId[];
  /** Case-insensitive substring of the text. */
  readonly text?: string;
  /** Newest first (history) or oldest first (thread replies). */
  readonly order?: 'newest' | 'oldest';
  /** False skips counting the matches (`total` is then -1): history needs only the page. */
  readonly countTotal?: boolean;
}

export interface MessageRepo {
  /** Raises `UniqueViolation('id')` when the (client-chosen) id is taken. */
  insert(message: Message): Promise<void>;
  byId(id: MessageId): Promise<Message | null>;
  /** Messages by id, in no particular order; unknown ids are left out. */
  byIds(ids: readonly MessageId[]): Promise<readonly Message[]>;
  update(id: MessageId, patch: MessagePatch, updatedAt: number): Promise<Message | null>;
  /** Live messages (tombstones left out) matching the query. */
  find(query: MessageQuery): Promise<Paged<Message>>;
  /** Messages of the room changed (not deleted) after `since`, oldest change first. */
  updatedSince(roomId: RoomId, since: number, page: Page, threadOf?: MessageId): Promise<readonly Message[]>;
  /** Tombstones of messages deleted after `since` (only replies of `threadOf` when given). */
  deletedSince(roomId: RoomId, since: number, page: Page, threadOf?: MessageId): Promise<Paged<Message>>;
  /** Live messages of the room after `since` not written by `userId` (for unread counts). */
  countAfter(roomId: RoomId, since: number, exceptUserId: UserId): Promise<number>;
  deleteAllOfRoom(roomId: RoomId): Promise<number>;
  /** An author was renamed: their messages show the new username and name. */
  renameAuthor(userId: UserId, username: string, name: string): Promise<void>;
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
  readonly rooms: RoomRepo;
  readonly subscriptions: SubscriptionRepo;
  readonly messages: MessageRepo;
  readonly events: EventRepo;
}

/** The outbox of domain events (see `events/events.ts`). */
export interface EventRepo {
  /** Stores `events` at commit time `at`, each with the next stream position. */
  append(events: readonly DomainEvent[], at: number): Promise<void>;
  /** Events after `position`, oldest first: for durable consumers catching up. */
  since(position: number, limit: number): Promise<readonly StoredEvent[]>;
  /** The newest position, 0 when the outbox is empty. */
  latestPosition(): Promise<number>;
  /** Deletes events stored before `at`; returns how many. */
  pruneBefore(at: number): Promise<number>;
}

export interface Store extends Tx {
  /** Runs `fn` in one database transaction; a thrown error rolls everything back. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Answers when the database does; used by `/readyz`. */
  ping(): Promise<void>;
  /** The newest applied migration's name. */
  schemaVersion(): Promise<string | null>;
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Hears every batch of events once its transaction has committed (or at once, for an append
   * outside a transaction), in commit order. Events of a rolled-back transaction are never heard.
   */
  onEventsCommitted(listener: (events: readonly StoredEvent[]) => void): void;
  close(): Promise<void>;
}

/** The store's one storage fact the domain acts on: a unique key is already taken. */
export class UniqueViolation extends Error {
  constructor(readonly key: string) {
    super(`Unique key already taken: ${key}`);
    this.name = 'UniqueViolation';
  }
}
