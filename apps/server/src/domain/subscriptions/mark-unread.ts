import type { DomainContext } from '../context.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { MessageId, RoomId } from '../shared/ids.js';
import type { Subscription } from './subscription.js';
import { updateOwnSubscription } from './update-subscription.js';

/** Where unread starts: a given message, or the room's newest message. */
export type UnreadFrom = { readonly roomId: RoomId } | { readonly messageId: MessageId };

/**
 * `subscriptions.unread`: the caller marks the room unread from a message on: last seen moves to
 * just before it, `unread` is recounted and `alert` set, as Rocket.Chat's `unreadMessages` does.
 * One's own message cannot be the first unread (`error-action-not-allowed`); a room without
 * messages gives `error-no-message-for-unread`. Rooms and messages the caller is not in are not found.
 */
export async function markRoomUnread(
  ctx: DomainContext,
  actor: Actor,
  from: UnreadFrom,
): Promise<Subscription> {
  const { subscription, ts } =
    'messageId' in from
      ? await fromMessage(ctx, actor, from.messageId)
      : await fromNewest(ctx, actor, from.roomId);
  const ls = ts - 1;
  const unread = await ctx.store.messages.countAfter(subscription.roomId, ls, actor.userId);
  return updateOwnSubscription(ctx, subscription, { ls, unread, alert: true, open: true });
}

async function fromMessage(
  ctx: DomainContext,
  actor: Actor,
  messageId: MessageId,
): Promise<{ subscription: Subscription; ts: number }> {
  const message = await ctx.store.messages.byId(messageId);
  if (!message || message.deletedAt !== null) throw ChatError.messageNotFound();
  const subscription = await ctx.store.subscriptions.byRoomAndUser(message.rid, actor.userId);
  if (!subscription) throw ChatError.messageNotFound();
  if (message.u._id === actor.userId) throw ChatError.actionNotAllowed('Not allowed', 'Unread_messages');
  return { subscription, ts: message.ts };
}

async function fromNewest(
  ctx: DomainContext,
  actor: Actor,
  roomId: RoomId,
): Promise<{ subscription: Subscription; ts: number }> {
  const subscription = await ctx.store.subscriptions.byRoomAndUser(roomId, actor.userId);
  if (!subscription) throw ChatError.roomNotFound();
  const newest = await ctx.store.messages.find({ roomId, offset: 0, count: 1, order: 'newest' });
  const message = newest.items[0];
  if (!message)
    throw ChatError.invalid('error-no-message-for-unread', 'There are no messages to mark unread');
  return { subscription, ts: message.ts };
}
