/**
 * Rooms, subscriptions and messages for the store contract tests: every field set, overridable per
 * test. Ids come from the production id generator, so they look like the ones the store will hold.
 */
import type { Message } from '../../domain/messages/message.js';
import type { Room } from '../../domain/rooms/room.js';
import { randomIds, type MessageId, type RoomId } from '../../domain/shared/ids.js';
import type { Subscription } from '../../domain/subscriptions/subscription.js';
import type { User } from '../../domain/users/user.js';
import { T0 } from './factories.js';
import { newRoom } from '../../domain/rooms/room.js';
import { newMessage } from '../../domain/messages/message.js';

export function roomId(): RoomId {
  return randomIds.next() as RoomId;
}

export function messageId(): MessageId {
  return randomIds.next() as MessageId;
}

/** A public channel named after its id unless told otherwise; pass `t: 'd'` and `uids` for a DM. */
export function aRoom(overrides: Partial<Room> = {}): Room {
  const id = overrides.id ?? roomId();
  const t = overrides.t ?? 'c';
  const name = t === 'd' ? null : `room-${id}`;
  return newRoom({
    id,
    t,
    name,
    fname: name,
    readReceipts: false,
    createdAt: T0,
    ...overrides,
  });
}

/** `user`'s membership of `room`, read and quiet. */
export function aSubscription(room: Room, user: User, overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: randomIds.next(),
    roomId: room.id,
    userId: user.id,
    username: user.username,
    t: room.t,
    name: room.name ?? user.username,
    fname: room.fname ?? user.name,
    open: true,
    alert: false,
    unread: 0,
    userMentions: 0,
    groupMentions: 0,
    tunread: [],
    tunreadUser: [],
    tunreadGroup: [],
    roles: [],
    favorite: false,
    archived: false,
    ls: null,
    lr: null,
    joinedAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** A plain message by `author` in `room` at T0. */
export function aMessage(room: Room, author: User, overrides: Partial<Message> = {}): Message {
  return newMessage({
    id: messageId(),
    rid: room.id,
    msg: 'hello',
    u: { _id: author.id, username: author.username, name: author.name },
    ts: T0,
    ...overrides,
  });
}
