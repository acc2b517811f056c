import type { DomainContext } from '../context.js';
import { emit, subscriptionsChanged } from '../events/emit.js';
import { postSystemMessage } from '../messages/system-messages.js';
import type { Actor } from '../shared/actor.js';
import type { UserId } from '../shared/ids.js';
import { subscribeWithoutPermissionCheck } from '../subscriptions/subscribe.js';
import { roomToManage } from './managed-room.js';
import type { RoomKey } from './room-access.js';
import type { Room } from './room.js';

const PAGE = 500;

/**
 * `channels.addAll`, `groups.addAll`: subscribes every active user to the room (`add-all-to-room`,
 * admins by default). Deactivated users are never added, whatever `activeUsersOnly` says: they
 * could not use the membership. Each newcomer gets a `uj` message, as Rocket.Chat's
 * `addAllUserToRoom` posts.
 */
export async function addAllUsersToRoom(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][],
): Promise<Room> {
  const { room } = await roomToManage(ctx, actor, { room: key, types, permission: 'add-all-to-room' });
  return ctx.store.transaction(async (tx) => {
    const now = ctx.clock.now();
    const joined: UserId[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await tx.users.list({ offset, count: PAGE, sort: { field: 'username', direction: 1 } });
      for (const user of page.items) {
        if (!user.active) continue;
        const { created } = await subscribeWithoutPermissionCheck(ctx, tx, { room, user, now });
        if (!created) continue;
        joined.push(user.id);
        await postSystemMessage(ctx, tx, { room, type: 'uj', actor: user, msg: user.username });
      }
      if (page.items.length < PAGE) break;
    }
    await emit(tx, now, subscriptionsChanged(room.id, joined, 'inserted'));
    return (await tx.rooms.byId(room.id)) ?? room;
  });
}
