import type { Actions } from '../../domain/actions.js';
import type { Room } from '../../domain/rooms/room.js';
import type { Actor } from '../../domain/shared/actor.js';
import type { RoomId } from '../../domain/shared/ids.js';
import { presentPermissionDated, presentSetting } from '../../presenters/permissions.js';
import { ejsonDate, presentRoom, presentSubscription } from '../../presenters/rooms.js';
import { MethodError } from '../ddp.js';
import { field } from './message-methods.js';
import { param, requireActor, type MethodDefinition } from './method.js';

const ID_MAX = 64;

/** `[name, members?, readOnly?, customFields?, extraData?]`, as `createChannel` and `createPrivateGroup` take them. */
function createParams(params: readonly unknown[]) {
  const name = param.string(params, 0, 'name', 128);
  const rawMembers = params[1] ?? [];
  if (!Array.isArray(rawMembers)) throw MethodError.badParams('members must be an array of usernames');
  const members = param.stringArray(rawMembers, 0, 'members', 500);
  const readOnly = param.optionalBoolean(params, 2, 'readOnly');
  // Room custom fields (params[3]) have no Parley equivalent; Rocket.Chat clients send `{}`.
  if (params[3] !== undefined && params[3] !== null) param.object(params, 3, 'customFields');
  const extra = params[4] === undefined || params[4] === null ? {} : param.object(params, 4, 'extraData');
  const text = (key: string) => param.optionalString(field(extra, key), 0, `extraData.${key}`, 5000);
  const topic = text('topic');
  const description = text('description');
  const announcement = text('announcement');
  return {
    name,
    members,
    ...(readOnly !== undefined ? { readOnly } : {}),
    ...(topic !== undefined ? { topic } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(announcement !== undefined ? { announcement } : {}),
  };
}

/**
 * Rooms, sync and settings over DDP, each calling the same action as its REST twin
 * (`channels.*`/`groups.*`, `im.create`, `subscriptions.get`, `rooms.get`, `permissions.listAll`,
 * `settings.public`) and answering with EJSON dates. The sync methods answer an array without
 * `updatedSince`, and `{update, remove}` with it, as Rocket.Chat's do.
 */
export function roomMethods(actions: Actions): Record<string, MethodDefinition> {
  const room = (r: Room, actor: Actor) => presentRoom(r, null, actor.userId, ejsonDate);
  const create = (type: 'c' | 'p'): MethodDefinition => ({
    async run(ctx, params) {
      const actor = requireActor(ctx);
      const created = await actions.createRoom(actor, { type, ...createParams(params) });
      // Rocket.Chat's `createRoom` answers `{rid, ...room}`; `rid` is the field old clients read.
      return { ...room(created, actor), rid: created.id };
    },
  });

  return {
    /** `[rid, joinCode?]` → `true`. */
    joinRoom: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const roomId = param.string(params, 0, 'rid', ID_MAX) as RoomId;
        const joinCode = param.optionalString(params, 1, 'joinCode', 128);
        await actions.joinRoom(actor, { roomId }, joinCode);
        return true;
      },
    },

    /** `[rid]` → nothing. A DM cannot be left (it is hidden instead). */
    leaveRoom: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const roomId = param.string(params, 0, 'rid', ID_MAX) as RoomId;
        await actions.leaveRoom(actor, { roomId }, ['c', 'p', 'd']);
        return undefined;
      },
    },

    /** `[...usernames]` → the DM with `rid` (Rocket.Chat's `{t: 'd', rid, usernames, …}`). */
    createDirectMessage: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const usernames = param.stringArray(params, 0, 'usernames', 50);
        const dm = await actions.createDirectMessage(actor, { usernames, excludeSelf: false });
        return { ...room(dm, actor), rid: dm.id };
      },
    },

    createChannel: create('c'),
    createPrivateGroup: create('p'),

    /**
     * `[{rid, users: [username…]}]` → `true`: adds each user in turn, as `channels.invite` /
     * `groups.invite` would; the first refusal stops the rest, as in Rocket.Chat.
     */
    addUsersToRoom: {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const data = param.object(params, 0, 'data');
        const roomId = param.string(field(data, 'rid'), 0, 'data.rid', ID_MAX) as RoomId;
        const users = data.users;
        if (!Array.isArray(users)) throw MethodError.badParams('data.users must be an array of usernames');
        for (const username of param.stringArray(users, 0, 'data.users', 500))
          await actions.inviteToRoom(actor, { roomId }, { username }, ['c', 'p']);
        return true;
      },
    },

    /** `[updatedSince?]` → the caller's subscriptions, or `{update, remove}`; `[]` before login, as Rocket.Chat. */
    'subscriptions/get': {
      anonymous: true,
      async run(ctx, params) {
        const since = param.optionalDate(params, 0, 'updatedSince');
        if (!ctx.actor) return [];
        const { update, remove } = await actions.getSubscriptions(ctx.actor, since);
        const subscriptions = update.map((s) => presentSubscription(s, ejsonDate));
        if (since === undefined) return subscriptions;
        return {
          update: subscriptions,
          remove: remove.map((r) => ({ _id: r.id, _deletedAt: ejsonDate(r.deletedAt) })),
        };
      },
    },

    /** `[updatedSince?]` → the caller's rooms with their last message, or `{update, remove}`; `[]` before login. */
    'rooms/get': {
      anonymous: true,
      async run(ctx, params) {
        const since = param.optionalDate(params, 0, 'updatedSince');
        const actor = ctx.actor;
        if (!actor) return [];
        const { update, remove } = await actions.getRooms(actor, since);
        const last = await actions.lastMessagesOf(update);
        const rooms = update.map((r) => presentRoom(r, last.get(r.id) ?? null, actor.userId, ejsonDate));
        if (since === undefined) return rooms;
        return {
          update: rooms,
          remove: remove.map((r) => ({ _id: r.roomId, _deletedAt: ejsonDate(r.deletedAt) })),
        };
      },
    },

    /** `[updatedSince?]` → every permission, or `{update, remove}` (permissions are never removed). */
    'permissions/get': {
      async run(_ctx, params) {
        const since = param.optionalDate(params, 0, 'updatedSince');
        const permissions = (await actions.listPermissions(since)).map((p) =>
          presentPermissionDated(p, ejsonDate),
        );
        return since === undefined ? permissions : { update: permissions, remove: [] };
      },
    },

    /** `[updatedSince?]` → the public settings `{_id, value}`, or `{update, remove}`; no login needed. */
    'public-settings/get': {
      anonymous: true,
      run(_ctx, params) {
        const since = param.optionalDate(params, 0, 'updatedSince');
        const settings = actions
          .publicSettings()
          .filter((s) => since === undefined || s.updatedAt > since)
          .map((s) => presentSetting(s, 'public'));
        return Promise.resolve(since === undefined ? settings : { update: settings, remove: [] });
      },
    },
  };
}
