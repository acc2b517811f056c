import type { DomainContext } from '../context.js';
import { updateOwnSubscription } from '../subscriptions/update-subscription.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import { roomNoun } from './managed-room.js';
import { findRoom, readableRoomOfType, type RoomKey } from './room-access.js';
import type { Room } from './room.js';

/**
 * `channels.open`/`close`, `groups.open`/`close`: shows or hides the room in the caller's own
 * sidebar (the subscription's `open`). Archived rooms may be opened and closed. Refuses a change
 * that changes nothing, with Rocket.Chat's "already open/closed to the sender".
 */
export async function setRoomOpen(
  ctx: DomainContext,
  actor: Actor,
  input: { room: RoomKey; types: readonly Room['t'][]; open: boolean },
): Promise<void> {
  const { room, subscription } = await readableRoomOfType(ctx, actor, input.room, input.types);
  if (!subscription) {
    throw ChatError.invalid(
      'error-user-not-in-room',
      `The user/callee is not in the ${roomNoun(room)} "${room.name ?? room.id}".`,
    );
  }
  if (subscription.open === input.open) {
    throw ChatError.invalid(
      input.open ? 'error-room-already-open' : 'error-room-already-closed',
      `The ${roomNoun(room)}, ${room.name ?? room.id}, is already ${input.open ? 'open' : 'closed'} to the sender`,
    );
  }
  await updateOwnSubscription(ctx, subscription, { open: input.open });
}

/**
 * `rooms.favorite`: stars or unstars the room in the caller's sidebar (the subscription's `f`).
 * Any room the caller is in, DMs included; others get `error-invalid-subscription`, except that a
 * private room stays "not found" to those outside it.
 */
export async function favoriteRoom(
  ctx: DomainContext,
  actor: Actor,
  input: { room: RoomKey; favorite: boolean },
): Promise<void> {
  const room = await findRoom(ctx.store, input.room);
  if (!room) throw ChatError.roomNotFound();
  const subscription = await ctx.store.subscriptions.byRoomAndUser(room.id, actor.userId);
  if (!subscription) {
    if (room.t !== 'c') throw ChatError.roomNotFound();
    throw ChatError.invalid('error-invalid-subscription', 'You must be part of a room to favorite it');
  }
  if (subscription.favorite === input.favorite) return;
  await updateOwnSubscription(ctx, subscription, { favorite: input.favorite });
}
