import type { DomainContext } from '../context.js';
import { emit, roomSaved, subscriptionsChanged } from '../events/emit.js';
import { UniqueViolation, type Page, type Paged } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { DeviceId, RoomId, UserId } from '../shared/ids.js';
import { subscribeWithoutPermissionCheck } from '../subscriptions/subscribe.js';
import type { Subscription } from '../subscriptions/subscription.js';
import { updateOwnSubscription } from '../subscriptions/update-subscription.js';
import type { User } from '../users/user.js';
import { listJoined } from './read-rooms.js';
import { readableRoomOfType, type RoomKey } from './room-access.js';
import { newRoom, type Room } from './room.js';

/**
 * Rocket.Chat's `DirectMesssage_maxUsers` default: at most 8 members, the creator included
 * (`createDirectRoom.ts`, error `error-direct-message-max-user-exceeded`).
 */
export const MAX_DM_MEMBERS = 8;

export interface CreateDirectMessageInput {
  /** The other members' usernames (an `@` prefix is allowed); the caller's own name makes a self-DM. */
  readonly usernames: readonly string[];
  /** Leaves the caller out of the room (Rocket.Chat's `excludeSelf`). */
  readonly excludeSelf?: boolean;
}

/**
 * `im.create` / `dm.create`: opens the DM between the caller and the named users, creating it on
 * first use (needs `create-d`). Idempotent: the DM whose members are exactly those users is reused.
 * A 1:1 DM's id is the two user ids sorted and concatenated, as Rocket.Chat's clients compute it
 * (`createDirectRoom.ts`); a self-DM and a group DM get a random id.
 */
export async function createDirectMessage(
  ctx: DomainContext,
  actor: Actor,
  input: CreateDirectMessageInput,
): Promise<Room> {
  const wanted = uniqueUsernames(input.usernames);
  if (wanted.length === 0) throw ChatError.invalidParams('username or usernames must name at least one user');
  const memberCount = wanted.length + (input.excludeSelf ? 0 : 1);
  if (memberCount > MAX_DM_MEMBERS) {
    throw ChatError.invalid(
      'error-direct-message-max-user-exceeded',
      `You cannot add more than ${MAX_DM_MEMBERS} users, including yourself to a direct message`,
    );
  }
  await ctx.authz.require(actor, 'create-d');

  const members = await resolveMembers(ctx, actor, wanted, input.excludeSelf ?? false);
  try {
    return await openOrCreate(ctx, actor, members);
  } catch (error) {
    // Two callers created the same DM at once: the unique `uids_key` (or id) kept one; reuse it.
    if (!(error instanceof UniqueViolation)) throw error;
    return openOrCreate(ctx, actor, members);
  }
}

function uniqueUsernames(raw: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const name of raw) {
    const clean = name.trim().replace(/^@/, '');
    if (clean !== '' && !seen.has(clean.toLowerCase())) seen.set(clean.toLowerCase(), clean);
  }
  return [...seen.values()];
}

/** The room's members: existing, active users who may read DMs (`view-d-room`). */
async function resolveMembers(
  ctx: DomainContext,
  actor: Actor,
  wanted: readonly string[],
  excludeSelf: boolean,
): Promise<User[]> {
  const me = await ctx.store.users.byId(actor.userId);
  if (!me) throw ChatError.notLoggedIn();
  const found = await ctx.store.users.byUsernames(wanted);
  const missing = wanted.filter((u) => !found.some((f) => f.username.toLowerCase() === u.toLowerCase()));
  if (missing.length > 0)
    throw ChatError.invalid('error-invalid-user', `Invalid user: ${missing.slice(0, 5).join(', ')}`);
  const inactive = found.filter((u) => !u.active && u.id !== me.id);
  if (inactive.length > 0)
    throw ChatError.invalid(
      'error-invalid-user',
      `Deactivated user: ${inactive
        .slice(0, 5)
        .map((u) => u.username)
        .join(', ')}`,
    );
  for (const user of found) {
    if (user.id === me.id) continue;
    if (!(await ctx.authz.hasPermission(permissionSubject(user), 'view-d-room')))
      throw ChatError.invalid('error-not-allowed', 'Target user not allowed to receive messages');
  }
  const byId = new Map<string, User>();
  if (!excludeSelf) byId.set(me.id, me);
  for (const user of found) byId.set(user.id, user);
  // Rocket.Chat allows a DM with yourself, but not a one-member DM of somebody else.
  if (byId.size === 1 && !byId.has(me.id)) throw ChatError.invalid('error-invalid-user', 'Invalid user');
  return [...byId.values()];
}

