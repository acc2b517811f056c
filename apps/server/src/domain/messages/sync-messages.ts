import type { DomainContext } from '../context.js';
import type { Page, Paged } from '../ports/store.js';
import { readableRoom } from '../rooms/room-access.js';
import type { Actor } from '../shared/actor.js';
import type { RoomId } from '../shared/ids.js';
import type { Message } from './message.js';

export interface MessageChanges {
  /** Live messages changed after the time, oldest change first. */
  readonly updated: readonly Message[];
  /** Tombstones of messages deleted after the time. */
  readonly deleted: readonly Message[];
}

/**
 * `chat.syncMessages` with `lastUpdate`: what a reconnecting client missed in a room. Both lists
 * are bounded by `page.count`; a client that gets a full page asks again from the last change.
 */
export async function syncMessages(
  ctx: DomainContext,
  actor: Actor,
  input: { readonly roomId: RoomId; readonly since: number; readonly count: number },
): Promise<MessageChanges> {
  const { room } = await readableRoom(ctx, actor, { roomId: input.roomId });
  const page = { offset: 0, count: input.count };
  const updated = await ctx.store.messages.updatedSince(room.id, input.since, page);
  const deleted = await ctx.store.messages.deletedSince(room.id, input.since, page);
  return { updated, deleted: deleted.items };
}

/** `chat.getDeletedMessages`: ids of the room's messages deleted after `since`, paged. */
export async function deletedMessages(
  ctx: DomainContext,
  actor: Actor,
  input: Page & { readonly roomId: RoomId; readonly since: number },
): Promise<Paged<Message>> {
  const { room } = await readableRoom(ctx, actor, { roomId: input.roomId });
  return ctx.store.messages.deletedSince(room.id, input.since, { offset: input.offset, count: input.count });
}
