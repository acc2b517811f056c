import type { Signal, StoredEvent, UserStatusChange } from '../domain/events/events.js';
import type { BusListener } from '../domain/ports/event-bus.js';
import type { RoomId, UserId } from '../domain/shared/ids.js';
import type { LiveReads } from '../domain/subscriptions/live-reads.js';
import type { UserStatus } from '../domain/users/user.js';
import { ejsonDate, presentMessage, presentRoom, presentSubscription } from '../presenters/rooms.js';
import type { DdpConnection } from './connection.js';
import type { Hub, StreamSub } from './hub.js';
import type { LocalMembership } from './membership.js';
import { MY_MESSAGES } from './streams.js';

/** Rocket.Chat's numbers for statuses on `user-status` and `stream-user-presence`. */
export const STATUS_NUMBER: Record<UserStatus, number> = { offline: 0, online: 1, away: 2, busy: 3 };

export interface FanOutHost {
  readonly hub: Hub;
  readonly membership: LocalMembership;
  readonly live: LiveReads;
  connectionsOf(userId: UserId): ReadonlySet<DdpConnection>;
  /** Re-reads the actor of each of the user's connections; logs out those whose token is gone. */
  recheckSessions(userId: UserId): Promise<void>;
  onError(error: unknown, context: Record<string, unknown>): void;
}

const USER = 'stream-notify-user';
const ROOM = 'stream-notify-room';
const LOGGED = 'stream-notify-logged';

/**
 * Turns committed events and signals into DDP frames for this process's sockets. Each frame is
 * serialised once per audience; room streams are delivered only to subs whose user is still a
 * member (or, for a public channel, previews it).
 */
