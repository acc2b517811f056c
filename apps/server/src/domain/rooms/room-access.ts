import type { DomainContext } from '../context.js';
import type { Tx } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { RoomId, UserId } from '../shared/ids.js';
import type { Subscription } from '../subscriptions/subscription.js';
import type { Room } from './room.js';

/** How a request names a room: Rocket.Chat accepts `roomId` or `roomName` almost everywhere. */
export type RoomKey = { readonly roomId: RoomId } | { readonly roomName: string };

export interface RoomView {
  readonly room: Room;
  /** The caller's membership, when they are a member. */
  readonly subscription: Subscription | null;
}

export async function findRoom(repos: Pick<Tx, 'rooms'>, key: RoomKey): Promise<Room | null> {
  if ('roomId' in key) return repos.rooms.byId(key.roomId);
  const name = key.roomName.replace(/^#/, '');
  // Rocket.Chat's clients sometimes put a room id where a name goes (`chat.postMessage`'s `channel`).
  return (
    (await repos.rooms.byName(name)) ??
    (key.roomName.startsWith('#') ? null : repos.rooms.byId(name as RoomId))
  );
}

/** The room named by `key` and `userId`'s membership in it, in one query. */
async function roomWithMembership(repos: Pick<Tx, 'rooms'>, key: RoomKey, userId: UserId) {
  if ('roomId' in key) return repos.rooms.withMembership({ id: key.roomId }, userId);
  const name = key.roomName.replace(/^#/, '');
  return (
    (await repos.rooms.withMembership({ name }, userId)) ??
    // Rocket.Chat's clients sometimes put a room id where a name goes (`chat.postMessage`'s `channel`).
    (key.roomName.startsWith('#') ? null : repos.rooms.withMembership({ id: name as RoomId }, userId))
  );
}

/**
 * Loads a room the actor may read. Private groups and DMs are invisible to non-members: they get
 * the same `error-room-not-found` as for a room that does not exist. A public channel is readable
 * with `view-c-room`, member or not.
 */
export async function readableRoom(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  repos: Pick<Tx, 'rooms' | 'subscriptions'> = ctx.store,
): Promise<RoomView> {
  const found = await roomWithMembership(repos, key, actor.userId);
  if (!found) throw ChatError.roomNotFound();
  const { room, subscription } = found;
  if (subscription) return { room, subscription };
  if (room.t === 'c' && (await ctx.authz.hasPermission(actor, 'view-c-room')))
    return { room, subscription: null };
  throw ChatError.roomNotFound();
}

/** Like `readableRoom`, but only rooms of the given kinds, else `error-room-not-found`. */
export async function readableRoomOfType(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][],
): Promise<RoomView> {
  const view = await readableRoom(ctx, actor, key);
  if (!types.includes(view.room.t)) throw ChatError.roomNotFound();
  return view;
}

/** Refuses writes to an archived room. */
export function ensureNotArchived(room: Room): void {
  if (room.archived) throw ChatError.roomArchived();
}

/**
 * Whether the actor may manage the room's settings and members: `edit-room` (or the named
 * permission) globally, or through a room role (owner, moderator).
 */
export async function requireRoomPermission(
  ctx: DomainContext,
  actor: Actor,
  room: Room,
  permission: string,
): Promise<void> {
  await ctx.authz.require(actor, permission, room.id);
}
