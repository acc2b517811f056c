import { timingSafeEqual } from 'node:crypto';
import { hashToken } from '../auth/tokens.js';
import type { DomainContext } from '../context.js';
import { emit, subscriptionsChanged } from '../events/emit.js';
import { postSystemMessage } from '../messages/system-messages.js';
import type { Tx } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import {
  subscribeWithoutPermissionCheck,
  unsubscribeWithoutPermissionCheck,
} from '../subscriptions/subscribe.js';
import type { User } from '../users/user.js';
import { ensureNotArchived, findRoom, readableRoomOfType, type RoomKey } from './room-access.js';
import type { Room } from './room.js';

export type UserKey = { readonly userId: UserId } | { readonly username: string };

async function requireUser(tx: Pick<Tx, 'users'>, key: UserKey): Promise<User> {
  const user =
    'userId' in key
      ? await tx.users.byId(key.userId)
      : await tx.users.byUsername(key.username.replace(/^@/, ''));
  if (!user) throw ChatError.userNotFound();
  return user;
}

async function requireActorUser(tx: Pick<Tx, 'users'>, actor: Actor): Promise<User> {
  const user = await tx.users.byId(actor.userId);
  if (!user) throw ChatError.notLoggedIn();
  return user;
}

/**
 * `channels.join`: joins a public channel (`view-c-room`). A channel with a join code needs it,
 * unless the actor holds `join-without-join-code`. Posts `uj`.
 */
export async function joinRoom(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  joinCode?: string,
): Promise<Room> {
  const { room, subscription } = await readableRoomOfType(ctx, actor, key, ['c']);
  if (subscription) return room;
  ensureNotArchived(room);
  if (room.joinCodeHash !== null && !(await ctx.authz.hasPermission(actor, 'join-without-join-code'))) {
    if (joinCode === undefined || !sameHash(hashToken(joinCode), room.joinCodeHash)) {
      throw ChatError.invalid('error-code-invalid', 'Invalid join code');
    }
  }
  return ctx.store.transaction(async (tx) => {
    const user = await requireActorUser(tx, actor);
    const now = ctx.clock.now();
    const { created } = await subscribeWithoutPermissionCheck(ctx, tx, { room, user, now });
    if (created) {
      await emit(tx, now, subscriptionsChanged(room.id, [user.id], 'inserted'));
      await postSystemMessage(ctx, tx, { room, type: 'uj', actor: user, msg: user.username });
    }
    return (await tx.rooms.byId(room.id)) ?? room;
  });
}

/**
 * `channels.leave`, `groups.leave`, `rooms.leave`: the actor leaves. The last owner must name
 * another owner first. Posts `ul`.
 */
export async function leaveRoom(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][] = ['c', 'p'],
): Promise<Room> {
  const { room, subscription } = await readableRoomOfType(ctx, actor, key, types);
  if (!subscription) throw ChatError.invalid('error-user-not-in-room', 'You are not in this room');
  if (room.t === 'd')
    throw ChatError.actionNotAllowed('Leaving a direct message is not allowed; close it instead');
  return ctx.store.transaction(async (tx) => {
    await ensureNotLastOwner(tx, room, actor.userId);
    const user = await requireActorUser(tx, actor);
    const now = ctx.clock.now();
    await unsubscribeWithoutPermissionCheck(tx, room, actor.userId, now);
    if (!room.archived)
      await postSystemMessage(ctx, tx, { room, type: 'ul', actor: user, msg: user.username });
    return (await tx.rooms.byId(room.id)) ?? room;
  });
}

/**
 * `channels.invite`, `groups.invite`: adds a user. Members need `add-user-to-joined-room`; others
 * `add-user-to-any-c-room` or `add-user-to-any-p-room`. Posts `au`.
 */
export async function inviteToRoom(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  who: UserKey,
  types: readonly Room['t'][],
): Promise<Room> {
  const room = await findRoom(ctx.store, key);
  if (!room || !types.includes(room.t) || room.t === 'd') throw ChatError.roomNotFound();
  const membership = await ctx.store.subscriptions.byRoomAndUser(room.id, actor.userId);
  const anyRoom = room.t === 'c' ? 'add-user-to-any-c-room' : 'add-user-to-any-p-room';
  const allowed =
    (membership !== null && (await ctx.authz.hasPermission(actor, 'add-user-to-joined-room', room.id))) ||
    (await ctx.authz.hasPermission(actor, anyRoom));
  if (!allowed) {
    // A private group stays invisible to those who are not in it.
    if (room.t === 'p' && membership === null) throw ChatError.roomNotFound();
    throw ChatError.unauthorized();
  }
  ensureNotArchived(room);
  return ctx.store.transaction(async (tx) => {
    const user = await requireUser(tx, who);
    if (!user.active) throw ChatError.invalid('error-user-inactive', 'The user is deactivated');
    const inviter = await requireActorUser(tx, actor);
    const now = ctx.clock.now();
    const { created } = await subscribeWithoutPermissionCheck(ctx, tx, { room, user, now });
    if (created) {
      await emit(tx, now, subscriptionsChanged(room.id, [user.id], 'inserted'));
      await postSystemMessage(ctx, tx, { room, type: 'au', actor: inviter, msg: user.username });
    }
    return (await tx.rooms.byId(room.id)) ?? room;
  });
}

/** `channels.kick`, `groups.kick`: removes a member (`remove-user`, usually via a room role). Posts `ru`. */
export async function kickFromRoom(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  who: UserKey,
  types: readonly Room['t'][],
): Promise<Room> {
  const { room } = await readableRoomOfType(ctx, actor, key, types);
  await ctx.authz.require(actor, 'remove-user', room.id);
  ensureNotArchived(room);
  return ctx.store.transaction(async (tx) => {
    const user = await requireUser(tx, who);
    if (!(await tx.subscriptions.byRoomAndUser(room.id, user.id))) {
      throw ChatError.invalid('error-user-not-in-room', 'User is not in this room');
    }
    await ensureNotLastOwner(tx, room, user.id);
    const remover = await requireActorUser(tx, actor);
    await unsubscribeWithoutPermissionCheck(tx, room, user.id, ctx.clock.now());
    await postSystemMessage(ctx, tx, { room, type: 'ru', actor: remover, msg: user.username });
    return (await tx.rooms.byId(room.id)) ?? room;
  });
}

/** Refuses to let the last owner of a room go while others remain. */
export async function ensureNotLastOwner(tx: Tx, room: Room, userId: UserId): Promise<void> {
  const owners = await tx.subscriptions.withRole(room.id, 'owner');
  if (owners.length === 1 && owners[0]?.userId === userId && room.usersCount > 1) {
    throw ChatError.invalid(
      'error-you-are-last-owner',
      'You are the last owner. Please set new owner before leaving the room.',
    );
  }
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
