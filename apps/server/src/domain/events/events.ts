import type { Message } from '../messages/message.js';
import type { Room, RoomType } from '../rooms/room.js';
import type { Setting } from '../settings/setting.js';
import type { MessageId, RoomId, UserId } from '../shared/ids.js';
import type { UserStatus } from '../users/user.js';

/**
 * Who an event concerns. The realtime edge delivers an event only to connections whose user is
 * in the audience, and checks room access again at delivery.
 */
export type Audience =
  | { readonly kind: 'room'; readonly roomId: RoomId }
  | { readonly kind: 'user'; readonly userId: UserId }
  /** Every authenticated user. */
  | { readonly kind: 'logged' }
  /** Everyone, anonymous connections included. */
  | { readonly kind: 'all' };

export const toRoom = (roomId: RoomId): Audience => ({ kind: 'room', roomId });
export const toUser = (userId: UserId): Audience => ({ kind: 'user', userId });
export const toLogged: Audience = { kind: 'logged' };
export const toAll: Audience = { kind: 'all' };

/** What a message event says about its room, so that consumers need not load it. */
export interface RoomRef {
  readonly id: RoomId;
  readonly t: RoomType;
  readonly name: string | null;
  /** Members of a DM; empty for channels and groups. */
  readonly uids: readonly UserId[];
}

export const roomRefOf = (room: Room): RoomRef => ({
  id: room.id,
  t: room.t,
  name: room.name,
  uids: room.uids,
});

/**
 * A fact an action committed, appended to the outbox in the same transaction as its writes.
 * Payloads are plain JSON (times in epoch milliseconds) so that they travel through the outbox
 * table and NATS unchanged.
 */
export type DomainEvent =
  /** A message was posted, or changed in any way (edit, reaction, pin, star, thread counters). */
  | {
      readonly type: 'message.saved';
      readonly audience: Audience;
      readonly room: RoomRef;
      readonly message: Message;
      readonly created: boolean;
    }
  | {
      readonly type: 'message.deleted';
      readonly audience: Audience;
      readonly roomId: RoomId;
      readonly messageId: MessageId;
    }
  /** A room was created or its settings changed. */
  | { readonly type: 'room.saved'; readonly audience: Audience; readonly room: Room }
  /** A room was deleted; its members (who no longer exist in the store) are listed. */
  | {
      readonly type: 'room.deleted';
      readonly audience: Audience;
      readonly roomId: RoomId;
      readonly memberIds: readonly UserId[];
    }
  /** Subscriptions changed: the listed members', or every member's when `userIds` is null. */
  | {
      readonly type: 'subscriptions.changed';
      readonly audience: Audience;
      readonly roomId: RoomId;
      readonly userIds: readonly UserId[] | null;
      readonly change: 'inserted' | 'updated';
    }
  | {
      readonly type: 'subscription.removed';
      readonly audience: Audience;
      readonly roomId: RoomId;
      readonly roomType: RoomType;
      readonly userId: UserId;
      readonly subscriptionId: string;
    }
  /** `userId` has read the room up to `until`. */
  | {
      readonly type: 'room.read';
      readonly audience: Audience;
      readonly roomId: RoomId;
      readonly userId: UserId;
      readonly until: number;
    }
  /** Profile fields others see changed (username, name, status text, active). */
  | {
      readonly type: 'user.changed';
      readonly audience: Audience;
      readonly userId: UserId;
      readonly username: string;
      readonly name: string;
      readonly previousUsername: string;
    }
  | {
      readonly type: 'user.deleted';
      readonly audience: Audience;
      readonly userId: UserId;
      readonly username: string;
    }
  /** Some of the user's login tokens were removed: connections using them must end. */
  | { readonly type: 'user.sessions-revoked'; readonly audience: Audience; readonly userId: UserId }
  | {
      readonly type: 'user.role-changed';
      readonly audience: Audience;
      readonly change: 'added' | 'removed';
      readonly roleId: string;
      readonly userId: UserId;
      readonly username: string;
      /** The room, for a room-scoped role. */
      readonly scope: RoomId | null;
    }
  | {
      readonly type: 'permission.changed';
      readonly audience: Audience;
      readonly permissionId: string;
      readonly roles: readonly string[];
      readonly updatedAt: number;
    }
  | { readonly type: 'setting.changed'; readonly audience: Audience; readonly setting: Setting };

export type DomainEventType = DomainEvent['type'];

/** An event as the outbox stored it: with its stream position and commit time. */
export type StoredEvent = DomainEvent & { readonly position: number; readonly at: number };

/**
 * Short-lived signals that are not facts worth storing: typing and presence. They travel over
 * the same bus as committed events but never through the outbox.
 */
export type Signal =
  | {
      readonly type: 'user-activity';
      readonly roomId: RoomId;
      readonly userId: UserId;
      readonly username: string;
      readonly activities: readonly string[];
      readonly extras: Readonly<Record<string, unknown>>;
      /** The connection it came from, which must not get it back. */
      readonly connectionId: string;
    }
  /** A process's view of its own connections: per user, their best local status. */
  | {
      readonly type: 'presence';
      readonly processId: string;
      /** Full snapshot, or only the users that changed since the last one. */
      readonly full: boolean;
      readonly users: readonly (readonly [UserId, ConnectionStatus])[];
    }
  /** A failed login (or a success that forgives the key), shared so every process counts it. */
  | {
      readonly type: 'login-attempt';
      readonly outcome: 'failure' | 'reset';
      readonly key: string;
      readonly windowMs: number;
      readonly at: number;
    }
  /** A user's effective status changed (after coalescing). */
  | {
      readonly type: 'user-status';
      readonly statuses: readonly UserStatusChange[];
    };

/** What a user's connections say: `offline` when none is open, `away` when all are idle. */
export type ConnectionStatus = 'online' | 'away' | 'offline';

export interface UserStatusChange {
  readonly userId: UserId;
  readonly username: string;
  readonly name: string;
  readonly status: UserStatus;
  readonly statusText: string;
  readonly roles: readonly string[];
}
