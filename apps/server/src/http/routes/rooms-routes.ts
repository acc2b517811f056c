import {
  ErrorResponse,
  MemberObject,
  MessageObject,
  PageInfo,
  Pagination,
  RoomObject,
  Success,
} from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Room } from '../../domain/rooms/room.js';
import type { UserId } from '../../domain/shared/ids.js';
import { actorOf } from '../authentication.js';
import { pageOf } from '../pagination.js';
import { presentMember, presentMessage, presentRoom, presentRooms } from '../../presenters/rooms.js';
import { dateOf, RoomKeyFields, roomKeyOf, UserKeyFields, userKeyOf } from '../room-params.js';
import { ok, type RouteDeps } from '../route-deps.js';
import type { Page, Paged } from '../../domain/ports/store.js';
import type { Actor } from '../../domain/shared/actor.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

/** The two families that share one shape: `channels.*` for `c` and `groups.*` for `p`. */
interface Family {
  readonly prefix: 'channels' | 'groups';
  readonly type: 'c' | 'p';
  /** The key the room travels under in responses: `channel` or `group`. */
  readonly one: 'channel' | 'group';
  readonly many: 'channels' | 'groups';
}

export const CHANNELS: Family = { prefix: 'channels', type: 'c', one: 'channel', many: 'channels' };
export const GROUPS: Family = { prefix: 'groups', type: 'p', one: 'group', many: 'groups' };

const CreateBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  members: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 500 })),
  readOnly: Type.Optional(Type.Boolean()),
  excludeSelf: Type.Optional(Type.Boolean()),
  extraData: Type.Optional(
    Type.Object({
      topic: Type.Optional(Type.String({ maxLength: 5000 })),
      description: Type.Optional(Type.String({ maxLength: 5000 })),
      announcement: Type.Optional(Type.String({ maxLength: 5000 })),
      broadcast: Type.Optional(Type.Boolean()),
      encrypted: Type.Optional(Type.Boolean()),
    }),
  ),
});
const RoomQuery = Type.Object({ ...RoomKeyFields });
const RoomBody = Type.Object({ ...RoomKeyFields, joinCode: Type.Optional(Type.String({ maxLength: 128 })) });
const MemberBody = Type.Object({ ...RoomKeyFields, ...UserKeyFields });
const ListQuery = Type.Object({ ...Pagination, query: Type.Optional(Type.String({ maxLength: 2000 })) });
const HistoryQuery = Type.Object({
  ...RoomKeyFields,
  latest: Type.Optional(Type.String({ maxLength: 64 })),
  oldest: Type.Optional(Type.String({ maxLength: 64 })),
  inclusive: Type.Optional(Type.Boolean()),
  unreads: Type.Optional(Type.Boolean()),
  showThreadMessages: Type.Optional(Type.Boolean()),
  ...Pagination,
});
const MembersQuery = Type.Object({
  ...RoomKeyFields,
  ...Pagination,
  filter: Type.Optional(Type.String({ maxLength: 128 })),
});
const CountersQuery = Type.Object({
  ...RoomKeyFields,
  userId: Type.Optional(Type.String({ maxLength: 64 })),
});

