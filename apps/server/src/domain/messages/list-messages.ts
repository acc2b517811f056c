import type { DomainContext } from '../context.js';
import type { MessageQuery, Page, Paged } from '../ports/store.js';
import { readableRoom } from '../rooms/room-access.js';
import type { Actor } from '../shared/actor.js';
import type { RoomId } from '../shared/ids.js';
import type { Message } from './message.js';

export interface MessageListInput extends Page {
  readonly roomId: RoomId;
  /** Newest first unless asked otherwise (`sort={"ts":1}`). */
  readonly order?: 'newest' | 'oldest';
}

/** `chat.getPinnedMessages`: the room's pinned messages. */
export async function pinnedMessages(
  ctx: DomainContext,
  actor: Actor,
  input: MessageListInput,
): Promise<Paged<Message>> {
  return listInRoom(ctx, actor, input, { pinned: true });
}

/** `chat.getStarredMessages`: the messages of the room the caller starred. */
export async function starredMessages(
  ctx: DomainContext,
  actor: Actor,
  input: MessageListInput,
): Promise<Paged<Message>> {
  return listInRoom(ctx, actor, input, { starredBy: actor.userId });
}

/** `chat.getMentionedMessages`: the messages of the room that mention the caller by name. */
export async function mentionedMessages(
  ctx: DomainContext,
  actor: Actor,
  input: MessageListInput,
): Promise<Paged<Message>> {
  return listInRoom(ctx, actor, input, { mentions: actor.userId });
}

async function listInRoom(
  ctx: DomainContext,
  actor: Actor,
  input: MessageListInput,
  filter: Pick<MessageQuery, 'pinned' | 'starredBy' | 'mentions'>,
): Promise<Paged<Message>> {
  const { room } = await readableRoom(ctx, actor, { roomId: input.roomId });
  return ctx.store.messages.find({
    roomId: room.id,
    offset: input.offset,
    count: input.count,
    order: input.order ?? 'newest',
    ...filter,
  });
}
