import type { DomainContext } from '../context.js';
import type { Message } from '../messages/message.js';
import type { MessageId, RoomId } from '../shared/ids.js';
import type { Room } from './room.js';

/**
 * The last message of each room, in one query, for room lists (`rooms.get`, `channels.list`,
 * `im.list` …) whose items Rocket.Chat clients show with a preview. Callers pass only rooms the
 * actor may read.
 */
export async function lastMessagesOf(
  ctx: DomainContext,
  rooms: readonly Room[],
): Promise<ReadonlyMap<RoomId, Message>> {
  const ids = rooms.map((r) => r.lastMessageId).filter((id): id is MessageId => id !== null);
  const messages = await ctx.store.messages.byIds(ids);
  return new Map(messages.filter((m) => m.deletedAt === null).map((m) => [m.rid, m]));
}
