import { ErrorResponse, Id, Iso, MessageObject, PageInfo, Pagination, Success } from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Paged } from '../../domain/ports/store.js';
import type { Message } from '../../domain/messages/message.js';
import { ChatError } from '../../domain/shared/errors.js';
import type { MessageId, RoomId } from '../../domain/shared/ids.js';
import { actorOf } from '../authentication.js';
import { pageOf, sortOf, updatedSinceOf } from '../pagination.js';
import { presentMessage } from '../../presenters/rooms.js';
import { dateOf } from '../room-params.js';
import { ok, type RouteDeps } from '../route-deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const tags = ['chat'];
const Empty = Success({});
const MessageResponse = Success({ message: MessageObject });
const MessagePage = Success({ messages: Type.Array(MessageObject), ...PageInfo });

const UpdateBody = Type.Object({
  roomId: Id(),
  msgId: Id(),
  text: Type.String({ maxLength: 100_000 }),
  previewUrls: Type.Optional(Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 20 })),
});
const DeleteBody = Type.Object({ roomId: Id(), msgId: Id(), asUser: Type.Optional(Type.Boolean()) });
const DeleteResponse = Success({
  _id: Type.String(),
  ts: Type.String({ description: 'Epoch milliseconds, as a string' }),
  message: Type.Object({
    _id: Type.String(),
    rid: Type.String(),
    u: Type.Object({ _id: Type.String(), username: Type.String(), name: Type.Optional(Type.String()) }),
  }),
});
const ReactBody = Type.Object({
  messageId: Id(),
  emoji: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  /** Older clients send `reaction`. */
  reaction: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
  shouldReact: Type.Optional(Type.Boolean()),
});
const MessageIdBody = Type.Object({ messageId: Id() });
const RoomListQuery = Type.Object({ roomId: Id(), ...Pagination });
const SyncQuery = Type.Object({
  roomId: Id(),
  lastUpdate: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 date' })),
  count: Pagination.count,
});
const SyncResponse = Success({
  result: Type.Object({
    updated: Type.Array(MessageObject),
    deleted: Type.Array(Type.Object({ _id: Type.String(), _deletedAt: Iso })),
  }),
});
const DeletedQuery = Type.Object({
  roomId: Id(),
  since: Type.String({ minLength: 1, maxLength: 64, description: 'ISO 8601 date' }),
  count: Pagination.count,
  offset: Pagination.offset,
});
const ThreadsQuery = Type.Object({
  rid: Id(),
  type: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('following'), Type.Literal('unread')])),
  text: Type.Optional(Type.String({ maxLength: 200 })),
  count: Pagination.count,
  offset: Pagination.offset,
});
const ThreadMessagesQuery = Type.Object({ tmid: Id(), count: Pagination.count, offset: Pagination.offset });
const SyncThreadQuery = Type.Object({
  tmid: Id(),
  updatedSince: Type.String({ minLength: 1, maxLength: 64, description: 'ISO 8601 date' }),
  count: Pagination.count,
});
const FollowBody = Type.Object({ mid: Id() });
const ReceiptsQuery = Type.Object({ messageId: Id() });
const ReceiptsResponse = Success({
  receipts: Type.Array(
    Type.Object({
      _id: Type.String(),
      roomId: Type.String(),
      userId: Type.String(),
      messageId: Type.String(),
      ts: Iso,
      user: Type.Object({ _id: Type.String(), username: Type.String(), name: Type.String() }),
    }),
  ),
});

function messagePage(result: Paged<Message>, offset: number, viewerId: string) {
  return ok({
    messages: result.items.map((m) => presentMessage(m, { viewerId })),
    count: result.items.length,
    offset,
    total: result.total,
  });
}

