import type { DomainContext } from '../context.js';
import { emit, roomSaved } from '../events/emit.js';
import { postSystemMessage } from '../messages/system-messages.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserKey } from './membership.js';
import { actingUser, roomToManage } from './managed-room.js';
import type { RoomKey } from './room-access.js';
import type { Room } from './room.js';

/**
 * `rooms.muteUser` / `rooms.unmuteUser`: a muted member can read but not post. Needs `mute-user`
 * (owners and moderators hold it through their room role). Posts `user-muted` / `user-unmuted`.
 */
export async function setUserMuted(
  ctx: DomainContext,
  actor: Actor,
  input: { room: RoomKey; user: UserKey; muted: boolean },
): Promise<Room> {
  const { room } = await roomToManage(ctx, actor, {
    room: input.room,
    types: ['c', 'p'],
    permission: 'mute-user',
  });
  return ctx.store.transaction(async (tx) => {
    const target =
      'userId' in input.user
        ? await tx.users.byId(input.user.userId)
        : await tx.users.byUsername(input.user.username);
    if (!target) throw ChatError.userNotFound();
    if (!(await tx.subscriptions.byRoomAndUser(room.id, target.id))) {
      throw ChatError.invalid('error-user-not-in-room', 'User is not in this room');
    }
    const isMuted = room.muted.includes(target.username);
    if (isMuted === input.muted) {
      throw ChatError.invalid(
        input.muted ? 'error-user-already-muted' : 'error-user-not-muted',
        input.muted ? 'User is already muted' : 'User is not muted',
      );
    }
    const muted = input.muted
      ? [...room.muted, target.username]
      : room.muted.filter((u) => u !== target.username);
    const now = ctx.clock.now();
    const updated = await tx.rooms.update(room.id, { muted }, now);
    if (updated) await emit(tx, now, roomSaved(updated));
    await postSystemMessage(ctx, tx, {
      room,
      type: input.muted ? 'user-muted' : 'user-unmuted',
      actor: await actingUser(tx, actor),
      msg: target.username,
    });
    return updated ?? room;
  });
}
