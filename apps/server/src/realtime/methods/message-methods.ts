import type { Actions } from '../../domain/actions.js';
import type { Message } from '../../domain/messages/message.js';
import type { HistoryQuery } from '../../domain/rooms/read-rooms.js';
import type { RoomKey } from '../../domain/rooms/room-access.js';
import type { Room } from '../../domain/rooms/room.js';
import type { Actor } from '../../domain/shared/actor.js';
import { ChatError } from '../../domain/shared/errors.js';
import type { MessageId, RoomId } from '../../domain/shared/ids.js';
import { ejsonDate, presentMessage } from '../../presenters/rooms.js';
import { MethodError } from '../ddp.js';
import { param, requireActor, type MethodDefinition } from './method.js';

const ALL_ROOM_TYPES: readonly Room['t'][] = ['c', 'p', 'd'];
const ID_MAX = 64;
const TEXT_MAX = 100_000;
const HISTORY_DEFAULT = 20;
const HISTORY_MAX = 100;
/**
 * `loadMissedMessages` answers at most this many, the newest. Rocket.Chat's has no bound; one
 * call for an old date in a long room would otherwise load the whole room at once. A client that
 * gets a full answer pages further back with `loadHistory` from the oldest message it got.
 */
const MISSED_MAX = 1_000;

/** One field of an object param, for the `param` readers: `param.string(field(m, 'rid'), 0, 'message.rid')`. */
export function field(object: Readonly<Record<string, unknown>>, key: string): readonly unknown[] {
  return [object[key]];
}

/** Rocket.Chat's `Meteor.Error('error-not-allowed', 'Not allowed')`, which these methods answer for any room they cannot show. */
function notAllowed(): MethodError {
  return new MethodError('error-not-allowed', 'Not allowed');
}

/** Bot-style attachments, bounded as `chat.sendMessage`'s schema bounds them. */
function attachmentsOf(value: unknown): Record<string, unknown>[] | undefined {
  if (value === undefined || value === null) return undefined;
  const valid =
    Array.isArray(value) &&
    value.length <= 20 &&
    value.every(
      (a) =>
        a !== null &&
        typeof a === 'object' &&
        !Array.isArray(a) &&
        Object.keys(a as object).length <= 50 &&
        Object.keys(a as object).every((k) => k.length <= 64),
    );
  if (!valid) throw MethodError.badParams('message.attachments must be at most 20 objects');
  return value as Record<string, unknown>[];
}

/** `loadHistory`'s `limit`: 20 when absent, at most 100. */
function historyLimit(raw: number | undefined): number {
  if (raw === undefined) return HISTORY_DEFAULT;
  if (raw < 0) throw MethodError.badParams('limit must not be negative');
  return Math.min(Math.max(1, Math.floor(raw)), HISTORY_MAX);
}

/** A readable room, or null where Rocket.Chat's methods would not reveal it. */
async function readableRoom(actions: Actions, actor: Actor, key: RoomKey): Promise<Room | null> {
  try {
    return (await actions.roomInfo(actor, key, ALL_ROOM_TYPES)).room;
  } catch (error) {
    if (error instanceof ChatError && error.code === 'error-room-not-found') return null;
    throw error;
  }
}

/**
 * Messages over DDP, each calling the same action as its REST twin (`chat.*`, `channels.history`,
 * `subscriptions.read`, `rooms.info`) and answering with EJSON dates. Results and quirks follow
 * Rocket.Chat's methods (`apps/meteor/app/lib/server/methods/*`, `server/methods/*`).
 */
