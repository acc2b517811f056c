import type { DomainContext } from '../context.js';
import { toRoom } from '../events/events.js';
import { emit, subscriptionsChanged } from '../events/emit.js';
import type { Room } from '../rooms/room.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { RoomId } from '../shared/ids.js';
import type { Subscription } from './subscription.js';

/** `subscriptions.get`: the caller's memberships, or those changed and removed since a time. */
export async function getSubscriptions(
  ctx: DomainContext,
  actor: Actor,
  since?: number,
): Promise<{
  update: readonly Subscription[];
  remove: readonly { id: string; roomId: RoomId; deletedAt: number }[];
}> {
  const update = await ctx.store.subscriptions.ofUser(actor.userId, since);
  const remove = since === undefined ? [] : await ctx.store.subscriptions.removedSince(actor.userId, since);
  return { update, remove };
}

/** `subscriptions.getOne`: the caller's membership in one room. */
export async function getSubscription(
  ctx: DomainContext,
  actor: Actor,
  roomId: RoomId,
): Promise<Subscription | null> {
  return ctx.store.subscriptions.byRoomAndUser(roomId, actor.userId);
}

/**
 * `subscriptions.read`: the caller has seen everything in the room: unread, alert and mention
 * counters are cleared and `ls` moves to now. Thread unreads are cleared too unless `readThreads`
 * is false.
 */
export async function markRoomRead(
  ctx: DomainContext,
  actor: Actor,
  roomId: RoomId,
  readThreads = true,
): Promise<Subscription> {
  const subscription = await ctx.store.subscriptions.byRoomAndUser(roomId, actor.userId);
  if (!subscription) throw ChatError.invalid('error-invalid-subscription', 'Invalid subscription');
  return ctx.store.transaction(async (tx) => {
    const now = ctx.clock.now();
    const updated = await tx.subscriptions.update(
      subscription.id,
      {
        unread: 0,
        alert: false,
        userMentions: 0,
        groupMentions: 0,
        ls: now,
        ...(readThreads ? { tunread: [], tunreadUser: [], tunreadGroup: [] } : {}),
      },
      now,
    );
    await emit(tx, now, subscriptionsChanged(roomId, [actor.userId], 'updated'), {
      type: 'room.read',
      audience: toRoom(roomId),
      roomId,
      userId: actor.userId,
      until: now,
    });
    return updated ?? subscription;
  });
}

/** `rooms.get`: the rooms the caller is in, or those changed since a time. */
export async function getRooms(
  ctx: DomainContext,
  actor: Actor,
  since?: number,
): Promise<{ update: readonly Room[]; remove: readonly { roomId: RoomId; deletedAt: number }[] }> {
  const update = await ctx.store.rooms.ofUser(actor.userId, since);
  const remove =
    since === undefined
      ? []
      : (await ctx.store.subscriptions.removedSince(actor.userId, since)).map((r) => ({
          roomId: r.roomId,
          deletedAt: r.deletedAt,
        }));
  return { update, remove };
}
