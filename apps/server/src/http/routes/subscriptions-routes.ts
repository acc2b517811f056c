import { ErrorResponse, RoomObject, Success, SubscriptionObject } from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RoomId } from '../../domain/shared/ids.js';
import { actorOf } from '../authentication.js';
import { updatedSinceOf } from '../pagination.js';
import { presentRoom, presentRooms, presentSubscription } from '../../presenters/rooms.js';
import { RoomKeyFields, roomKeyOf } from '../room-params.js';
import { ok, type RouteDeps } from '../route-deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const Since = Type.Object({ updatedSince: Type.Optional(Type.String({ maxLength: 64 })) });
const Removed = Type.Object({ _id: Type.String(), _deletedAt: Type.String() });

export function subscriptionsRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { actions, auth } = deps;

  /** `GET /api/v1/subscriptions.get` — the caller's memberships; with `updatedSince`, `{update, remove}` since then. */
  app.get(
    '/api/v1/subscriptions.get',
    {
      onRequest: auth,
      schema: {
        tags: ['subscriptions'],
        querystring: Since,
        response: {
          200: Success({ update: Type.Array(SubscriptionObject), remove: Type.Array(Removed) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const since = updatedSinceOf((request.query as Static<typeof Since>).updatedSince);
      const { update, remove } = await actions.getSubscriptions(actorOf(request), since);
      return ok({
        update: update.map((s) => presentSubscription(s)),
        remove: remove.map((r) => ({ _id: r.id, _deletedAt: new Date(r.deletedAt).toISOString() })),
      });
    },
  );

  const OneQuery = Type.Object({ roomId: Type.String({ minLength: 1, maxLength: 64 }) });
  /** `GET /api/v1/subscriptions.getOne` — the caller's membership in one room, or `null`. */
  app.get(
    '/api/v1/subscriptions.getOne',
    {
      onRequest: auth,
      schema: {
        tags: ['subscriptions'],
        querystring: OneQuery,
        response: {
          200: Success({ subscription: Type.Union([SubscriptionObject, Type.Null()]) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { roomId } = request.query as Static<typeof OneQuery>;
      const subscription = await actions.getSubscription(actorOf(request), roomId as RoomId);
      return ok({ subscription: subscription ? presentSubscription(subscription) : null });
    },
  );

  const ReadBody = Type.Object({
    rid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    roomId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    readThreads: Type.Optional(Type.Boolean()),
  });
  /** `POST /api/v1/subscriptions.read` — marks the room read: unread and mention counters cleared. */
  app.post(
    '/api/v1/subscriptions.read',
    {
      onRequest: auth,
      schema: { tags: ['subscriptions'], body: ReadBody, response: { 200: Success({}), ...errors } },
    },
    async (request) => {
      const body = request.body as Static<typeof ReadBody>;
      const { roomId } = roomKeyOf({ roomId: body.rid ?? body.roomId }) as { roomId: RoomId };
      await actions.markRoomRead(actorOf(request), roomId, body.readThreads ?? true);
      return ok({});
    },
  );

  /** `GET /api/v1/rooms.get` — the caller's rooms; with `updatedSince`, `{update, remove}` since then. */
  app.get(
    '/api/v1/rooms.get',
    {
      onRequest: auth,
      schema: {
        tags: ['rooms'],
        querystring: Since,
        response: {
          200: Success({ update: Type.Array(RoomObject), remove: Type.Array(Removed) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const since = updatedSinceOf((request.query as Static<typeof Since>).updatedSince);
      const { update, remove } = await actions.getRooms(actorOf(request), since);
      return ok({
        update: presentRooms(update, await actions.lastMessagesOf(update), actorOf(request).userId),
        remove: remove.map((r) => ({ _id: r.roomId, _deletedAt: new Date(r.deletedAt).toISOString() })),
      });
    },
  );

  const InfoQuery = Type.Object({ ...RoomKeyFields });
  /** `GET /api/v1/rooms.info` — any room the caller may read. */
  app.get(
    '/api/v1/rooms.info',
    {
      onRequest: auth,
      schema: {
        tags: ['rooms'],
        querystring: InfoQuery,
        response: { 200: Success({ room: RoomObject }), ...errors },
      },
    },
    async (request) => {
      const { room } = await actions.roomInfo(
        actorOf(request),
        roomKeyOf(request.query as Static<typeof InfoQuery>),
        ['c', 'p', 'd'],
      );
      return ok({ room: presentRoom(room) });
    },
  );
}
