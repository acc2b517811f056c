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
import type { DirectMessageKey } from '../../domain/rooms/direct-messages.js';
import type { DirectoryQuery } from '../../domain/rooms/directory.js';
import type { Room } from '../../domain/rooms/room.js';
import { ChatError } from '../../domain/shared/errors.js';
import type { MessageId, RoomId, UserId } from '../../domain/shared/ids.js';
import type { User } from '../../domain/users/user.js';
import type { Actor } from '../../domain/shared/actor.js';
import { actorOf } from '../authentication.js';
import { pageOf, sortOf } from '../pagination.js';
import { presentMember, presentMessage, presentRoom, presentRooms } from '../../presenters/rooms.js';
import { dateOf } from '../room-params.js';
import { ok, type RouteDeps } from '../route-deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const DM_TYPES: Room['t'][] = ['d'];
/** Rocket.Chat serves every `im.*` endpoint under `dm.*` too, with the same handler. */
const PREFIXES = ['im', 'dm'] as const;

const Username = Type.String({ minLength: 1, maxLength: 64 });
const RoomId_ = Type.String({ minLength: 1, maxLength: 64 });
const DirectKeyFields = { roomId: Type.Optional(RoomId_), username: Type.Optional(Username) };

const CreateBody = Type.Object({
  username: Type.Optional(Username),
  /** Comma-separated, as Rocket.Chat's multi-user DM form sends them. */
  usernames: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
  excludeSelf: Type.Optional(Type.Boolean()),
});
const ListQuery = Type.Object({ ...Pagination });
const HistoryQuery = Type.Object({
  roomId: RoomId_,
  latest: Type.Optional(Type.String({ maxLength: 64 })),
  oldest: Type.Optional(Type.String({ maxLength: 64 })),
  inclusive: Type.Optional(Type.Boolean()),
  unreads: Type.Optional(Type.Boolean()),
  ...Pagination,
});
const MessagesQuery = Type.Object({ ...DirectKeyFields, ...Pagination });
const MembersQuery = Type.Object({
  ...DirectKeyFields,
  ...Pagination,
  filter: Type.Optional(Type.String({ maxLength: 128 })),
});
const CountersQuery = Type.Object({ ...DirectKeyFields, userId: Type.Optional(RoomId_) });
const DirectBody = Type.Object({ ...DirectKeyFields });

const CreatedRoom = Type.Object({ ...RoomObject.properties, rid: Type.String() });
const DirectoryUser = Type.Object({
  _id: Type.String(),
  username: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  emails: Type.Optional(Type.Array(Type.Object({ address: Type.String(), verified: Type.Boolean() }))),
});
const SpotlightUser = Type.Object({
  _id: Type.String(),
  username: Type.String(),
  name: Type.String(),
  status: Type.String(),
  statusText: Type.String(),
});
const DirectoryQueryString = Type.Object({
  query: Type.Optional(Type.String({ maxLength: 2000, description: 'JSON: {"text","type","workspace"}' })),
  ...Pagination,
});
const SpotlightQuery = Type.Object({ query: Type.String({ maxLength: 256 }) });
const UnreadBody = Type.Object({
  roomId: Type.Optional(RoomId_),
  firstUnreadMessage: Type.Optional(Type.Object({ _id: Type.String({ minLength: 1, maxLength: 64 }) })),
});

/** `roomId` or `username` (the other member of a 1:1 DM); neither is a 400. */
function directKeyOf(input: { roomId?: string; username?: string }): DirectMessageKey {
  if (input.roomId) return { roomId: input.roomId as RoomId };
  if (input.username) return { username: input.username };
  throw ChatError.invalid('error-room-param-not-provided', 'Body param "roomId" or "username" is required');
}

/** `im.create`'s `username` or comma-separated `usernames`. */
function targetsOf(body: Static<typeof CreateBody>): string[] {
  if (body.usernames !== undefined) return body.usernames.split(',');
  if (body.username !== undefined) return [body.username];
  throw ChatError.invalidParams('Body param "username" or "usernames" is required');
}

/** A user as `directory` shows them; the email only to holders of `view-full-other-user-info`. */
function presentDirectoryUser(user: User, showEmails: boolean) {
  return {
    _id: user.id,
    username: user.username,
    name: user.name,
    createdAt: new Date(user.createdAt).toISOString(),
    ...(showEmails && user.email !== null
      ? { emails: [{ address: user.email, verified: user.emailVerified }] }
      : {}),
  };
}

function presentSpotlightUser(user: User) {
  return {
    _id: user.id,
    username: user.username,
    name: user.name,
    status: user.status,
    statusText: user.statusText,
  };
}

