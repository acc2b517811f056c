import type { DomainContext } from '../context.js';
import { emit, subscriptionRemoved } from '../events/emit.js';
import type { Tx } from '../ports/store.js';
import type { Room } from '../rooms/room.js';
import type { User } from '../users/user.js';
import type { Subscription } from './subscription.js';

/** The name a member sees for a room: its name, or for a DM the other members' usernames. */
export function subscriptionName(
  room: Room,
  member: Pick<User, 'id' | 'username'>,
): { name: string; fname: string } {
  if (room.t !== 'd') return { name: room.name ?? '', fname: room.fname ?? room.name ?? '' };
  const others = room.usernames.filter((u) => u !== member.username);
  const name = (others.length > 0 ? others : [member.username]).join(', ');
  return { name, fname: name };
}

/**
 * Makes `user` a member of `room` (no permission check: callers decide who may) and counts them in
 * `usersCount`. Returns the existing membership unchanged when there is one. Call inside
 * `store.transaction`.
 */
export async function subscribeWithoutPermissionCheck(
  ctx: DomainContext,
  tx: Tx,
  options: {
    room: Room;
    user: Pick<User, 'id' | 'username'>;
    roles?: readonly string[];
    open?: boolean;
    now: number;
  },
): Promise<{ subscription: Subscription; created: boolean }> {
  const existing = await tx.subscriptions.byRoomAndUser(options.room.id, options.user.id);
  if (existing) return { subscription: existing, created: false };
  const subscription: Subscription = {
    id: ctx.ids.next(),
    roomId: options.room.id,
    userId: options.user.id,
    username: options.user.username,
    t: options.room.t,
    ...subscriptionName(options.room, options.user),
    open: options.open ?? true,
    alert: false,
    unread: 0,
    userMentions: 0,
    groupMentions: 0,
    tunread: [],
    tunreadUser: [],
    tunreadGroup: [],
    roles: options.roles ?? [],
    favorite: false,
    archived: options.room.archived,
    ls: options.now,
    lr: null,
    joinedAt: options.now,
    updatedAt: options.now,
  };
  await tx.subscriptions.insert(subscription);
  await tx.rooms.adjustUsersCount(options.room.id, 1, options.now);
  return { subscription, created: true };
}

/**
 * Ends a membership, uncounts it and tells the former member (`subscription.removed`). Call inside
 * `store.transaction`.
 */
export async function unsubscribeWithoutPermissionCheck(
  tx: Tx,
  room: Room,
  userId: User['id'],
  now: number,
): Promise<boolean> {
  const subscription = await tx.subscriptions.byRoomAndUser(room.id, userId);
  if (!subscription || !(await tx.subscriptions.delete(room.id, userId, now))) return false;
  await tx.rooms.adjustUsersCount(room.id, -1, now);
  await emit(tx, now, subscriptionRemoved(subscription));
  return true;
}
