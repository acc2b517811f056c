import type { DomainContext } from '../context.js';
import type { Message } from '../messages/message.js';
import type { Page, Paged } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import type { Subscription } from '../subscriptions/subscription.js';
import type { User } from '../users/user.js';
import { readableRoomOfType, type RoomKey, type RoomView } from './room-access.js';
import type { Room } from './room.js';

/** `channels.info`, `groups.info`, `rooms.info`. */
export async function roomInfo(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][],
): Promise<RoomView> {
  return readableRoomOfType(ctx, actor, key, types);
}

/** `channels.list`: public channels (`view-c-room`). */
export async function listChannels(
  ctx: DomainContext,
  actor: Actor,
  query: Page & { text?: string },
): Promise<Paged<Room>> {
  if (
    !(await ctx.authz.hasPermission(actor, 'view-c-room')) &&
    !(await ctx.authz.hasPermission(actor, 'view-joined-room'))
  ) {
    throw ChatError.unauthorized();
  }
  if (!(await ctx.authz.hasPermission(actor, 'view-c-room'))) return listJoined(ctx, actor, ['c'], query);
  return ctx.store.rooms.list({ ...query, types: ['c'] });
}

/** `groups.listAll`: every private group, for holders of `view-room-administration`. */
export async function listAllGroups(
  ctx: DomainContext,
  actor: Actor,
  query: Page & { text?: string },
): Promise<Paged<Room>> {
  await ctx.authz.require(actor, 'view-room-administration');
  return ctx.store.rooms.list({ ...query, types: ['p'] });
}

/** `channels.list.joined`, `groups.list`, `im.list`: the caller's rooms of the given kinds. */
export async function listJoined(
  ctx: DomainContext,
  actor: Actor,
  types: readonly Room['t'][],
  page: Page,
): Promise<Paged<Room>> {
  const rooms = (await ctx.store.rooms.ofUser(actor.userId)).filter((r) => types.includes(r.t));
  rooms.sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id));
  return { items: rooms.slice(page.offset, page.offset + page.count), total: rooms.length };
}

export interface HistoryQuery extends Page {
  readonly latest?: number;
  readonly oldest?: number;
  readonly inclusive?: boolean;
  readonly showThreadMessages?: boolean;
  /** False when the caller needs only the page, not the total (`channels.history`). */
  readonly countTotal?: boolean;
  /** Newest first unless asked otherwise. */
  readonly order?: 'newest' | 'oldest';
}

/** `channels.history` and friends: messages newest first, between `oldest` and `latest`. */
export async function roomHistory(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][],
  query: HistoryQuery,
): Promise<{ view: RoomView; messages: Paged<Message> }> {
  const view = await readableRoomOfType(ctx, actor, key, types);
  const messages = await ctx.store.messages.find({
    roomId: view.room.id,
    offset: query.offset,
    count: query.count,
    ...(query.latest !== undefined ? { latest: query.latest } : {}),
    ...(query.oldest !== undefined ? { oldest: query.oldest } : {}),
    inclusive: query.inclusive ?? false,
    hideThreadReplies: query.showThreadMessages === false,
    countTotal: query.countTotal ?? true,
    ...(query.order ? { order: query.order } : {}),
  });
  return { view, messages };
}

/** `channels.members` and friends: members with their presence, sorted by username. */
export async function roomMembers(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][],
  query: Page & { text?: string },
): Promise<Paged<User>> {
  const { room } = await readableRoomOfType(ctx, actor, key, types);
  const page = await ctx.store.subscriptions.members(room.id, query);
  const users = await ctx.store.users.byIds(page.items);
  const byId = new Map(users.map((u) => [u.id, u]));
  return {
    items: page.items.map((id) => byId.get(id)).filter((u): u is User => u !== undefined),
    total: page.total,
  };
}

/** `channels.roles`, `groups.roles`: members holding room roles. */
export async function roomRoles(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][],
): Promise<readonly Subscription[]> {
  const { room } = await readableRoomOfType(ctx, actor, key, types);
  return (await ctx.store.subscriptions.ofRoom(room.id)).filter((s) => s.roles.length > 0);
}

/** `channels.counters`: a member's unread state in a room (the caller's, or another's with `view-room-administration`). */
export async function roomCounters(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][],
  userId?: UserId,
): Promise<{ room: Room; subscription: Subscription | null; unreads: number }> {
  const { room } = await readableRoomOfType(ctx, actor, key, types);
  const target = userId ?? actor.userId;
  if (target !== actor.userId) await ctx.authz.require(actor, 'view-room-administration');
  const subscription = await ctx.store.subscriptions.byRoomAndUser(room.id, target);
  const unreads = subscription
    ? await ctx.store.messages.countAfter(room.id, subscription.ls ?? 0, target)
    : 0;
  return { room, subscription, unreads };
}