const USER_SORT = { username: 'username', name: 'name', createdAt: 'createdAt' } as const;
const CHANNEL_SORT = {
  name: 'name',
  fname: 'name',
  createdAt: 'createdAt',
  ts: 'createdAt',
  usersCount: 'usersCount',
  lastMessage: 'lastMessageAt',
} as const;

/**
 * Parses `directory`'s `query={"text","type","workspace"}`. Rocket.Chat answers anything it cannot
 * use with "Please verify the parameters"; so do we, naming what is wrong.
 */
function directoryQueryOf(
  raw: string | undefined,
  sort: string | undefined,
  page: { offset: number; count: number },
): DirectoryQuery {
  let parsed: unknown = {};
  if (raw !== undefined && raw !== '') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw ChatError.invalidParams('Please verify the parameters: query is not JSON');
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw ChatError.invalidParams('Please verify the parameters: query must be an object');
  const { text = '', type, workspace = 'local' } = parsed as Record<string, unknown>;
  if (typeof text !== 'string')
    throw ChatError.invalidParams('Please verify the parameters: text must be a string');
  if (workspace !== 'local' && workspace !== 'all')
    throw ChatError.invalidParams('Please verify the parameters: workspace must be local or all');
  if (type === 'users') {
    const order = sortOf(sort, USER_SORT);
    return { type, text, ...page, ...(order ? { sort: order } : {}) };
  }
  if (type === 'channels') {
    const order = sortOf(sort, CHANNEL_SORT);
    return { type, text, ...page, ...(order ? { sort: order } : {}) };
  }
  if (type === 'teams') return { type, text, ...page };
  throw ChatError.invalidParams('Please verify the parameters: type must be users, channels or teams');
}