/** Routes for chat beyond sending: edit, delete, react, pin, star, threads, sync, read receipts. */
export function chatExtraRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { actions, auth, settings } = deps;

  /** `POST /api/v1/chat.update` — edits the text of a message. */
  app.post(
    '/api/v1/chat.update',
    { onRequest: auth, schema: { tags, body: UpdateBody, response: { 200: MessageResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof UpdateBody>;
      const message = await actions.updateMessage(actorOf(request), {
        roomId: body.roomId as RoomId,
        msgId: body.msgId as MessageId,
        text: body.text,
      });
      return ok({ message: presentMessage(message, { viewerId: actorOf(request).userId }) });
    },
  );

  /** `POST /api/v1/chat.delete` — deletes a message, leaving a tombstone for sync. */
  app.post(
    '/api/v1/chat.delete',
    { onRequest: auth, schema: { tags, body: DeleteBody, response: { 200: DeleteResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof DeleteBody>;
      const { message, deletedAt } = await actions.deleteMessage(actorOf(request), {
        roomId: body.roomId as RoomId,
        msgId: body.msgId as MessageId,
        ...(body.asUser !== undefined ? { asUser: body.asUser } : {}),
      });
      return ok({
        _id: message.id,
        ts: String(deletedAt),
        message: { _id: message.id, rid: message.rid, u: { ...message.u } },
      });
    },
  );

  /** `POST /api/v1/chat.react` — adds or removes the caller's reaction on a message. */
  app.post(
    '/api/v1/chat.react',
    { onRequest: auth, schema: { tags, body: ReactBody, response: { 200: Empty, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof ReactBody>;
      const emoji = body.emoji ?? body.reaction;
      if (emoji === undefined) throw ChatError.invalidParams("must have required property 'emoji'");
      await actions.reactToMessage(actorOf(request), {
        messageId: body.messageId as MessageId,
        emoji,
        ...(body.shouldReact !== undefined ? { shouldReact: body.shouldReact } : {}),
      });
      return ok({});
    },
  );

  /** `POST /api/v1/chat.pinMessage` — pins a message; answers with the `message_pinned` notice. */
  app.post(
    '/api/v1/chat.pinMessage',
    { onRequest: auth, schema: { tags, body: MessageIdBody, response: { 200: MessageResponse, ...errors } } },
    async (request) => {
      const { messageId } = request.body as Static<typeof MessageIdBody>;
      const notice = await actions.pinMessage(actorOf(request), messageId as MessageId);
      return ok({ message: presentMessage(notice, { viewerId: actorOf(request).userId }) });
    },
  );

  /** `POST /api/v1/chat.unPinMessage`. */
  app.post(
    '/api/v1/chat.unPinMessage',
    { onRequest: auth, schema: { tags, body: MessageIdBody, response: { 200: Empty, ...errors } } },
    async (request) => {
      const { messageId } = request.body as Static<typeof MessageIdBody>;
      await actions.unpinMessage(actorOf(request), messageId as MessageId);
      return ok({});
    },
  );

  for (const [path, starred] of [
    ['/api/v1/chat.starMessage', true],
    ['/api/v1/chat.unStarMessage', false],
  ] as const) {
    /** `POST /api/v1/chat.starMessage` and `chat.unStarMessage` — the caller's bookmarks. */
    app.post(
      path,
      { onRequest: auth, schema: { tags, body: MessageIdBody, response: { 200: Empty, ...errors } } },
      async (request) => {
        const { messageId } = request.body as Static<typeof MessageIdBody>;
        await actions.setStarred(actorOf(request), { messageId: messageId as MessageId, starred });
        return ok({});
      },
    );
  }

  const lists = {
    '/api/v1/chat.getPinnedMessages': actions.pinnedMessages,
    '/api/v1/chat.getStarredMessages': actions.starredMessages,
    '/api/v1/chat.getMentionedMessages': actions.mentionedMessages,
  } as const;
  for (const [path, list] of Object.entries(lists)) {
    /** Pinned, starred (by the caller) and mentioning (the caller) messages of a room, newest first. */
    app.get(
      path,
      {
        onRequest: auth,
        schema: { tags, querystring: RoomListQuery, response: { 200: MessagePage, ...errors } },
      },
      async (request) => {
        const query = request.query as Static<typeof RoomListQuery>;
        const page = pageOf(settings, query);
        const sort = sortOf(query.sort, { ts: 'ts' });
        const result = await list(actorOf(request), {
          roomId: query.roomId as RoomId,
          ...page,
          order: sort?.direction === 1 ? 'oldest' : 'newest',
        });
        return messagePage(result, page.offset, actorOf(request).userId);
      },
    );
  }

  /** `GET /api/v1/chat.syncMessages` — what changed and what was deleted in a room since `lastUpdate`. */
  app.get(
    '/api/v1/chat.syncMessages',
    { onRequest: auth, schema: { tags, querystring: SyncQuery, response: { 200: SyncResponse, ...errors } } },
    async (request) => {
      const query = request.query as Static<typeof SyncQuery>;
      const since = query.lastUpdate === undefined ? Number.NaN : Date.parse(query.lastUpdate);
      if (!Number.isFinite(since)) {
        throw ChatError.invalid(
          'error-lastUpdate-param-invalid',
          'The "lastUpdate" query parameter must be a valid date.',
        );
      }
      const { count } = pageOf(settings, { count: query.count ?? 0 });
      const changes = await actions.syncMessages(actorOf(request), {
        roomId: query.roomId as RoomId,
        since,
        count,
      });
      return ok({
        result: {
          updated: changes.updated.map((m) => presentMessage(m, { viewerId: actorOf(request).userId })),
          deleted: changes.deleted.map((m) => ({
            _id: m.id,
            _deletedAt: new Date(m.deletedAt ?? m.updatedAt).toISOString(),
          })),
        },
      });
    },
  );

  /** `GET /api/v1/chat.getDeletedMessages` — ids of the room's messages deleted since `since`. */
  app.get(
    '/api/v1/chat.getDeletedMessages',
    {
      onRequest: auth,
      schema: {
        tags,
        querystring: DeletedQuery,
        response: {
          200: Success({ messages: Type.Array(Type.Object({ _id: Type.String() })), ...PageInfo }),
          ...errors,
        },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof DeletedQuery>;
      const since = dateOf('since', query.since) ?? 0;
      const page = pageOf(settings, query);
      const result = await actions.deletedMessages(actorOf(request), {
        roomId: query.roomId as RoomId,
        since,
        ...page,
      });
      return ok({
        messages: result.items.map((m) => ({ _id: m.id })),
        count: result.items.length,
        offset: page.offset,
        total: result.total,
      });
    },
  );

  /** `GET /api/v1/chat.getThreadsList` — a room's threads, most recent reply first. */
  app.get(
    '/api/v1/chat.getThreadsList',
    {
      onRequest: auth,
      schema: {
        tags,
        querystring: ThreadsQuery,
        response: { 200: Success({ threads: Type.Array(MessageObject), ...PageInfo }), ...errors },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof ThreadsQuery>;
      const page = pageOf(settings, query);
      const result = await actions.listThreads(actorOf(request), {
        roomId: query.rid as RoomId,
        ...page,
        ...(query.type !== undefined ? { type: query.type } : {}),
        ...(query.text !== undefined ? { text: query.text } : {}),
      });
      return ok({
        threads: result.items.map((m) => presentMessage(m, { viewerId: actorOf(request).userId })),
        count: result.items.length,
        offset: page.offset,
        total: result.total,
      });
    },
  );

  /** `GET /api/v1/chat.getThreadMessages` — a thread's replies, oldest first. */
  app.get(
    '/api/v1/chat.getThreadMessages',
    {
      onRequest: auth,
      schema: { tags, querystring: ThreadMessagesQuery, response: { 200: MessagePage, ...errors } },
    },
    async (request) => {
      const query = request.query as Static<typeof ThreadMessagesQuery>;
      const page = pageOf(settings, query);
      const result = await actions.threadMessages(actorOf(request), {
        tmid: query.tmid as MessageId,
        ...page,
      });
      return messagePage(result, page.offset, actorOf(request).userId);
    },
  );

  /** `GET /api/v1/chat.syncThreadMessages` — a thread's replies changed or deleted since `updatedSince`. */
  app.get(
    '/api/v1/chat.syncThreadMessages',
    {
      onRequest: auth,
      schema: {
        tags,
        querystring: SyncThreadQuery,
        response: {
          200: Success({
            messages: Type.Object({
              update: Type.Array(MessageObject),
              remove: Type.Array(MessageObject),
            }),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof SyncThreadQuery>;
      const since = updatedSinceOf(query.updatedSince) ?? 0;
      const { count } = pageOf(settings, { count: query.count ?? 0 });
      const changes = await actions.syncThreadMessages(actorOf(request), {
        tmid: query.tmid as MessageId,
        since,
        count,
      });
      return ok({
        messages: {
          update: changes.update.map((m) => presentMessage(m, { viewerId: actorOf(request).userId })),
          remove: changes.remove.map((m) => presentMessage(m, { viewerId: actorOf(request).userId })),
        },
      });
    },
  );

  for (const [path, follow] of [
    ['/api/v1/chat.followMessage', true],
    ['/api/v1/chat.unfollowMessage', false],
  ] as const) {
    /** `POST /api/v1/chat.followMessage` and `chat.unfollowMessage` — join or leave a thread's followers. */
    app.post(
      path,
      { onRequest: auth, schema: { tags, body: FollowBody, response: { 200: Empty, ...errors } } },
      async (request) => {
        const { mid } = request.body as Static<typeof FollowBody>;
        await actions.setFollowing(actorOf(request), { mid: mid as MessageId, follow });
        return ok({});
      },
    );
  }

  /** `GET /api/v1/chat.getMessageReadReceipts` — who has read a message (free in Parley). */
  app.get(
    '/api/v1/chat.getMessageReadReceipts',
    {
      onRequest: auth,
      schema: { tags, querystring: ReceiptsQuery, response: { 200: ReceiptsResponse, ...errors } },
    },
    async (request) => {
      const { messageId } = request.query as Static<typeof ReceiptsQuery>;
      const receipts = await actions.messageReadReceipts(actorOf(request), messageId as MessageId);
      return ok({
        receipts: receipts.map((r) => ({
          _id: r.id,
          roomId: r.roomId,
          userId: r.userId,
          messageId: r.messageId,
          ts: new Date(r.ts).toISOString(),
          user: { _id: r.user._id, username: r.user.username, name: r.user.name ?? r.user.username },
        })),
      });
    },
  );
}