/** `channels.*` or `groups.*`: create, info, list, join, leave, invite, kick, history, messages, members, roles, counters. */
export function roomFamilyRoutes(app: FastifyInstance, deps: RouteDeps, family: Family): void {
  const { actions, auth, settings } = deps;
  const types: Room['t'][] = [family.type];
  const path = (name: string) => `/api/v1/${family.prefix}.${name}`;
  const tags = [family.prefix];
  const RoomResponse = Success({ [family.one]: RoomObject });
  const one = (room: Room) => ok({ [family.one]: presentRoom(room) });

  app.post(
    path('create'),
    { onRequest: auth, schema: { tags, body: CreateBody, response: { 200: RoomResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof CreateBody>;
      const room = await actions.createRoom(actorOf(request), {
        type: family.type,
        name: body.name,
        ...(body.members ? { members: body.members } : {}),
        ...(body.readOnly !== undefined ? { readOnly: body.readOnly } : {}),
        ...(body.extraData?.topic !== undefined ? { topic: body.extraData.topic } : {}),
        ...(body.extraData?.description !== undefined ? { description: body.extraData.description } : {}),
        ...(body.extraData?.announcement !== undefined ? { announcement: body.extraData.announcement } : {}),
      });
      return one(room);
    },
  );

  app.get(
    path('info'),
    { onRequest: auth, schema: { tags, querystring: RoomQuery, response: { 200: RoomResponse, ...errors } } },
    async (request) => {
      const { room } = await actions.roomInfo(
        actorOf(request),
        roomKeyOf(request.query as Static<typeof RoomQuery>),
        types,
      );
      const last = room.lastMessageId
        ? await actions.getMessage(actorOf(request), room.lastMessageId).catch(() => null)
        : null;
      return ok({ [family.one]: presentRoom(room, last) });
    },
  );

  const listResponse = Success({ [family.many]: Type.Array(RoomObject), ...PageInfo });
  /** A paginated room list under `family.many`, each room with its last message. */
  const listRoute = (name: string, load: (actor: Actor, page: Page) => Promise<Paged<Room>>) =>
    app.get(
      path(name),
      {
        onRequest: auth,
        schema: { tags, querystring: ListQuery, response: { 200: listResponse, ...errors } },
      },
      async (request) => {
        const actor = actorOf(request);
        const page = pageOf(settings, request.query as Static<typeof ListQuery>);
        const result = await load(actor, page);
        const lastMessages = await actions.lastMessagesOf(result.items);
        return ok({
          [family.many]: presentRooms(result.items, lastMessages, actor.userId),
          count: result.items.length,
          offset: page.offset,
          total: result.total,
        });
      },
    );

  if (family.type === 'c') {
    listRoute('list', (actor, page) => actions.listChannels(actor, page));
    listRoute('list.joined', (actor, page) => actions.listJoined(actor, ['c'], page));
    app.post(
      path('join'),
      { onRequest: auth, schema: { tags, body: RoomBody, response: { 200: RoomResponse, ...errors } } },
      async (request) => {
        const body = request.body as Static<typeof RoomBody>;
        return one(await actions.joinRoom(actorOf(request), roomKeyOf(body), body.joinCode));
      },
    );
  } else {
    // `groups.list` lists the caller's private groups; `groups.listAll` every group, for admins.
    listRoute('list', (actor, page) => actions.listJoined(actor, ['p'], page));
    listRoute('listAll', (actor, page) => actions.listAllGroups(actor, page));
  }

  app.post(
    path('leave'),
    { onRequest: auth, schema: { tags, body: RoomBody, response: { 200: RoomResponse, ...errors } } },
    async (request) => {
      return one(
        await actions.leaveRoom(actorOf(request), roomKeyOf(request.body as Static<typeof RoomBody>), types),
      );
    },
  );

  app.post(
    path('invite'),
    { onRequest: auth, schema: { tags, body: MemberBody, response: { 200: RoomResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof MemberBody>;
      return one(await actions.inviteToRoom(actorOf(request), roomKeyOf(body), userKeyOf(body), types));
    },
  );

  app.post(
    path('kick'),
    { onRequest: auth, schema: { tags, body: MemberBody, response: { 200: RoomResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof MemberBody>;
      return one(await actions.kickFromRoom(actorOf(request), roomKeyOf(body), userKeyOf(body), types));
    },
  );

  const history = async (
    query: Static<typeof HistoryQuery>,
    actor: ReturnType<typeof actorOf>,
    countTotal: boolean,
  ) => {
    const page = pageOf(settings, query);
    const latest = dateOf('latest', query.latest);
    const oldest = dateOf('oldest', query.oldest);
    const { messages } = await actions.roomHistory(actor, roomKeyOf(query), types, {
      ...page,
      ...(latest !== undefined ? { latest } : {}),
      ...(oldest !== undefined ? { oldest } : {}),
      ...(query.inclusive !== undefined ? { inclusive: query.inclusive } : {}),
      ...(query.showThreadMessages !== undefined ? { showThreadMessages: query.showThreadMessages } : {}),
      countTotal,
    });
    return { page, messages };
  };

  app.get(
    path('history'),
    {
      onRequest: auth,
      schema: {
        tags,
        querystring: HistoryQuery,
        response: { 200: Success({ messages: Type.Array(MessageObject) }), ...errors },
      },
    },
    async (request) => {
      const { messages } = await history(
        request.query as Static<typeof HistoryQuery>,
        actorOf(request),
        false,
      );
      return ok({
        messages: messages.items.map((m) => presentMessage(m, { viewerId: actorOf(request).userId })),
      });
    },
  );

  app.get(
    path('messages'),
    {
      onRequest: auth,
      schema: {
        tags,
        querystring: HistoryQuery,
        response: { 200: Success({ messages: Type.Array(MessageObject), ...PageInfo }), ...errors },
      },
    },
    async (request) => {
      const { page, messages } = await history(
        request.query as Static<typeof HistoryQuery>,
        actorOf(request),
        true,
      );
      return ok({
        messages: messages.items.map((m) => presentMessage(m, { viewerId: actorOf(request).userId })),
        count: messages.items.length,
        offset: page.offset,
        total: messages.total,
      });
    },
  );

  app.get(
    path('members'),
    {
      onRequest: auth,
      schema: {
        tags,
        querystring: MembersQuery,
        response: { 200: Success({ members: Type.Array(MemberObject), ...PageInfo }), ...errors },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof MembersQuery>;
      const page = pageOf(settings, query);
      const result = await actions.roomMembers(actorOf(request), roomKeyOf(query), types, {
        ...page,
        ...(query.filter ? { text: query.filter } : {}),
      });
      return ok({
        members: result.items.map(presentMember),
        count: result.items.length,
        offset: page.offset,
        total: result.total,
      });
    },
  );

  const RoleEntry = Type.Object({
    rid: Type.String(),
    u: Type.Object({ _id: Type.String(), username: Type.String() }),
    roles: Type.Array(Type.String()),
  });
  app.get(
    path('roles'),
    {
      onRequest: auth,
      schema: {
        tags,
        querystring: RoomQuery,
        response: { 200: Success({ roles: Type.Array(RoleEntry) }), ...errors },
      },
    },
    async (request) => {
      const subs = await actions.roomRoles(
        actorOf(request),
        roomKeyOf(request.query as Static<typeof RoomQuery>),
        types,
      );
      return ok({
        roles: subs.map((s) => ({
          rid: s.roomId,
          u: { _id: s.userId, username: s.username },
          roles: [...s.roles],
        })),
      });
    },
  );

  const CountersResponse = Success({
    joined: Type.Boolean(),
    members: Type.Integer(),
    unreads: Type.Union([Type.Integer(), Type.Null()]),
    unreadsFrom: Type.Union([Type.String(), Type.Null()]),
    msgs: Type.Integer(),
    latest: Type.Union([Type.String(), Type.Null()]),
    userMentions: Type.Integer(),
  });
  app.get(
    path('counters'),
    {
      onRequest: auth,
      schema: { tags, querystring: CountersQuery, response: { 200: CountersResponse, ...errors } },
    },
    async (request) => {
      const query = request.query as Static<typeof CountersQuery>;
      const { room, subscription, unreads } = await actions.roomCounters(
        actorOf(request),
        roomKeyOf(query),
        types,
        query.userId as UserId | undefined,
      );
      return ok({
        joined: subscription !== null,
        members: room.usersCount,
        unreads: subscription ? unreads : null,
        unreadsFrom: subscription?.ls != null ? new Date(subscription.ls).toISOString() : null,
        msgs: room.msgs,
        latest: room.lastMessageAt !== null ? new Date(room.lastMessageAt).toISOString() : null,
        userMentions: subscription?.userMentions ?? 0,
      });
    },
  );
}
