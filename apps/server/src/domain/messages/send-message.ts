import type { DomainContext } from '../context.js';
import { emit, messageSaved, subscriptionsChanged } from '../events/emit.js';
import { UniqueViolation, type Tx } from '../ports/store.js';
import { ensureNotArchived, readableRoom, type RoomKey } from '../rooms/room-access.js';
import type { Room } from '../rooms/room.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { MessageId, UserId } from '../shared/ids.js';
import type { Subscription } from '../subscriptions/subscription.js';
import { newMessage, type Message } from './message.js';
import { parseMessageText } from './parse-message.js';
import { quoteAttachments } from './quotes.js';

export interface SendMessageInput {
  readonly room: RoomKey;
  /** A client-chosen id (Rocket.Chat clients send one for optimistic display). */
  readonly id?: string;
  readonly msg: string;
  readonly tmid?: string;
  readonly tshow?: boolean;
  readonly alias?: string;
  readonly emoji?: string;
  readonly avatar?: string;
  readonly attachments?: readonly Record<string, unknown>[];
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `chat.sendMessage` and `chat.postMessage`: posts into a room the actor may write in. Parses
 * `md`, resolves mentions, updates the thread parent, and moves every other member's unread state.
 * Permalinks to readable messages become quote attachments (`quotes.ts`).
 */
export async function sendMessage(
  ctx: DomainContext,
  actor: Actor,
  input: SendMessageInput,
): Promise<Message> {
  const text = input.msg;
  const max = ctx.settings.int('Message_MaxAllowedSize');
  if ([...text].length > max)
    throw ChatError.invalid('error-message-size-exceeded', `Message size exceeds ${max} characters`);
  if (text.trim() === '' && (input.attachments ?? []).length === 0) {
    throw ChatError.invalid('error-invalid-msg', 'The message must not be empty');
  }
  if (input.id !== undefined && !ID_PATTERN.test(input.id))
    throw ChatError.invalidParams('_id must be 1 to 64 letters, digits, - or _');

  const message = await ctx.store.transaction(async (tx) => {
    // One read for the room and the caller's membership; the authorizer's room-role lookups run
    // on this transaction too.
    const { room, subscription } = await readableRoom(ctx, actor, input.room, tx);
    const may = async (permission: string, needed: boolean) =>
      needed && (await ctx.authz.hasPermission(actor, permission, room.id));
    const mayPostReadOnly = await may('post-readonly', room.readOnly);
    const mayMentionAll = await may('mention-all', text.includes('@all'));
    const mayMentionHere = await may('mention-here', text.includes('@here'));
    // Posting under another name or picture is for bots and apps (Rocket.Chat's rule).
    if (
      (input.alias !== undefined || input.avatar !== undefined) &&
      !(await may('message-impersonate', true))
    ) {
      throw ChatError.invalid('error-not-allowed', 'Not enough permission to set alias or avatar', {
        method: 'sendMessage',
      });
    }
    ensureMayPost(actor, room, subscription, mayPostReadOnly);
    // The author and, in a DM, its members: one small read.
    const people = await tx.users.identities(room.t === 'd' ? [actor.userId, ...room.uids] : [actor.userId]);
    if (room.t === 'd' && people.some((member) => !member.active)) {
      // A DM with a deactivated user is read-only, as Rocket.Chat makes it.
      throw ChatError.invalid(
        'error-room-read-only',
        'This direct message is read only: a member is deactivated',
      );
    }
    const author = people.find((person) => person.id === actor.userId);
    if (!author) throw ChatError.notLoggedIn();

    const parent =
      input.tmid === undefined ? null : await threadParent(ctx, tx, room, input.tmid as MessageId);
    const parsed = await parseMessageText(tx, text);
    const quotes = await quoteAttachments(ctx, tx, actor, text);
    const groupMention =
      parsed.groupMention !== null && (parsed.groupMention === 'all' ? mayMentionAll : mayMentionHere);

    const now = ctx.clock.now();
    const message = newMessage({
      id: (input.id ?? ctx.ids.next()) as MessageId,
      rid: room.id,
      msg: text,
      u: { _id: author.id, username: author.username, name: author.name },
      ts: now,
      tmid: parent?.id ?? null,
      tshow: parent !== null && input.tshow === true,
      mentions: parsed.mentions,
      channels: parsed.channels,
      md: parsed.md,
      attachments: [...(input.attachments ?? []), ...quotes],
      alias: input.alias ?? null,
      emoji: input.emoji ?? null,
      avatar: input.avatar ?? null,
    });
    try {
      await tx.messages.insert(message);
    } catch (error) {
      if (error instanceof UniqueViolation)
        throw ChatError.invalid('error-duplicate-message-id', 'A message with this _id already exists');
      throw error;
    }
    await tx.rooms.recordMessage(room.id, message.id, now);
    await emit(tx, now, messageSaved(room, message, true));

    const mentionedIds = parsed.mentions
      .filter((m) => m._id !== 'all' && m._id !== 'here')
      .map((m) => m._id as UserId);
    const countsInRoom = parent === null || message.tshow;
    if (countsInRoom) {
      await tx.subscriptions.countNewMessage({
        roomId: room.id,
        authorId: author.id,
        mentioned: mentionedIds,
        groupMention,
        updatedAt: now,
      });
    }
    const followers =
      parent === null
        ? []
        : await recordThreadReply(tx, {
            room,
            parent,
            reply: message,
            mentioned: mentionedIds,
            groupMention,
            now,
          });
    if (subscription) await tx.subscriptions.update(subscription.id, { lr: now, ls: now, open: true }, now);
    // Every member's unread state moved when the room counts the message; else only the followers'.
    const changed = countsInRoom ? null : [...followers, ...(subscription ? [subscription.userId] : [])];
    await emit(tx, now, subscriptionsChanged(room.id, changed, 'updated'));
    return message;
  });
  return message;
}

/** Read-only rooms take posts only from holders of `post-readonly`; muted users never post. */
function ensureMayPost(
  actor: Actor,
  room: Room,
  subscription: Subscription | null,
  mayPostReadOnly: boolean,
): void {
  ensureNotArchived(room);
  if (!subscription) {
    // Rocket.Chat lets bots and admins post to public channels they have not joined only through
    // `chat.postMessage` after joining; Parley asks for membership everywhere.
    throw ChatError.notAllowed('You must join the room before posting');
  }
  if (room.muted.includes(actor.username))
    throw ChatError.invalid('error-user-muted', 'You have been muted in this room');
  if (room.readOnly && !mayPostReadOnly) {
    throw ChatError.invalid('error-room-read-only', 'This room is read only');
  }
}

/** The message a reply belongs to; a reply to a reply joins the original thread, as in Rocket.Chat. */
async function threadParent(ctx: DomainContext, tx: Tx, room: Room, tmid: MessageId): Promise<Message> {
  if (!ctx.settings.bool('Threads_enabled')) throw ChatError.notAllowed('Threads are disabled');
  const parent = await tx.messages.byId(tmid);
  if (!parent || parent.deletedAt !== null || parent.rid !== room.id) {
    throw ChatError.invalid('error-invalid-message', 'The thread parent does not exist in this room');
  }
  if (parent.tmid !== null) {
    // Threads stay flat: a reply to a reply joins the root's thread, and a deleted root ends it.
    const root = await tx.messages.byId(parent.tmid);
    if (!root || root.deletedAt !== null)
      throw ChatError.invalid('error-invalid-message', 'This thread was deleted');
    return root;
  }
  return parent;
}

/**
 * A reply: the parent counts it (`tcount`, `tlm`), author and parent's author follow the thread
 * (`replies`), and every other follower gets the thread in `tunread` (and `tunreadUser` or
 * `tunreadGroup` when mentioned). Returns the followers whose subscriptions changed.
 */
async function recordThreadReply(
  tx: Tx,
  options: {
    room: Room;
    parent: Message;
    reply: Message;
    mentioned: readonly UserId[];
    groupMention: boolean;
    now: number;
  },
): Promise<UserId[]> {
  const { parent, reply, now } = options;
  const followers = [...new Set([...parent.replies, parent.u._id as UserId, reply.u._id as UserId])];
  const counted = await tx.messages.update(
    parent.id,
    { tcount: parent.tcount + 1, tlm: now, replies: followers },
    parent.updatedAt > now ? parent.updatedAt : now,
  );
  if (counted) await emit(tx, now, messageSaved(options.room, counted, false));
  const changed: UserId[] = [];
  for (const userId of followers) {
    if (userId === reply.u._id) continue;
    const subscription = await tx.subscriptions.byRoomAndUser(parent.rid, userId);
    if (!subscription) continue;
    changed.push(userId);
    const add = (list: readonly MessageId[]) => (list.includes(parent.id) ? list : [...list, parent.id]);
    await tx.subscriptions.update(
      subscription.id,
      {
        tunread: add(subscription.tunread),
        ...(options.mentioned.includes(userId) ? { tunreadUser: add(subscription.tunreadUser) } : {}),
        ...(options.groupMention ? { tunreadGroup: add(subscription.tunreadGroup) } : {}),
      },
      now,
    );
  }
  return changed;
}
