import type { DomainContext } from '../context.js';
import { emit, messageSaved } from '../events/emit.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { MessageId, RoomId } from '../shared/ids.js';
import {
  actorRef,
  ensureMayActInRoom,
  liveMessage,
  loadReadableMessageInRoom,
  pastTimeLimit,
} from './message-access.js';
import type { Message } from './message.js';
import { parseMessageText } from './parse-message.js';

export interface UpdateMessageInput {
  readonly roomId: RoomId;
  readonly msgId: MessageId;
  readonly text: string;
}

/**
 * `chat.update`: Rocket.Chat's rule (`canEditMessageAsync`) — `edit-message` (global or through a
 * room role) edits anyone's message; without it a user edits only their own, and only while
 * `Message_AllowEditing` is on. `Message_AllowEditing_BlockEditInMinutes` closes the window,
 * except for holders of `bypass-time-limit-edit-and-delete`. The text is parsed again.
 */
export async function updateMessage(
  ctx: DomainContext,
  actor: Actor,
  input: UpdateMessageInput,
): Promise<Message> {
  const max = ctx.settings.int('Message_MaxAllowedSize');
  if ([...input.text].length > max)
    throw ChatError.invalid('error-message-size-exceeded', `Message size exceeds ${max} characters`);

  const { message, room } = await loadReadableMessageInRoom(ctx, actor, input);
  if (message.t !== null)
    throw ChatError.actionNotAllowed('System messages cannot be edited', 'Message_editing');
  await ensureMayActInRoom(ctx, actor, room, 'post-readonly');

  const own = message.u._id === actor.userId;
  if (!(await ctx.authz.hasPermission(actor, 'edit-message', room.id))) {
    if (!own) throw ChatError.unauthorized();
    if (!ctx.settings.bool('Message_AllowEditing'))
      throw ChatError.actionNotAllowed('Message editing not allowed', 'Message_editing');
  }
  const minutes = ctx.settings.int('Message_AllowEditing_BlockEditInMinutes');
  if (await pastTimeLimit(ctx, actor, { room, ts: message.ts, minutes }))
    throw ChatError.invalid('error-message-editing-blocked', 'Message editing is blocked');
  if (input.text.trim() === '' && message.attachments.length === 0)
    throw ChatError.invalid('error-invalid-msg', 'The message must not be empty');

  return ctx.store.transaction(async (tx) => {
    const current = await liveMessage(tx, message.id);
    const parsed = await parseMessageText(tx, input.text);
    const editor = await actorRef(tx, actor);
    const now = ctx.clock.now();
    const updated = await tx.messages.update(
      current.id,
      {
        msg: input.text,
        md: parsed.md,
        mentions: parsed.mentions,
        channels: parsed.channels,
        editedAt: now,
        editedBy: { _id: editor._id, username: editor.username },
      },
      now,
    );
    if (!updated) throw ChatError.messageNotFound();
    await emit(tx, now, messageSaved(room, updated, false));
    return updated;
  });
}
