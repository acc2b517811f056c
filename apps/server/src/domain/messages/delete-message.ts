import type { DomainContext } from '../context.js';
import { emit, messageDeleted, messageSaved } from '../events/emit.js';
import type { Tx } from '../ports/store.js';
import type { Room } from '../rooms/room.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { MessageId, RoomId } from '../shared/ids.js';
import { liveMessage, loadReadableMessageInRoom, pastTimeLimit } from './message-access.js';
import type { Message } from './message.js';

export interface DeleteMessageInput {
  readonly roomId: RoomId;
  readonly msgId: MessageId;
  /** Rocket.Chat's flag for "delete as the author": someone else's message then needs `force-delete-message`. */
  readonly asUser?: boolean;
}

/**
 * `chat.delete`, with Rocket.Chat's rule (`deleteMessage`): `delete-message` (moderators, owners,
 * admins) deletes anyone's message; `delete-own-message` deletes one's own while
 * `Message_AllowDeleting` is on; `force-delete-message` overrides both and the time limit.
 * The message stays as an emptied tombstone so that `chat.syncMessages` can report the removal.
 * A deleted thread reply no longer counts in its parent's `tcount`.
 */
export async function deleteMessage(
  ctx: DomainContext,
  actor: Actor,
  input: DeleteMessageInput,
): Promise<{ message: Message; deletedAt: number }> {
  const { message, room } = await loadReadableMessageInRoom(ctx, actor, input);
  if (room.archived) throw ChatError.roomArchived();
  const own = message.u._id === actor.userId;
  const force = await ctx.authz.hasPermission(actor, 'force-delete-message', room.id);
  if (input.asUser === true && !own && !force)
    throw ChatError.notAllowed('Unauthorized to delete message of other user');

  if (!force) {
    const moderator = await ctx.authz.hasPermission(actor, 'delete-message', room.id);
    if (!moderator) {
      if (!own || !(await ctx.authz.hasPermission(actor, 'delete-own-message', room.id)))
        throw ChatError.unauthorized();
      if (!ctx.settings.bool('Message_AllowDeleting'))
        throw ChatError.actionNotAllowed('Message deleting not allowed', 'Delete_message');
    }
    const minutes = ctx.settings.int('Message_AllowDeleting_BlockDeleteInMinutes');
    if (await pastTimeLimit(ctx, actor, { room, ts: message.ts, minutes }))
      throw ChatError.invalid('error-message-deleting-blocked', 'Message deleting is blocked');
  }

  return ctx.store.transaction(async (tx) => {
    const current = await liveMessage(tx, message.id);
    const now = ctx.clock.now();
    const tombstone = await tx.messages.update(
      current.id,
      {
        msg: '',
        md: [],
        mentions: [],
        channels: [],
        attachments: [],
        reactions: {},
        pinned: false,
        pinnedAt: null,
        pinnedBy: null,
        starredBy: [],
        deletedAt: now,
      },
      now,
    );
    if (!tombstone) throw ChatError.messageNotFound();
    await emit(tx, now, messageDeleted(current));
    if (current.tmid !== null) await uncountReply(tx, { room, parentId: current.tmid, now });
    if (room.lastMessageId === current.id) {
      // The room's preview falls back to the newest message still there.
      const { items } = await tx.messages.find({
        roomId: room.id,
        offset: 0,
        count: 1,
        hideThreadReplies: true,
      });
      const previous = items[0];
      await tx.rooms.setLastMessage(room.id, previous ? { id: previous.id, ts: previous.ts } : null, now);
    }
    return { message: tombstone, deletedAt: now };
  });
}

/** The parent stops counting a deleted reply. */
async function uncountReply(
  tx: Tx,
  options: { room: Room; parentId: MessageId; now: number },
): Promise<void> {
  const { room, now } = options;
  const parent = await tx.messages.byId(options.parentId);
  if (!parent || parent.deletedAt !== null || parent.tcount === 0) return;
  const updated = await tx.messages.update(parent.id, { tcount: parent.tcount - 1 }, now);
  if (updated) await emit(tx, now, messageSaved(room, updated, false));
}
