import type { DomainContext } from '../context.js';
import { emit, messageSaved } from '../events/emit.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { MessageId } from '../shared/ids.js';
import { liveMessage, loadReadableMessage } from './message-access.js';

/**
 * `chat.starMessage` / `chat.unStarMessage`: the caller's private bookmark. Needs
 * `Message_AllowStarring` and membership of the room (Rocket.Chat ignores stars from non-members;
 * Parley says so).
 */
export async function setStarred(
  ctx: DomainContext,
  actor: Actor,
  input: { readonly messageId: MessageId; readonly starred: boolean },
): Promise<void> {
  if (!ctx.settings.bool('Message_AllowStarring'))
    throw ChatError.actionNotAllowed('Message starring not allowed', 'Message_starring');
  const { message, room, subscription } = await loadReadableMessage(ctx, actor, input.messageId);
  if (!subscription) throw ChatError.notAllowed('You must join the room to star its messages');

  await ctx.store.transaction(async (tx) => {
    const current = await liveMessage(tx, message.id);
    const has = current.starredBy.includes(actor.userId);
    if (has === input.starred) return;
    const starredBy = input.starred
      ? [...current.starredBy, actor.userId]
      : current.starredBy.filter((id) => id !== actor.userId);
    const now = ctx.clock.now();
    const updated = await tx.messages.update(current.id, { starredBy }, now);
    if (updated) await emit(tx, now, messageSaved(room, updated, false));
  });
}
