import type { RoomId, UserId } from '../domain/shared/ids.js';

interface Entry {
  readonly rooms: Set<RoomId>;
  /** Changes heard while the initial load was in flight, applied over its answer. */
  loading: { readonly added: Set<RoomId>; readonly removed: Set<RoomId> } | null;
}

/**
 * The rooms of the users connected to this process, kept current by committed events. Fan-out
 * asks it who among the local users is in a room, and whether a member's sub may still receive.
 */
export class LocalMembership {
  readonly #users = new Map<UserId, Entry>();
  readonly #rooms = new Map<RoomId, Set<UserId>>();

  /** Starts following a user; `load` reads their rooms once. Events heard meanwhile are kept. */
  async follow(userId: UserId, load: () => Promise<readonly RoomId[]>): Promise<void> {
    if (this.#users.has(userId)) return;
    const entry: Entry = { rooms: new Set(), loading: { added: new Set(), removed: new Set() } };
    this.#users.set(userId, entry);
    try {
      const rooms = await load();
      if (this.#users.get(userId) !== entry) return;
      const { added, removed } = entry.loading ?? { added: new Set<RoomId>(), removed: new Set<RoomId>() };
      entry.loading = null;
      for (const roomId of rooms) if (!removed.has(roomId)) this.#link(userId, entry, roomId);
      for (const roomId of added) this.#link(userId, entry, roomId);
    } catch (error) {
      if (this.#users.get(userId) === entry) this.#users.delete(userId);
      throw error;
    }
  }

  unfollow(userId: UserId): void {
    const entry = this.#users.get(userId);
    if (!entry) return;
    for (const roomId of entry.rooms) this.#unlinkRoom(userId, roomId);
    this.#users.delete(userId);
  }

  joined(userId: UserId, roomId: RoomId): void {
    const entry = this.#users.get(userId);
    if (!entry) return;
    if (entry.loading) {
      entry.loading.added.add(roomId);
      entry.loading.removed.delete(roomId);
    }
    this.#link(userId, entry, roomId);
  }

  left(userId: UserId, roomId: RoomId): void {
    const entry = this.#users.get(userId);
    if (!entry) return;
    if (entry.loading) {
      entry.loading.removed.add(roomId);
      entry.loading.added.delete(roomId);
    }
    entry.rooms.delete(roomId);
    this.#unlinkRoom(userId, roomId);
  }

  isMember(userId: UserId, roomId: RoomId): boolean {
    return this.#users.get(userId)?.rooms.has(roomId) ?? false;
  }

  /**
   * True only when the user's rooms are loaded and include this one: a member may read the room,
   * so a `sub` needs no query. False means "ask the database", never "not a member".
   */
  knownMember(userId: UserId, roomId: RoomId): boolean {
    const entry = this.#users.get(userId);
    return entry !== undefined && entry.loading === null && entry.rooms.has(roomId);
  }

  /** Local users who are members of the room. */
  membersOf(roomId: RoomId): ReadonlySet<UserId> {
    return this.#rooms.get(roomId) ?? NONE;
  }

  #link(userId: UserId, entry: Entry, roomId: RoomId): void {
    entry.rooms.add(roomId);
    const members = this.#rooms.get(roomId) ?? new Set<UserId>();
    members.add(userId);
    this.#rooms.set(roomId, members);
  }

  #unlinkRoom(userId: UserId, roomId: RoomId): void {
    const members = this.#rooms.get(roomId);
    members?.delete(userId);
    if (members?.size === 0) this.#rooms.delete(roomId);
  }
}

const NONE: ReadonlySet<UserId> = new Set();
