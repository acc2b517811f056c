import { ErrorResponse, Id, Iso, Success, UserKeyQuery, UserStatus } from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Presence, UserKey } from '../../domain/presence/presence.js';
import { ChatError } from '../../domain/shared/errors.js';
import type { UserId } from '../../domain/shared/ids.js';
import type { User } from '../../domain/users/user.js';
import { actorOf } from '../authentication.js';
import { ok, type RouteDeps } from '../route-deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const tags = ['users'];

/** Ids per `users.presence?ids=` request: the web client asks for the users on screen. */
const MAX_IDS = 1000;

const SetStatusBody = Type.Object({
  // Any string: an unknown status is Rocket.Chat's 400 `error-invalid-status`, not a schema error.
  status: Type.Optional(Type.String({ maxLength: 32 })),
  message: Type.Optional(Type.String({ maxLength: 1000 })),
  userId: Type.Optional(Id()),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

const StatusResponse = Success({
  _id: Type.String(),
  status: UserStatus,
  message: Type.String(),
  connectionStatus: Type.Optional(Type.String()),
});

const PresenceResponse = Success({
  presence: UserStatus,
  connectionStatus: Type.Optional(Type.String()),
  lastLogin: Type.Optional(Iso),
});

const PresenceQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 date' })),
  ids: Type.Optional(Type.String({ maxLength: 64 * MAX_IDS, description: 'comma-separated user ids' })),
});

const PresenceUser = Type.Object({
  _id: Type.String(),
  username: Type.String(),
  name: Type.String(),
  status: UserStatus,
  utcOffset: Type.Number(),
  statusText: Type.Optional(Type.String()),
  avatarETag: Type.Optional(Type.String()),
});

const PresenceListResponse = Success({ users: Type.Array(PresenceUser), full: Type.Boolean() });

/** `userId` wins over `username`, as in Rocket.Chat's `getUserFromParams`; neither means the caller. */
function keyOf(input: { userId?: string; username?: string }): UserKey | undefined {
  if (input.userId) return { userId: input.userId as UserId };
  if (input.username) return { username: input.username };
  return undefined;
}

// Rocket.Chat projects these fields and leaves `statusText` out while it is unset.
const presentPresence = (user: User) => ({
  _id: user.id,
  username: user.username,
  name: user.name,
  status: user.status,
  utcOffset: user.utcOffset,
  ...(user.statusText !== '' ? { statusText: user.statusText } : {}),
});

export function presenceRoutes(
  app: FastifyInstance,
  deps: RouteDeps,
  presence: Pick<Presence, 'setStatus' | 'getStatus' | 'listPresence'>,
): void {
  const { auth } = deps;

  /** `POST /api/v1/users.setStatus` — the caller's (or, with `edit-other-user-info`, anyone's) status and message. */
  app.post(
    '/api/v1/users.setStatus',
    { onRequest: auth, schema: { tags, body: SetStatusBody, response: { 200: Success({}), ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof SetStatusBody>;
      const user = keyOf(body);
      await presence.setStatus(actorOf(request), {
        ...(body.status !== undefined ? { status: body.status } : {}),
        ...(body.message !== undefined ? { message: body.message } : {}),
        ...(user ? { user } : {}),
      });
      return ok({});
    },
  );

  /** `GET /api/v1/users.getStatus` — a user's status and message; for the caller also `connectionStatus`. */
  app.get(
    '/api/v1/users.getStatus',
    {
      onRequest: auth,
      schema: { tags, querystring: UserKeyQuery, response: { 200: StatusResponse, ...errors } },
    },
    async (request) => {
      const view = await presence.getStatus(
        actorOf(request),
        keyOf(request.query as Static<typeof UserKeyQuery>),
      );
      return ok({
        _id: view.user.id,
        status: view.user.status,
        message: view.user.statusText,
        ...(view.self ? { connectionStatus: view.connectionStatus } : {}),
      });
    },
  );

  /** `GET /api/v1/users.getPresence` — a user's status; for the caller also `connectionStatus` and `lastLogin`. */
  app.get(
    '/api/v1/users.getPresence',
    {
      onRequest: auth,
      schema: { tags, querystring: UserKeyQuery, response: { 200: PresenceResponse, ...errors } },
    },
    async (request) => {
      const view = await presence.getStatus(
        actorOf(request),
        keyOf(request.query as Static<typeof UserKeyQuery>),
      );
      const { user } = view;
      if (!view.self) return ok({ presence: user.status });
      return ok({
        presence: user.status,
        connectionStatus: view.connectionStatus,
        ...(user.lastLogin !== null ? { lastLogin: new Date(user.lastLogin).toISOString() } : {}),
      });
    },
  );

  /**
   * `GET /api/v1/users.presence` — users not offline (`full: true`); with `ids`, those of them not
   * offline; with a `from` less than ten minutes old, the users whose status changed since.
   */
  app.get(
    '/api/v1/users.presence',
    {
      onRequest: auth,
      schema: { tags, querystring: PresenceQuery, response: { 200: PresenceListResponse, ...errors } },
    },
    async (request) => {
      const query = request.query as Static<typeof PresenceQuery>;
      const result = await presence.listPresence(actorOf(request), {
        ...(query.from !== undefined && query.from !== '' ? { from: dateOf(query.from) } : {}),
        ...(query.ids !== undefined && query.ids !== '' ? { ids: idsOf(query.ids) } : {}),
      });
      return ok({ users: result.users.map(presentPresence), full: result.full });
    },
  );
}

function dateOf(raw: string): number {
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw ChatError.invalidParams('The "from" query parameter must be a valid date.');
  return ms;
}

function idsOf(raw: string): UserId[] {
  const ids = raw
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.length > MAX_IDS)
    throw ChatError.invalidParams(`The "ids" query parameter takes at most ${MAX_IDS} ids.`);
  if (ids.some((id) => id.length > 64))
    throw ChatError.invalidParams('The "ids" query parameter holds an invalid id.');
  return ids as UserId[];
}
