import {
  ErrorResponse,
  Success,
  UserKeyQuery,
  UserResponse,
  UsersCreateBody,
  UsersDeleteBody,
  UsersListQuery,
  UsersListResponse,
  UsersRegisterBody,
  UsersSetActiveStatusBody,
  UsersSetPreferencesBody,
  UsersUpdateBody,
  UsersUpdateOwnBasicInfoBody,
} from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { ChatError } from '../../domain/shared/errors.js';
import type { UserId } from '../../domain/shared/ids.js';
import { effectivePreferences } from '../../domain/users/preferences.js';
import { actorOf } from '../authentication.js';
import { pageOf, sortOf } from '../pagination.js';
import { presentUser } from '../../presenters/user.js';
import { ok, type RouteDeps } from '../route-deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const tags = ['users'];
const Preferences = Type.Object({}, { additionalProperties: true });

function userKey(input: { userId?: string; username?: string }): { userId: UserId } | { username: string } {
  if (input.userId) return { userId: input.userId as UserId };
  if (input.username) return { username: input.username };
  throw ChatError.invalid(
    'error-user-param-not-provided',
    'The required "userId" or "username" param was not provided',
  );
}

export function usersRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { actions, auth, publicUrl, settings } = deps;
  const full = (user: Parameters<typeof presentUser>[0]) => presentUser(user, { full: true, publicUrl });

  /** `POST /api/v1/users.create` — an admin creates an account (`create-user`). */
  app.post(
    '/api/v1/users.create',
    { onRequest: auth, schema: { tags, body: UsersCreateBody, response: { 200: UserResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof UsersCreateBody>;
      const user = await actions.createUser(actorOf(request), body);
      return ok({ user: full(user) });
    },
  );

  /** `POST /api/v1/users.register` — self-service sign-up, when `Accounts_RegistrationForm` allows it. */
  app.post(
    '/api/v1/users.register',
    { schema: { tags, body: UsersRegisterBody, response: { 200: UserResponse, ...errors } } },
    async (request) => {
      const user = await actions.registerUser(request.body as Static<typeof UsersRegisterBody>);
      return ok({ user: full(user) });
    },
  );

  /** `GET /api/v1/users.info` — one user by `userId` or `username`. */
  app.get(
    '/api/v1/users.info',
    {
      onRequest: auth,
      schema: { tags, querystring: UserKeyQuery, response: { 200: UserResponse, ...errors } },
    },
    async (request) => {
      const view = await actions.getUserInfo(
        actorOf(request),
        userKey(request.query as Static<typeof UserKeyQuery>),
      );
      return ok({ user: presentUser(view.user, { full: view.full, publicUrl }) });
    },
  );

  /** `GET /api/v1/users.list` — paginated accounts, sorted by `sort={"username":1}`. */
  app.get(
    '/api/v1/users.list',
    {
      onRequest: auth,
      schema: { tags, querystring: UsersListQuery, response: { 200: UsersListResponse, ...errors } },
    },
    async (request) => {
      const query = request.query as Static<typeof UsersListQuery>;
      const page = pageOf(settings, query);
      const sort = sortOf(query.sort, {
        username: 'username',
        name: 'name',
        createdAt: 'createdAt',
        lastLogin: 'lastLogin',
      } as const);
      const result = await actions.listUsers(actorOf(request), { ...page, ...(sort ? { sort } : {}) });
      return ok({
        users: result.items.map((u) => presentUser(u, { full: result.full, publicUrl })),
        count: result.items.length,
        offset: page.offset,
        total: result.total,
      });
    },
  );

  /** `POST /api/v1/users.update` — an admin edits an account. */
  app.post(
    '/api/v1/users.update',
    { onRequest: auth, schema: { tags, body: UsersUpdateBody, response: { 200: UserResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof UsersUpdateBody>;
      const user = await actions.updateUser(actorOf(request), body.userId as UserId, body.data);
      return ok({ user: full(user) });
    },
  );

  /** `POST /api/v1/users.delete` — removes an account (`delete-user`). */
  app.post(
    '/api/v1/users.delete',
    { onRequest: auth, schema: { tags, body: UsersDeleteBody, response: { 200: Success({}), ...errors } } },
    async (request) => {
      await actions.deleteUser(actorOf(request), userKey(request.body as Static<typeof UsersDeleteBody>));
      return ok({});
    },
  );

  /** `POST /api/v1/users.setActiveStatus` — (de)activates an account; deactivation ends its sessions. */
  app.post(
    '/api/v1/users.setActiveStatus',
    {
      onRequest: auth,
      schema: {
        tags,
        body: UsersSetActiveStatusBody,
        response: {
          200: Success({ user: Type.Object({ _id: Type.String(), active: Type.Boolean() }) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof UsersSetActiveStatusBody>;
      const user = await actions.setActiveStatus(actorOf(request), body.userId as UserId, body.activeStatus);
      return ok({ user: { _id: user.id, active: user.active } });
    },
  );

  /** `POST /api/v1/users.updateOwnBasicInfo` — the caller edits their own profile. */
  app.post(
    '/api/v1/users.updateOwnBasicInfo',
    {
      onRequest: auth,
      schema: { tags, body: UsersUpdateOwnBasicInfoBody, response: { 200: UserResponse, ...errors } },
    },
    async (request) => {
      const body = request.body as Static<typeof UsersUpdateOwnBasicInfoBody>;
      const user = await actions.updateOwnBasicInfo(actorOf(request), body.data);
      return ok({ user: full(user) });
    },
  );

  /** `GET /api/v1/users.getPreferences` — the caller's preferences with defaults. */
  app.get(
    '/api/v1/users.getPreferences',
    {
      onRequest: auth,
      schema: { tags, response: { 200: Success({ preferences: Preferences }), ...errors } },
    },
    async (request) => {
      return ok({ preferences: await actions.getPreferences(actorOf(request)) });
    },
  );

  /** `POST /api/v1/users.setPreferences` — saves some of the caller's preferences. */
  app.post(
    '/api/v1/users.setPreferences',
    {
      onRequest: auth,
      schema: {
        tags,
        body: UsersSetPreferencesBody,
        response: {
          200: Success({
            user: Type.Object({ _id: Type.String(), settings: Type.Object({ preferences: Preferences }) }),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof UsersSetPreferencesBody>;
      const user = await actions.setPreferences(actorOf(request), {
        ...(body.userId ? { userId: body.userId as UserId } : {}),
        data: body.data,
      });
      return ok({
        user: { _id: user.id, settings: { preferences: effectivePreferences(user.preferences) } },
      });
    },
  );
}
