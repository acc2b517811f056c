import type { DomainContext } from '../context.js';
import { emit, messageSaved } from '../events/emit.js';
import type { Tx } from '../ports/store.js';
import type { Room } from '../rooms/room.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { MessageId } from '../shared/ids.js';
import { actorRef, liveMessage, loadReadableMessage, type MessageView } from './message-access.js';
import { newMessage, type Message, type UserRef } from './message.js';
import { quoteOf } from './quotes.js';

/**
 * `chat.pinMessage`: marks the message pinned and, as Rocket.Chat does, posts a `message_pinned`
 * system message quoting it. Returns that system message, which is what Rocket.Chat's route
 * answers with. Needs `Message_AllowPinning`, membership and `pin-message` in the room.
 */
export async function pinMessage(ctx: DomainContext, actor: Actor, messageId: MessageId): Promise<Message> {
  const { message, room } = await mayPin(ctx, actor, messageId);
  return ctx.store.transaction(async (tx) => {
    const current = await liveMessage(tx, message.id);
    const me = await actorRef(tx, actor);
    const now = ctx.clock.now();
    const pinned = await tx.messages.update(
      current.id,
      { pinned: true, pinnedAt: now, pinnedBy: { _id: me._id, username: me.username } },
      now,
    );
    if (pinned) await emit(tx, now, messageSaved(room, pinned, false));
    return postPinnedNotice(ctx, tx, { room, pinned: current, actor: me, now });
  });
}

/** `chat.unPinMessage`: the same rules as pinning. */
export async function unpinMessage(ctx: DomainContext, actor: Actor, messageId: MessageId): Promise<void> {
  const { message, room } = await mayPin(ctx, actor, messageId);
  await ctx.store.transaction(async (tx) => {
    const current = await liveMessage(tx, message.id);
    if (!current.pinned) return;
    const now = ctx.clock.now();
    const unpinned = await tx.messages.update(
      current.id,
      { pinned: false, pinnedAt: null, pinnedBy: null },
      now,
    );
    if (unpinned) await emit(tx, now, messageSaved(room, unpinned, false));
  });
}

async function mayPin(ctx: DomainContext, actor: Actor, messageId: MessageId): Promise<MessageView> {
  if (!ctx.settings.bool('Message_AllowPinning'))
    throw ChatError.actionNotAllowed('Message pinning not allowed', 'Message_pinning');
  const view = await loadReadableMessage(ctx, actor, messageId);
  // Rocket.Chat: "a valid message in a room the user is not subscribed to" is reported as not found.
  if (!view.subscription) throw ChatError.messageNotFound();
  if (view.room.archived) throw ChatError.roomArchived();
  await ctx.authz.require(actor, 'pin-message', view.room.id);
  return view;
}

/** The `message_pinned` notice, quoting the pinned message. Call inside `store.transaction`. */
async function postPinnedNotice(
  ctx: DomainContext,
  tx: Tx,
  options: { room: Room; pinned: Message; actor: UserRef; now: number },
): Promise<Message> {
  const { room, pinned, actor, now } = options;
  const notice = newMessage({
    id: ctx.ids.next() as MessageId,
    rid: room.id,
    t: 'message_pinned',
    u: actor,
    ts: now,
    attachments: [quoteOf(pinned)],
  });
  await tx.messages.insert(notice);
  await tx.rooms.recordMessage(room.id, notice.id, now);
  await emit(tx, now, messageSaved(room, notice, true));
  return notice;
}
