import type { DomainContext } from '../context.js';
import { emit, messageSaved } from '../events/emit.js';
import type { Tx } from '../ports/store.js';
import type { Room } from '../rooms/room.js';
import type { MessageId } from '../shared/ids.js';
import type { User } from '../users/user.js';
import { newMessage, type Message } from './message.js';

/**
 * Rocket.Chat's system message types that Parley posts: `uj` joined, `ul` left, `au` added by,
 * `ru` removed by, `r` renamed, `room_changed_*`, `subscription-role-added`/`-removed`, and so on.
 */
export type SystemMessageType =
  | 'uj'
  | 'ul'
  | 'au'
  | 'ru'
  | 'r'
  | 'ujt'
  | 'room_changed_topic'
  | 'room_changed_announcement'
  | 'room_changed_description'
  | 'room_changed_privacy'
  | 'room-archived'
  | 'room-unarchived'
  | 'room-set-read-only'
  | 'room-removed-read-only'
  | 'subscription-role-added'
  | 'subscription-role-removed'
  | 'user-muted'
  | 'user-unmuted';

/**
 * Posts a system message into `room` as `actor`, counted in the room's `msgs` as Rocket.Chat
 * counts them. `msg` carries the subject (a username, the new topic). Call inside `store.transaction`.
 */
export async function postSystemMessage(
  ctx: DomainContext,
  tx: Tx,
  options: {
    room: Room;
    type: SystemMessageType;
    actor: Pick<User, 'id' | 'username' | 'name'>;
    msg: string;
    extra?: Record<string, unknown>;
  },
): Promise<Message> {
  const now = ctx.clock.now();
  const message = newMessage({
    id: ctx.ids.next() as MessageId,
    rid: options.room.id,
    msg: options.msg,
    t: options.type,
    u: { _id: options.actor.id, username: options.actor.username, name: options.actor.name },
    ts: now,
    extra: options.extra ?? {},
  });
  await tx.messages.insert(message);
  await tx.rooms.recordMessage(options.room.id, message.id, now);
  await emit(tx, now, messageSaved(options.room, message, true));
  return message;
}
