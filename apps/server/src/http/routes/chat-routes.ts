import { ErrorResponse, MessageObject, Success } from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { ChatError } from '../../domain/shared/errors.js';
import type { MessageId, RoomId } from '../../domain/shared/ids.js';
import { actorOf } from '../authentication.js';
import { presentMessage } from '../../presenters/rooms.js';
import { ok, type RouteDeps } from '../route-deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const tags = ['chat'];
const Attachment = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 50 });
const Attachments = Type.Array(Attachment, { maxItems: 20 });

const SendBody = Type.Object({
  message: Type.Object({
    _id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    rid: Type.String({ minLength: 1, maxLength: 64 }),
    msg: Type.Optional(Type.String({ maxLength: 100_000 })),
    tmid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    tshow: Type.Optional(Type.Boolean()),
    alias: Type.Optional(Type.String({ maxLength: 128 })),
    emoji: Type.Optional(Type.String({ maxLength: 128 })),
    avatar: Type.Optional(Type.String({ maxLength: 2048 })),
    attachments: Type.Optional(Attachments),
  }),
});

const PostBody = Type.Object({
  roomId: Type.Optional(
    Type.Union([
      Type.String({ minLength: 1, maxLength: 64 }),
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 1 }),
    ]),
  ),
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  text: Type.Optional(Type.String({ maxLength: 100_000 })),
  alias: Type.Optional(Type.String({ maxLength: 128 })),
  emoji: Type.Optional(Type.String({ maxLength: 128 })),
  avatar: Type.Optional(Type.String({ maxLength: 2048 })),
  attachments: Type.Optional(Attachments),
  tmid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

const MessageResponse = Success({ message: MessageObject });

export function chatRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { actions, auth } = deps;

  /** `POST /api/v1/chat.sendMessage` — posts `message` (with an optional client-chosen `_id`). */
  app.post(
    '/api/v1/chat.sendMessage',
    { onRequest: auth, schema: { tags, body: SendBody, response: { 200: MessageResponse, ...errors } } },
    async (request) => {
      const { message } = request.body as Static<typeof SendBody>;
      const sent = await actions.sendMessage(actorOf(request), {
        room: { roomId: message.rid as RoomId },
        msg: message.msg ?? '',
        ...(message._id !== undefined ? { id: message._id } : {}),
        ...(message.tmid !== undefined ? { tmid: message.tmid } : {}),
        ...(message.tshow !== undefined ? { tshow: message.tshow } : {}),
        ...(message.alias !== undefined ? { alias: message.alias } : {}),
        ...(message.emoji !== undefined ? { emoji: message.emoji } : {}),
        ...(message.avatar !== undefined ? { avatar: message.avatar } : {}),
        ...(message.attachments !== undefined ? { attachments: message.attachments } : {}),
      });
      return ok({ message: presentMessage(sent, { viewerId: actorOf(request).userId }) });
    },
  );

  /**
   * `POST /api/v1/chat.postMessage` — the bot-style post: `roomId` or `channel` (`#name`, or
   * `@username` for the DM with that user), `text`, `alias`, `emoji`, `avatar`, `attachments`.
   */
  app.post(
    '/api/v1/chat.postMessage',
    {
      onRequest: auth,
      schema: {
        tags,
        body: PostBody,
        response: {
          200: Success({ ts: Type.Number(), channel: Type.String(), message: MessageObject }),
          ...errors,
        },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof PostBody>;
      const roomId = Array.isArray(body.roomId) ? body.roomId[0] : body.roomId;
      const content = {
        msg: body.text ?? '',
        ...(body.tmid !== undefined ? { tmid: body.tmid } : {}),
        ...(body.alias !== undefined ? { alias: body.alias } : {}),
        ...(body.emoji !== undefined ? { emoji: body.emoji } : {}),
        ...(body.avatar !== undefined ? { avatar: body.avatar } : {}),
        ...(body.attachments !== undefined ? { attachments: body.attachments } : {}),
      };
      const actor = actorOf(request);
      let sent;
      if (roomId !== undefined)
        sent = await actions.sendMessage(actor, { ...content, room: { roomId: roomId as RoomId } });
      else if (body.channel?.startsWith('@'))
        sent = await actions.sendToUser(actor, body.channel.slice(1), content);
      // `#name`, a bare name, or a room id: Rocket.Chat looks the channel up by name, then by id.
      else if (body.channel !== undefined)
        sent = await actions.sendMessage(actor, { ...content, room: { roomName: body.channel } });
      else throw ChatError.invalid('error-invalid-channel', 'Source is invalid: give roomId or channel');
      return ok({
        ts: sent.ts,
        channel: body.channel ?? sent.rid,
        message: presentMessage(sent, { viewerId: actorOf(request).userId }),
      });
    },
  );

  const GetQuery = Type.Object({ msgId: Type.String({ minLength: 1, maxLength: 64 }) });
  /** `GET /api/v1/chat.getMessage` — one message the caller may read. */
  app.get(
    '/api/v1/chat.getMessage',
    {
      onRequest: auth,
      schema: { tags, querystring: GetQuery, response: { 200: MessageResponse, ...errors } },
    },
    async (request) => {
      const { msgId } = request.query as Static<typeof GetQuery>;
      return ok({
        message: presentMessage(await actions.getMessage(actorOf(request), msgId as MessageId), {
          viewerId: actorOf(request).userId,
        }),
      });
    },
  );
}
