import type { DomainContext } from '../context.js';
import { emit, roomSaved, subscriptionsChanged } from '../events/emit.js';
import { postSystemMessage } from '../messages/system-messages.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import { actingUser, roomNoun, roomToManage } from './managed-room.js';
import type { RoomKey } from './room-access.js';
import type { Room } from './room.js';

/**
 * `channels.archive`, `groups.archive`: needs `archive-room` (owners hold it). The room then
 * refuses writes (`error-room-archived`); every membership is marked archived and closed, as
 * Rocket.Chat's `Subscriptions.archiveByRoomId` does. Posts `room-archived`.
 */
export async function archiveRoom(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][],
): Promise<void> {
  await setArchived(ctx, actor, { key, types, archived: true });
}

/**
 * `channels.unarchive`, `groups.unarchive`: needs `unarchive-room` (admins only by default).
 * Memberships are reopened. Posts `room-unarchived`.
 */
export async function unarchiveRoom(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][],
): Promise<void> {
  await setArchived(ctx, actor, { key, types, archived: false });
}

async function setArchived(
  ctx: DomainContext,
  actor: Actor,
  input: { key: RoomKey; types: readonly Room['t'][]; archived: boolean },
): Promise<void> {
  const { archived } = input;
  const { room } = await roomToManage(ctx, actor, {
    room: input.key,
    types: input.types,
    permission: archived ? 'archive-room' : 'unarchive-room',
    allowArchived: true,
  });
  if (room.archived === archived) {
    throw archived
      ? ChatError.invalid('error-room-archived', `The ${roomNoun(room)}, ${room.name}, is already archived`)
      : ChatError.invalid('error-room-not-archived', `The ${roomNoun(room)}, ${room.name}, is not archived`);
  }
  await ctx.store.transaction(async (tx) => {
    const now = ctx.clock.now();
    const updated = (await tx.rooms.update(room.id, { archived }, now)) ?? { ...room, archived };
    await tx.subscriptions.updateAllOfRoom(room.id, { archived, open: !archived, alert: false }, now);
    await emit(tx, now, roomSaved(updated), subscriptionsChanged(room.id, null, 'updated'));
    await postSystemMessage(ctx, tx, {
      room,
      type: archived ? 'room-archived' : 'room-unarchived',
      actor: await actingUser(tx, actor),
      msg: '',
    });
  });
}