/** Another user as the authorizer sees them, to ask what they may do; never for acting as them. */
function permissionSubject(user: User): Actor {
  return {
    userId: user.id,
    username: user.username,
    roles: user.roles,
    deviceId: '' as DeviceId,
    tokenHash: '',
  };
}

async function openOrCreate(ctx: DomainContext, actor: Actor, members: readonly User[]): Promise<Room> {
  const uids = members.map((m) => m.id).sort();
  return ctx.store.transaction(async (tx) => {
    const now = ctx.clock.now();
    let room = await tx.rooms.dmByMembers(uids);
    const isNew = !room;
    if (!room) {
      // Rocket.Chat orders `usernames` by display name.
      const sorted = [...members].sort((a, b) => (a.name || a.username).localeCompare(b.name || b.username));
      room = newRoom({
        id: (uids.length === 2 ? uids.join('') : ctx.ids.next()) as RoomId,
        t: 'd',
        uids,
        usernames: sorted.map((m) => m.username),
        createdAt: now,
      });
      await tx.rooms.insert(room);
    }
    const inserted: UserId[] = [];
    const reopened: UserId[] = [];
    for (const member of members) {
      const isCaller = member.id === actor.userId;
      // Rocket.Chat opens the DM for its creator; the other side of a 1:1 DM sees it on the first
      // message (`createDirectRoom.ts`: `open: members.length > 2`).
      const { subscription, created } = await subscribeWithoutPermissionCheck(ctx, tx, {
        room,
        user: member,
        open: isCaller || members.length > 2,
        now,
      });
      if (created) inserted.push(member.id);
      if (isCaller && !created && !subscription.open) {
        await tx.subscriptions.update(subscription.id, { open: true }, now);
        reopened.push(member.id);
      }
    }
    const saved = (await tx.rooms.byId(room.id)) ?? room;
    await emit(
      tx,
      now,
      isNew ? roomSaved(saved) : null,
      subscriptionsChanged(room.id, inserted, 'inserted'),
      subscriptionsChanged(room.id, reopened, 'updated'),
    );
    return saved;
  });
}

/** How a request names a DM: by id, or by the other member's username (a 1:1 DM with the caller). */
export type DirectMessageKey = { readonly roomId: RoomId } | { readonly username: string };

/**
 * Resolves `roomId|username` to the room key of a DM the caller is in; a DM with a user the caller
 * has none with, like one they are not in, is `error-room-not-found`.
 */
export async function directMessageRoomKey(
  ctx: DomainContext,
  actor: Actor,
  key: DirectMessageKey,
): Promise<RoomKey> {
  if ('roomId' in key) return { roomId: key.roomId };
  const other = await ctx.store.users.byUsername(key.username.replace(/^@/, ''));
  if (!other) throw ChatError.roomNotFound();
  const room = await ctx.store.rooms.dmByMembers([...new Set([actor.userId, other.id])]);
  if (!room) throw ChatError.roomNotFound();
  return { roomId: room.id };
}

/** `im.list` / `dm.list`: the caller's DMs. */
export async function listDirectMessages(ctx: DomainContext, actor: Actor, page: Page): Promise<Paged<Room>> {
  return listJoined(ctx, actor, ['d'], page);
}

/** `im.open` / `dm.open`: shows the DM in the caller's sidebar again. */
export async function openDirectMessage(
  ctx: DomainContext,
  actor: Actor,
  key: DirectMessageKey,
): Promise<void> {
  const subscription = await directSubscription(ctx, actor, key);
  if (!subscription.open) await updateOwnSubscription(ctx, subscription, { open: true });
}

/**
 * `im.close` / `dm.close`: hides the DM from the caller's sidebar until the next message. Closing a
 * closed DM fails, as in Rocket.Chat ("The direct message room, is already closed to the sender").
 */
export async function closeDirectMessage(
  ctx: DomainContext,
  actor: Actor,
  key: DirectMessageKey,
): Promise<void> {
  const subscription = await directSubscription(ctx, actor, key);
  if (!subscription.open)
    throw ChatError.invalid('error-not-allowed', 'The direct message room, is already closed to the sender');
  await updateOwnSubscription(ctx, subscription, { open: false });
}

async function directSubscription(
  ctx: DomainContext,
  actor: Actor,
  key: DirectMessageKey,
): Promise<Subscription> {
  const view = await readableRoomOfType(ctx, actor, await directMessageRoomKey(ctx, actor, key), ['d']);
  if (!view.subscription) throw ChatError.roomNotFound();
  return view.subscription;
}
