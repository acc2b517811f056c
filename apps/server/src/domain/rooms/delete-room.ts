import type { DomainContext } from '../context.js';
import { emit } from '../events/emit.js';
import { toRoom } from '../events/events.js';
import type { Actor } from '../shared/actor.js';
import { roomToManage } from './managed-room.js';
import type { RoomKey } from './room-access.js';
import type { Room } from './room.js';

/**
 * `channels.delete`, `groups.delete`: needs `delete-c` or `delete-p` in the room (owners hold
 * them). Archived rooms may be deleted. Removes the messages, every membership (recorded as removed,
 * so `subscriptions.get` and `rooms.get` report it to the members' other devices) and the room.
 */
export async function deleteRoom(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][],
): Promise<void> {
  const { room } = await roomToManage(ctx, actor, {
    room: key,
    types,
    permission: (r) => `delete-${r.t}`,
    allowArchived: true,
  });
  await ctx.store.transaction(async (tx) => {
    const now = ctx.clock.now();
    const memberIds = (await tx.subscriptions.ofRoom(room.id)).map((s) => s.userId);
    await tx.messages.deleteAllOfRoom(room.id);
    await tx.subscriptions.deleteAllOfRoom(room.id, now);
    await tx.rooms.delete(room.id);
    await emit(tx, now, { type: 'room.deleted', audience: toRoom(room.id), roomId: room.id, memberIds });
  });
}
