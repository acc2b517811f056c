import type { DomainContext } from '../context.js';
import type { Tx } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { User } from '../users/user.js';
import { ensureNotArchived, readableRoomOfType, type RoomKey, type RoomView } from './room-access.js';
import type { Room } from './room.js';

/**
 * Loads a room for an administrative action: visible to the actor (a private group is "not found"
 * to non-members), not archived unless `allowArchived`, and `permission` held globally or through
 * a room role (owner, moderator, leader). Rocket.Chat checks in this order: lookup, archive, permission.
 */
export async function roomToManage(
  ctx: DomainContext,
  actor: Actor,
  options: {
    room: RoomKey;
    types: readonly Room['t'][];
    /** A permission id, or one chosen by the room (`delete-c` or `delete-p`). */
    permission: string | ((room: Room) => string);
    allowArchived?: boolean;
  },
): Promise<RoomView> {
  const view = await readableRoomOfType(ctx, actor, options.room, options.types);
  if (view.room.t === 'd') throw ChatError.roomNotFound();
  if (!options.allowArchived) ensureNotArchived(view.room);
  const permission =
    typeof options.permission === 'string' ? options.permission : options.permission(view.room);
  await ctx.authz.require(actor, permission, view.room.id);
  return view;
}

/** The acting user's record, for system messages. */
export async function actingUser(tx: Pick<Tx, 'users'>, actor: Actor): Promise<User> {
  const user = await tx.users.byId(actor.userId);
  if (!user) throw ChatError.notLoggedIn();
  return user;
}

/** How Rocket.Chat names a room in its messages: "channel" or "private group". */
export function roomNoun(room: Room): string {
  return room.t === 'c' ? 'channel' : 'private group';
}