export function messageMethods(actions: Actions): Record<string, MethodDefinition> {
  const present = (m: Message, actor: Actor) =>
    presentMessage(m, { viewerId: actor.userId, date: ejsonDate });

  return {
    /** `[{_id?, rid, msg, tmid?, tshow?, alias?, emoji?, avatar?, attachments?}]` → the message. */
    sendMessage: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const message = param.object(params, 0, 'message');
        const read = (key: string, max: number) =>
          param.optionalString(field(message, key), 0, `message.${key}`, max);
        const rid = param.string(field(message, 'rid'), 0, 'message.rid', ID_MAX);
        const id = read('_id', ID_MAX);
        const tmid = read('tmid', ID_MAX);
        const tshow = param.optionalBoolean(field(message, 'tshow'), 0, 'message.tshow');
        const alias = read('alias', 128);
        const emoji = read('emoji', 128);
        const avatar = read('avatar', 2048);
        const attachments = attachmentsOf(message.attachments);
        const sent = await actions.sendMessage(actor, {
          room: { roomId: rid as RoomId },
          msg: read('msg', TEXT_MAX) ?? '',
          ...(id !== undefined ? { id } : {}),
          ...(tmid !== undefined ? { tmid } : {}),
          ...(tshow !== undefined ? { tshow } : {}),
          ...(alias !== undefined ? { alias } : {}),
          ...(emoji !== undefined ? { emoji } : {}),
          ...(avatar !== undefined ? { avatar } : {}),
          ...(attachments !== undefined ? { attachments } : {}),
        });
        return present(sent, actor);
      },
    },

    /** `[{_id, rid?, msg}]` → nothing, as Rocket.Chat. Without `rid`, the message's own room. */
    updateMessage: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const message = param.object(params, 0, 'message');
        const msgId = param.string(field(message, '_id'), 0, 'message._id', ID_MAX) as MessageId;
        const text = param.string(field(message, 'msg'), 0, 'message.msg', TEXT_MAX);
        const rid =
          param.optionalString(field(message, 'rid'), 0, 'message.rid', ID_MAX) ??
          (await actions.getMessage(actor, msgId)).rid;
        await actions.updateMessage(actor, { roomId: rid as RoomId, msgId, text });
        return undefined;
      },
    },

    /** `[{_id}]` → nothing, as Rocket.Chat. */
    deleteMessage: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const message = param.object(params, 0, 'message');
        const msgId = param.string(field(message, '_id'), 0, 'message._id', ID_MAX) as MessageId;
        const { rid } = await actions.getMessage(actor, msgId);
        await actions.deleteMessage(actor, { roomId: rid, msgId });
        return undefined;
      },
    },

    /** `[emoji, messageId, shouldReact?]` → nothing; without `shouldReact` the reaction toggles. */
    setReaction: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const emoji = param.string(params, 0, 'reaction', 80);
        const messageId = param.string(params, 1, 'messageId', ID_MAX) as MessageId;
        const shouldReact = param.optionalBoolean(params, 2, 'shouldReact');
        await actions.reactToMessage(actor, {
          messageId,
          emoji,
          ...(shouldReact !== undefined ? { shouldReact } : {}),
        });
        return undefined;
      },
    },

    /**
     * `[rid, end?, limit = 20, ls?, showThreadMessages = true]` → `{messages, firstUnread?,
     * unreadNotLoaded}`: the `limit` messages older than `end` (all when null), newest first.
     * With `ls` (the caller's last-seen time), `unreadNotLoaded` counts the messages between `ls`
     * and the oldest one loaded, and `firstUnread` is the first of them (`loadMessageHistory.ts`).
     * A room that does not exist or may not be read answers `false`, as Rocket.Chat's does.
     */
    loadHistory: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const roomId = param.string(params, 0, 'rid', ID_MAX) as RoomId;
        const end = param.optionalDate(params, 1, 'end');
        const count = historyLimit(param.optionalNumber(params, 2, 'limit'));
        const ls = param.optionalDate(params, 3, 'ls');
        const showThreadMessages = param.optionalBoolean(params, 4, 'showThreadMessages') ?? true;
        const history = async (query: HistoryQuery) =>
          (await actions.roomHistory(actor, { roomId }, ALL_ROOM_TYPES, { showThreadMessages, ...query }))
            .messages;

        let page;
        try {
          page = await history({
            offset: 0,
            count,
            ...(end !== undefined ? { latest: end } : {}),
            countTotal: false,
          });
        } catch (error) {
          if (error instanceof ChatError && error.code === 'error-room-not-found') return false;
          throw error;
        }
        const messages = page.items;
        const oldestLoaded = messages.at(-1);
        let unreadNotLoaded = 0;
        let firstUnread: Message | undefined;
        if (ls !== undefined && oldestLoaded !== undefined && oldestLoaded.ts > ls) {
          const between = { oldest: ls, latest: oldestLoaded.ts };
          unreadNotLoaded = (await history({ ...between, offset: 0, count: 1, countTotal: true })).total;
          if (unreadNotLoaded > 0) {
            // The oldest of them, found by the index from its end (an OFFSET of the unread count
            // would walk every unread message again: 100,000 of them in a busy room).
            const first = await history({
              ...between,
              order: 'oldest',
              offset: 0,
              count: 1,
              countTotal: false,
            });
            firstUnread = first.items[0];
          }
        }
        return {
          messages: messages.map((m) => present(m, actor)),
          ...(firstUnread ? { firstUnread: present(firstUnread, actor) } : {}),
          unreadNotLoaded,
        };
      },
    },

    /**
     * `[rid, start]` → the room's messages after `start` (a date, exclusive), newest first, thread
     * replies included: what a client missed while disconnected. Rocket.Chat's mobile app calls
     * it for a room on reconnect (`server/methods/loadMissedMessages.ts`). An empty `rid` is
     * `error-invalid-room`; a room that does not exist or may not be read answers `false`, as
     * Rocket.Chat's does. At most `MISSED_MAX` messages, the newest (Rocket.Chat has no bound).
     */
    loadMissedMessages: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const roomId = param.string(params, 0, 'rid', ID_MAX) as RoomId;
        const start = param.optionalDate(params, 1, 'start');
        if (start === undefined) throw MethodError.badParams('start must be a date');
        if (roomId === '') throw new MethodError('error-invalid-room', 'Invalid room');
        try {
          const { messages } = await actions.roomHistory(actor, { roomId }, ALL_ROOM_TYPES, {
            offset: 0,
            count: MISSED_MAX,
            oldest: start,
            countTotal: false,
          });
          return messages.items.map((m) => present(m, actor));
        } catch (error) {
          if (error instanceof ChatError && error.code === 'error-room-not-found') return false;
          throw error;
        }
      },
    },

    /** `[rid, readThreads = false]` → nothing: the room is read (the DDP default keeps thread unreads, unlike REST). */
    readMessages: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const roomId = param.string(params, 0, 'rid', ID_MAX) as RoomId;
        const readThreads = param.optionalBoolean(params, 1, 'readThreads') ?? false;
        await actions.markRoomRead(actor, roomId, readThreads);
        return undefined;
      },
    },

    /**
     * `[nameOrId]` → the room's id: by id first, then by name (`getRoomIdByNameOrId.ts`). The
     * old SDK's `sendToRoom` and `joinRoom` start here. Unknown or unreadable: `error-not-allowed`.
     */
    getRoomIdByNameOrId: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const nameOrId = param.string(params, 0, 'rid', 256);
        const room =
          (await readableRoom(actions, actor, { roomId: nameOrId as RoomId })) ??
          (await readableRoom(actions, actor, { roomName: nameOrId }));
        if (!room) throw notAllowed();
        return room.id;
      },
    },

    /** `[rid]` → the room's name (nothing for a DM). Unknown or unreadable: `error-not-allowed`. */
    getRoomNameById: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const roomId = param.string(params, 0, 'rid', ID_MAX) as RoomId;
        const room = await readableRoom(actions, actor, { roomId });
        if (!room) throw notAllowed();
        return room.name ?? undefined;
      },
    },
  };
}
