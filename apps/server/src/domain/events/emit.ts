import type { Message } from '../messages/message.js';
import type { Tx } from '../ports/store.js';
import type { Room } from '../rooms/room.js';
import type { RoomId, UserId } from '../shared/ids.js';
import type { Subscription } from '../subscriptions/subscription.js';
import type { User } from '../users/user.js';
import { roomRefOf, toLogged, toRoom, toUser, type DomainEvent } from './events.js';

/**
 * Appends `events` to the outbox at `now`; they commit (or roll back) with the writes of `tx`.
 * `null`s, events that turned out not to happen, are skipped. Call inside `store.transaction`.
 */
export async function emit(
  tx: Pick<Tx, 'events'>,
  now: number,
  ...events: readonly (DomainEvent | null)[]
): Promise<void> {
  const happened = events.filter((event): event is DomainEvent => event !== null);
  if (happened.length > 0) await tx.events.append(happened, now);
}

/** `message.saved`: `message` was posted into `room` (`created`) or changed, as it now is. */
export function messageSaved(room: Room, message: Message, created: boolean): DomainEvent {
  return { type: 'message.saved', audience: toRoom(room.id), room: roomRefOf(room), message, created };
}

/** `message.deleted`: the message is now a tombstone. */
export function messageDeleted(message: Pick<Message, 'rid' | 'id'>): DomainEvent {
  return {
    type: 'message.deleted',
    audience: toRoom(message.rid),
    roomId: message.rid,
    messageId: message.id,
  };
}

/** `room.saved`: `room` as it now is. */
export function roomSaved(room: Room): DomainEvent {
  return { type: 'room.saved', audience: toRoom(room.id), room };
}

/**
 * `subscriptions.changed` for the members `userIds` (null: every member), heard by the room, or by
 * the one user alone when only theirs changed. Null when the list is empty: nothing changed.
 */
export function subscriptionsChanged(
  roomId: RoomId,
  userIds: readonly UserId[] | null,
  change: 'inserted' | 'updated',
): DomainEvent | null {
  const unique = userIds === null ? null : [...new Set(userIds)];
  if (unique !== null && unique.length === 0) return null;
  const only = unique?.length === 1 ? unique[0] : undefined;
  return {
    type: 'subscriptions.changed',
    audience: only !== undefined ? toUser(only) : toRoom(roomId),
    roomId,
    userIds: unique,
    change,
  };
}

/** `subscription.removed`: the member no longer belongs to the room; only they hear it. */
export function subscriptionRemoved(subscription: Subscription): DomainEvent {
  return {
    type: 'subscription.removed',
    audience: toUser(subscription.userId),
    roomId: subscription.roomId,
    roomType: subscription.t,
    userId: subscription.userId,
    subscriptionId: subscription.id,
  };
}

/** `user.sessions-revoked`: connections using the removed tokens must end. */
export function sessionsRevoked(userId: UserId): DomainEvent {
  return { type: 'user.sessions-revoked', audience: toUser(userId), userId };
}

/**
 * `user.changed` when a field others see (username, name, status text, active) differs between
 * `before` and `after`; null otherwise.
 */
export function userChanged(before: User, after: User): DomainEvent | null {
  const same =
    before.username === after.username &&
    before.name === after.name &&
    before.statusText === after.statusText &&
    before.active === after.active;
  if (same) return null;
  return {
    type: 'user.changed',
    audience: toLogged,
    userId: after.id,
    username: after.username,
    name: after.name,
    previousUsername: before.username,
  };
}

/** `user.role-changed`: a global role (`scope` null) or a role inside the room `scope`. */
export function roleChanged(options: {
  user: Pick<User, 'id' | 'username'>;
  roleId: string;
  change: 'added' | 'removed';
  scope: RoomId | null;
}): DomainEvent {
  return {
    type: 'user.role-changed',
    audience: toLogged,
    change: options.change,
    roleId: options.roleId,
    userId: options.user.id,
    username: options.user.username,
    scope: options.scope,
  };
}