export function createFanOut(host: FanOutHost): BusListener {
  const { hub, membership, live } = host;

  const roomAccepts =
    (roomId: RoomId) =>
    (sub: StreamSub): boolean => {
      if (!sub.room?.needsMembership) return true;
      const userId = sub.connection.actor?.userId;
      return userId !== undefined && membership.isMember(userId, roomId);
    };

  const toUsers = (userIds: Iterable<UserId>, event: string, args: readonly unknown[]): void => {
    for (const userId of userIds) hub.emit(USER, `${userId}/${event}`, args);
  };

  const wanting = (userIds: Iterable<UserId>, event: string): Set<UserId> => {
    const out = new Set<UserId>();
    for (const userId of userIds) if (hub.has(USER, `${userId}/${event}`)) out.add(userId);
    return out;
  };

  const sendSubscriptions = async (
    roomId: RoomId,
    userIds: Iterable<UserId>,
    change: 'inserted' | 'updated',
  ): Promise<void> => {
    const targets = wanting(userIds, 'subscriptions-changed');
    if (targets.size === 0) return;
    for (const subscription of await live.subscriptionsOf(roomId, targets)) {
      hub.emit(USER, `${subscription.userId}/subscriptions-changed`, [
        change,
        presentSubscription(subscription, ejsonDate),
      ]);
    }
  };

  const sendRoom = async (roomId: RoomId, userIds: Iterable<UserId>, change: 'inserted' | 'updated') => {
    const targets = wanting(userIds, 'rooms-changed');
    if (targets.size === 0) return;
    const room = await live.room(roomId);
    if (room) toUsers(targets, 'rooms-changed', [change, presentRoom(room, null, undefined, ejsonDate)]);
  };

  const later = (work: Promise<void>, event: StoredEvent | Signal): void => {
    work.catch((error: unknown) => host.onError(error, { event: event.type }));
  };

  function onEvent(event: StoredEvent): void {
    switch (event.type) {
      case 'message.saved': {
        const { message, room } = event;
        const wire = presentMessage(message, { viewerId: '', date: ejsonDate });
        hub.emit('stream-room-messages', room.id, [wire], roomAccepts(room.id));
        const members = membership.membersOf(room.id);
        if (members.size > 0) {
          const context = {
            roomParticipant: true,
            roomType: room.t,
            ...(room.name ? { roomName: room.name } : {}),
          };
          hub.emit('stream-room-messages', MY_MESSAGES, [wire, context], (sub) =>
            members.has(sub.connection.actor?.userId as UserId),
          );
        }
        if (event.created && message.t === null) notify(event, members);
        return;
      }
      case 'message.deleted':
        hub.emit(
          ROOM,
          `${event.roomId}/deleteMessage`,
          [{ _id: event.messageId }],
          roomAccepts(event.roomId),
        );
        return;
      case 'room.read':
        hub.emit(
          ROOM,
          `${event.roomId}/messagesRead`,
          [{ until: ejsonDate(event.until) }],
          roomAccepts(event.roomId),
        );
        return;
      case 'room.saved':
        later(sendRoom(event.room.id, membership.membersOf(event.room.id), 'updated'), event);
        return;
      case 'room.deleted': {
        for (const userId of event.memberIds) {
          membership.left(userId, event.roomId);
          hub.emit(USER, `${userId}/rooms-changed`, ['removed', { _id: event.roomId }]);
        }
        return;
      }
      case 'subscriptions.changed': {
        const userIds = event.userIds ?? [...membership.membersOf(event.roomId)];
        if (event.change === 'inserted') {
          for (const userId of userIds) membership.joined(userId, event.roomId);
          later(sendRoom(event.roomId, userIds, 'inserted'), event);
        }
        later(sendSubscriptions(event.roomId, userIds, event.change), event);
        return;
      }
      case 'subscription.removed':
        membership.left(event.userId, event.roomId);
        hub.emit(USER, `${event.userId}/subscriptions-changed`, [
          'removed',
          { _id: event.subscriptionId, rid: event.roomId, u: { _id: event.userId }, t: event.roomType },
        ]);
        hub.emit(USER, `${event.userId}/rooms-changed`, ['removed', { _id: event.roomId }]);
        return;
      case 'user.changed':
        hub.emit(LOGGED, 'Users:NameChanged', [
          { _id: event.userId, name: event.name, username: event.username },
        ]);
        return;
      case 'user.deleted':
        hub.emit(LOGGED, 'Users:Deleted', [{ userId: event.userId }]);
        later(host.recheckSessions(event.userId), event);
        return;
      case 'user.sessions-revoked':
        later(host.recheckSessions(event.userId), event);
        return;
      case 'user.role-changed':
        hub.emit(LOGGED, 'roles-change', [
          {
            type: event.change,
            _id: event.roleId,
            u: { _id: event.userId, username: event.username },
            ...(event.scope !== null ? { scope: event.scope } : {}),
          },
        ]);
        // Connections keep the roles they logged in with until told: refresh them.
        if (event.scope === null) later(host.recheckSessions(event.userId), event);
        return;
      case 'permission.changed':
        hub.emit(LOGGED, 'permissions-changed', [
          'updated',
          { _id: event.permissionId, roles: [...event.roles], _updatedAt: ejsonDate(event.updatedAt) },
        ]);
        return;
      case 'setting.changed': {
        const { setting } = event;
        // Private settings are not streamed: admins read them through `settings` when they need them.
        if (!setting.public) return;
        hub.emit('stream-notify-all', 'public-settings-changed', [
          'updated',
          { _id: setting.id, value: setting.value, _updatedAt: ejsonDate(setting.updatedAt) },
        ]);
        return;
      }
    }
  }

  /** `<uid>/notification` for the members a new message is for: the other members of a DM, or those mentioned. */
  function notify(
    event: Extract<StoredEvent, { type: 'message.saved' }>,
    members: ReadonlySet<UserId>,
  ): void {
    const { message, room } = event;
    const mentioned = new Set(message.mentions.map((m) => m.username));
    const everyone = mentioned.has('all') || mentioned.has('here');
    for (const userId of members) {
      if (userId === message.u._id) continue;
      const connections = host.connectionsOf(userId);
      const username = [...connections][0]?.actor?.username;
      const forMe = room.t === 'd' || everyone || (username !== undefined && mentioned.has(username));
      if (!forMe) continue;
      const sender = {
        _id: message.u._id,
        username: message.u.username,
        ...(message.u.name ? { name: message.u.name } : {}),
      };
      hub.emit(USER, `${userId}/notification`, [
        {
          title: room.t === 'd' ? `@${message.u.username}` : `#${room.name ?? ''}`,
          text: room.t === 'd' ? message.msg : `@${message.u.username}: ${message.msg}`,
          payload: {
            _id: message.id,
            rid: room.id,
            ...(message.tmid !== null ? { tmid: message.tmid } : {}),
            sender,
            type: room.t,
            ...(room.name ? { name: room.name } : {}),
            message: { msg: message.msg },
          },
        },
      ]);
    }
  }

  function userStatus(change: UserStatusChange): void {
    const status = STATUS_NUMBER[change.status];
    hub.emit(LOGGED, 'user-status', [
      [change.userId, change.username, status, change.statusText, change.name, [...change.roles]],
    ]);
    hub.emit('stream-user-presence', change.userId, [[change.username, status, change.statusText]]);
  }

  return {
    events(events) {
      for (const event of events) {
        try {
          onEvent(event);
        } catch (error) {
          host.onError(error, { event: event.type, position: event.position });
        }
      }
    },
    signal(signal) {
      switch (signal.type) {
        case 'user-activity': {
          const { roomId, username, activities, extras, connectionId } = signal;
          const accept = (sub: StreamSub) => sub.connection.id !== connectionId && roomAccepts(roomId)(sub);
          hub.emit(ROOM, `${roomId}/user-activity`, [username, [...activities], { ...extras }], accept);
          hub.emit(ROOM, `${roomId}/typing`, [username, activities.includes('user-typing')], accept);
          return;
        }
        case 'user-status':
          for (const change of signal.statuses) userStatus(change);
          return;
        default:
          // Presence snapshots and login attempts have their own listeners.
          return;
      }
    },
  };
}
