import type { Actor } from '../domain/shared/actor.js';
import type { RoomId, UserId } from '../domain/shared/ids.js';
import type { LiveReads } from '../domain/subscriptions/live-reads.js';
import { MethodError } from './ddp.js';
import type { StreamSub } from './hub.js';

export const MY_MESSAGES = '__my_messages__';

/** Events a client may listen to on `stream-notify-room`; Parley sends the first five. */
const ROOM_EVENTS = new Set([
  'user-activity',
  'typing',
  'deleteMessage',
  'deleteMessageBulk',
  'messagesRead',
  'videoconf',
  'e2e.keyRequest',
  'messagesImported',
]);

const notAllowed = () => new MethodError('not-allowed', 'Not allowed');

/** What a `sub` may become: the room it reads, if any, once access has been checked. */
export type Grant = Pick<StreamSub, 'room'>;

/**
 * The read rules of each stream, checked once at `sub` time; delivery re-checks membership for
 * room streams (see `Hub`). Refusals become `nosub` with the error.
 */
export async function authorizeStream(
  live: LiveReads,
  actor: Actor | null,
  stream: string,
  eventName: string,
  knownMember: (userId: UserId, roomId: RoomId) => boolean = () => false,
): Promise<Grant> {
  const room = async (roomId: string): Promise<Grant> => {
    if (!actor) throw notAllowed();
    // Members read their rooms: a client subscribing to each of its rooms after login (dozens of
    // subs, thousands of clients after a restart) costs no query per sub.
    if (knownMember(actor.userId, roomId as RoomId))
      return { room: { id: roomId as RoomId, needsMembership: true } };
    try {
      const access = await live.roomAccess(actor, roomId as RoomId);
      return { room: { id: access.room.id, needsMembership: access.member || access.room.t !== 'c' } };
    } catch {
      throw notAllowed();
    }
  };
  switch (stream) {
    case 'stream-room-messages':
      if (eventName === MY_MESSAGES) {
        if (!actor) throw notAllowed();
        return { room: null };
      }
      return room(eventName);
    case 'stream-notify-room': {
      const slash = eventName.lastIndexOf('/');
      if (slash <= 0 || !ROOM_EVENTS.has(eventName.slice(slash + 1))) throw notAllowed();
      return room(eventName.slice(0, slash));
    }
    case 'stream-notify-user': {
      const slash = eventName.indexOf('/');
      if (!actor || slash <= 0 || eventName.slice(0, slash) !== actor.userId) throw notAllowed();
      return { room: null };
    }
    case 'stream-notify-logged':
    case 'stream-user-presence':
      if (!actor) throw notAllowed();
      return { room: null };
    case 'stream-notify-all':
      return { room: null };
    default:
      throw new MethodError(404, `Subscription '${stream}' not found`);
  }
}
