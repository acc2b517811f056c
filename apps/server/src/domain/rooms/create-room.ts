import type { DomainContext } from '../context.js';
import { emit, roomSaved, subscriptionsChanged } from '../events/emit.js';
import { UniqueViolation, type Tx } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { RoomId } from '../shared/ids.js';
import { subscribeWithoutPermissionCheck } from '../subscriptions/subscribe.js';
import type { User } from '../users/user.js';
import { checkRoomName, checkRoomText } from './room-rules.js';
import { newRoom, type Room } from './room.js';

export interface CreateRoomInput {
  readonly type: 'c' | 'p';
  readonly name: string;
  /** Usernames to add besides the creator. */
  readonly members?: readonly string[];
  readonly readOnly?: boolean;
  readonly topic?: string;
  readonly description?: string;
  readonly announcement?: string;
}

/**
 * `channels.create` and `groups.create`: needs `create-c` or `create-p`. The creator is the first
 * member and owner; the listed members join at once.
 */
export async function createRoom(ctx: DomainContext, actor: Actor, input: CreateRoomInput): Promise<Room> {
  await ctx.authz.require(actor, input.type === 'c' ? 'create-c' : 'create-p');
  const name = checkRoomName(ctx.settings, input.name);
  const topic = checkRoomText('topic', input.topic ?? '');
  const description = checkRoomText('description', input.description ?? '');
  const announcement = checkRoomText('announcement', input.announcement ?? '');
  const wanted = [...new Set((input.members ?? []).map((m) => m.trim().replace(/^@/, '')).filter(Boolean))];
  if (wanted.length > 500) throw ChatError.invalidParams('members must list at most 500 users');

  return ctx.store.transaction(async (tx) => {
    const creator = await tx.users.byId(actor.userId);
    if (!creator) throw ChatError.notLoggedIn();
    const members = await tx.users.byUsernames(wanted);
    const missing = wanted.filter((u) => !members.some((m) => m.username.toLowerCase() === u.toLowerCase()));
    if (missing.length > 0)
      throw ChatError.invalid('error-invalid-user', `Unknown users: ${missing.slice(0, 5).join(', ')}`);

    const now = ctx.clock.now();
    const room = newRoom({
      id: ctx.ids.next() as RoomId,
      t: input.type,
      name,
      fname: name,
      creatorId: creator.id,
      creatorUsername: creator.username,
      topic,
      description,
      announcement,
      readOnly: input.readOnly ?? false,
      createdAt: now,
    });
    await insertRoom(tx, room);
    await subscribeWithoutPermissionCheck(ctx, tx, { room, user: creator, roles: ['owner'], now });
    const joined = [creator.id];
    for (const member of members) {
      if (member.id !== creator.id && member.active) {
        await subscribeWithoutPermissionCheck(ctx, tx, { room, user: member, now });
        joined.push(member.id);
      }
    }
    const created = (await tx.rooms.byId(room.id)) ?? room;
    await emit(tx, now, roomSaved(created), subscriptionsChanged(room.id, joined, 'inserted'));
    return created;
  });
}

/** Inserts a room, turning a taken name into Rocket.Chat's `error-duplicate-channel-name`. */
export async function insertRoom(tx: Tx, room: Room): Promise<void> {
  if (room.name !== null && (await tx.rooms.byName(room.name))) throw duplicateName(room.name);
  try {
    await tx.rooms.insert(room);
  } catch (error) {
    if (error instanceof UniqueViolation && room.name !== null) throw duplicateName(room.name);
    throw error;
  }
}

export function duplicateName(name: string): ChatError {
  return ChatError.invalid('error-duplicate-channel-name', `A channel with name '${name}' exists`, {
    channel_name: name,
  });
}

/** The default channel every new user joins: `general`, id `GENERAL`, as in Rocket.Chat. */
export async function ensureGeneralChannel(ctx: DomainContext, tx: Tx): Promise<void> {
  if (await tx.rooms.byId('GENERAL' as RoomId)) return;
  const now = ctx.clock.now();
  const general = newRoom({
    id: 'GENERAL' as RoomId,
    t: 'c',
    name: 'general',
    fname: 'general',
    isDefault: true,
    createdAt: now,
  });
  await tx.rooms.insert(general);
  await emit(tx, now, roomSaved(general));
}

/** Subscribes a new user to every default channel. Call inside `store.transaction`. */
export async function joinDefaultChannels(
  ctx: DomainContext,
  tx: Tx,
  user: Pick<User, 'id' | 'username'>,
): Promise<void> {
  const defaults = await tx.rooms.list({ types: ['c', 'p'], defaultOnly: true, offset: 0, count: 1000 });
  const now = ctx.clock.now();
  for (const room of defaults.items) {
    if (room.archived) continue;
    const { created } = await subscribeWithoutPermissionCheck(ctx, tx, { room, user, now });
    if (created) await emit(tx, now, subscriptionsChanged(room.id, [user.id], 'inserted'));
  }
}