/** Routes for direct messages (im.* and dm.*), directory, spotlight and `subscriptions.unread`. */
export function imRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { actions, auth, settings } = deps;
  const roomKey = (actor: Actor, input: { roomId?: string; username?: string }) =>
    actions.directMessageRoomKey(actor, directKeyOf(input));

  for (const prefix of PREFIXES) {
    const path = (name: string) => `/api/v1/${prefix}.${name}`;
    const tags = [prefix];

    /** `POST im.create` — opens (creating on first use) the DM with `username` or `usernames`. */
    app.post(
      path('create'),
      {
        onRequest: auth,
        schema: { tags, body: CreateBody, response: { 200: Success({ room: CreatedRoom }), ...errors } },
      },
      async (request) => {
        const body = request.body as Static<typeof CreateBody>;
        const room = await actions.createDirectMessage(actorOf(request), {
          usernames: targetsOf(body),
          excludeSelf: body.excludeSelf ?? false,
        });
        return ok({ room: { ...presentRoom(room), rid: room.id } });
      },
    );

    /** `GET im.list` — the caller's DMs. */
    app.get(
      path('list'),
      {
        onRequest: auth,
        schema: {
          tags,
          querystring: ListQuery,
          response: { 200: Success({ ims: Type.Array(RoomObject), ...PageInfo }), ...errors },
        },
      },
      async (request) => {
        const page = pageOf(settings, request.query as Static<typeof ListQuery>);
        const result = await actions.listDirectMessages(actorOf(request), page);
        return ok({
          ims: presentRooms(
            result.items,
            await actions.lastMessagesOf(result.items),
            actorOf(request).userId,
          ),
          count: result.items.length,
          offset: page.offset,
          total: result.total,
        });
      },
    );

    /** `GET im.history` — messages newest first, between `oldest` and `latest`. */
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
        const query = request.query as Static<typeof HistoryQuery>;
        const actor = actorOf(request);
        const page = pageOf(settings, query);
        const latest = dateOf('latest', query.latest);
        const oldest = dateOf('oldest', query.oldest);
        const { messages } = await actions.roomHistory(actor, await roomKey(actor, query), DM_TYPES, {
          ...page,
          ...(latest !== undefined ? { latest } : {}),
          ...(oldest !== undefined ? { oldest } : {}),
          ...(query.inclusive !== undefined ? { inclusive: query.inclusive } : {}),
        });
        return ok({
          messages: messages.items.map((m) => presentMessage(m, { viewerId: actorOf(request).userId })),
        });
      },
    );

    /** `GET im.messages` — a page of the DM's messages, by `roomId` or the other member's `username`. */
    app.get(
      path('messages'),
      {
        onRequest: auth,
        schema: {
          tags,
          querystring: MessagesQuery,
          response: { 200: Success({ messages: Type.Array(MessageObject), ...PageInfo }), ...errors },
        },
      },
      async (request) => {
        const query = request.query as Static<typeof MessagesQuery>;
        const actor = actorOf(request);
        const page = pageOf(settings, query);
        const { messages } = await actions.roomHistory(actor, await roomKey(actor, query), DM_TYPES, page);
        return ok({
          messages: messages.items.map((m) => presentMessage(m, { viewerId: actorOf(request).userId })),
          count: messages.items.length,
          offset: page.offset,
          total: messages.total,
        });
      },
    );

    /** `GET im.members` — the DM's members. */
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
        const actor = actorOf(request);
        const page = pageOf(settings, query);
        const result = await actions.roomMembers(actor, await roomKey(actor, query), DM_TYPES, {
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

    const CountersResponse = Success({
      joined: Type.Boolean(),
      members: Type.Integer(),
      unreads: Type.Union([Type.Integer(), Type.Null()]),
      unreadsFrom: Type.Union([Type.String(), Type.Null()]),
      msgs: Type.Integer(),
      latest: Type.Union([Type.String(), Type.Null()]),
      userMentions: Type.Integer(),
    });
    /** `GET im.counters` — the caller's unread state in the DM. */
    app.get(
      path('counters'),
      {
        onRequest: auth,
        schema: { tags, querystring: CountersQuery, response: { 200: CountersResponse, ...errors } },
      },
      async (request) => {
        const query = request.query as Static<typeof CountersQuery>;
        const actor = actorOf(request);
        const { room, subscription, unreads } = await actions.roomCounters(
          actor,
          await roomKey(actor, query),
          DM_TYPES,
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

    /** `POST im.open` — shows the DM in the caller's sidebar. */
    app.post(
      path('open'),
      { onRequest: auth, schema: { tags, body: DirectBody, response: { 200: Success({}), ...errors } } },
      async (request) => {
        await actions.openDirectMessage(
          actorOf(request),
          directKeyOf(request.body as Static<typeof DirectBody>),
        );
        return ok({});
      },
    );

    /** `POST im.close` — hides the DM from the caller's sidebar until the next message. */
    app.post(
      path('close'),
      { onRequest: auth, schema: { tags, body: DirectBody, response: { 200: Success({}), ...errors } } },
      async (request) => {
        await actions.closeDirectMessage(
          actorOf(request),
          directKeyOf(request.body as Static<typeof DirectBody>),
        );
        return ok({});
      },
    );
  }

  const DirectoryResponse = Success({
    result: Type.Array(Type.Union([DirectoryUser, RoomObject])),
    ...PageInfo,
  });
  /** `GET /api/v1/directory` — searches users or channels by name. */
  app.get(
    '/api/v1/directory',
    {
      onRequest: auth,
      schema: {
        tags: ['directory'],
        querystring: DirectoryQueryString,
        response: { 200: DirectoryResponse, ...errors },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof DirectoryQueryString>;
      const page = pageOf(settings, query);
      const found = await actions.searchDirectory(
        actorOf(request),
        directoryQueryOf(query.query, query.sort, page),
      );
      const result =
        found.type === 'users'
          ? found.page.items.map((u) => presentDirectoryUser(u, found.showEmails))
          : found.type === 'channels'
            ? found.page.items.map((r) => presentRoom(r))
            : [];
      return ok({ result, count: result.length, offset: page.offset, total: found.page.total });
    },
  );

  /** `GET /api/v1/spotlight` — quick search: `@user`, `#room`, or both. */
  app.get(
    '/api/v1/spotlight',
    {
      onRequest: auth,
      schema: {
        tags: ['spotlight'],
        querystring: SpotlightQuery,
        response: {
          200: Success({ users: Type.Array(SpotlightUser), rooms: Type.Array(RoomObject) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { query } = request.query as Static<typeof SpotlightQuery>;
      const { users, rooms } = await actions.spotlight(actorOf(request), query);
      return ok({ users: users.map(presentSpotlightUser), rooms: rooms.map((r) => presentRoom(r)) });
    },
  );

  /** `POST /api/v1/subscriptions.unread` — marks the room unread from a message (or its newest) on. */
  app.post(
    '/api/v1/subscriptions.unread',
    {
      onRequest: auth,
      schema: { tags: ['subscriptions'], body: UnreadBody, response: { 200: Success({}), ...errors } },
    },
    async (request) => {
      const body = request.body as Static<typeof UnreadBody>;
      if (body.firstUnreadMessage !== undefined)
        await actions.markRoomUnread(actorOf(request), {
          messageId: body.firstUnreadMessage._id as MessageId,
        });
      else if (body.roomId !== undefined)
        await actions.markRoomUnread(actorOf(request), { roomId: body.roomId as RoomId });
      else throw ChatError.invalidParams('Body param "roomId" or "firstUnreadMessage" is required');
      return ok({});
    },
  );
}
