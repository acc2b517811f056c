import type { DomainContext } from '../context.js';
import { emit, roleChanged, subscriptionsChanged } from '../events/emit.js';
import { postSystemMessage } from '../messages/system-messages.js';
import type { Tx } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import type { User } from '../users/user.js';
import { actingUser, roomToManage } from './managed-room.js';
import type { UserKey } from './membership.js';
import { readableRoomOfType, type RoomKey } from './room-access.js';
import type { Room } from './room.js';

/** The roles a member can hold inside one room. */
export type RoomRole = 'owner' | 'moderator' | 'leader';

/** Rocket.Chat's wording: "User is already an owner", "User is not a moderator". */
const ARTICLE: Record<RoomRole, string> = { owner: 'an owner', moderator: 'a moderator', leader: 'a leader' };

/**
 * `*.addOwner`/`removeOwner`, `addModerator`/`removeModerator`, `addLeader`/`removeLeader`: needs
 * `set-owner`, `set-moderator` or `set-leader` in the room. The user must be a member; the last
 * owner cannot be removed. Posts `subscription-role-added`/`-removed` with the username as `msg`
 * and the role in `role`, as Rocket.Chat's `addRoomOwner` and friends do.
 */
export async function changeRoomRole(
  ctx: DomainContext,
  actor: Actor,
  input: {
    room: RoomKey;
    types: readonly Room['t'][];
    user: UserKey;
    role: RoomRole;
    grant: boolean;
  },
): Promise<void> {
  const { role, grant } = input;
  const { room } = await roomToManage(ctx, actor, {
    room: input.room,
    types: input.types,
    permission: `set-${role}`,
  });
  await ctx.store.transaction(async (tx) => {
    const target = await requireUser(tx, input.user);
    const membership = await tx.subscriptions.byRoomAndUser(room.id, target.id);
    if (!membership) throw ChatError.invalid('error-user-not-in-room', 'User is not in this room');
    const holds = membership.roles.includes(role);
    if (grant && holds)
      throw ChatError.invalid(`error-user-already-${role}`, `User is already ${ARTICLE[role]}`);
    if (!grant && !holds) throw ChatError.invalid(`error-user-not-${role}`, `User is not ${ARTICLE[role]}`);
    if (!grant && role === 'owner' && (await tx.subscriptions.withRole(room.id, 'owner')).length <= 1) {
      throw ChatError.invalid(
        'error-remove-last-owner',
        'This is the last owner. Please set a new owner before removing this one.',
      );
    }
    const roles = grant ? [...membership.roles, role] : membership.roles.filter((r) => r !== role);
    const now = ctx.clock.now();
    await tx.subscriptions.update(membership.id, { roles }, now);
    await emit(
      tx,
      now,
      subscriptionsChanged(room.id, [target.id], 'updated'),
      roleChanged({ user: target, roleId: role, change: grant ? 'added' : 'removed', scope: room.id }),
    );
    await postSystemMessage(ctx, tx, {
      room,
      type: grant ? 'subscription-role-added' : 'subscription-role-removed',
      actor: await actingUser(tx, actor),
      msg: target.username,
      extra: { role },
    });
  });
}

/** `channels.moderators`, `groups.moderators`: members holding the room's moderator role. */
export async function roomModerators(
  ctx: DomainContext,
  actor: Actor,
  key: RoomKey,
  types: readonly Room['t'][],
): Promise<readonly Pick<User, 'id' | 'username' | 'name'>[]> {
  const { room } = await readableRoomOfType(ctx, actor, key, types);
  const moderators = await ctx.store.subscriptions.withRole(room.id, 'moderator');
  const users = await ctx.store.users.byIds(moderators.map((s) => s.userId));
  const names = new Map<UserId, string>(users.map((u) => [u.id, u.name]));
  return moderators.map((s) => ({ id: s.userId, username: s.username, name: names.get(s.userId) ?? '' }));
}

async function requireUser(tx: Pick<Tx, 'users'>, key: UserKey): Promise<User> {
  const user =
    'userId' in key
      ? await tx.users.byId(key.userId)
      : await tx.users.byUsername(key.username.replace(/^@/, ''));
  if (!user) throw ChatError.userNotFound();
  return user;
}
