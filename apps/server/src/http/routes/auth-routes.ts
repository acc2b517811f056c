import {
  ErrorResponse,
  LoginBody,
  LoginResponse,
  LogoutResponse,
  MeObject,
  Success,
  UsersLogoutBody,
} from '@parley/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { LoginRequest } from '../../domain/auth/login.js';
import { ChatError } from '../../domain/shared/errors.js';
import type { UserId } from '../../domain/shared/ids.js';
import { actorOf } from '../authentication.js';
import { presentMe } from '../../presenters/user.js';
import { ok, type RouteDeps } from '../route-deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse };

export function authRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { actions, publicUrl, auth } = deps;

  /** `POST /api/v1/login` — password or resume login; answers in the legacy `status`/`data` envelope. */
  app.post(
    '/api/v1/login',
    { schema: { tags: ['auth'], body: LoginBody, response: { 200: LoginResponse, ...errors } } },
    async (request) => {
      const result = await actions.login(loginRequest(request.body as Static<typeof LoginBody>, request));
      return {
        status: 'success' as const,
        data: { userId: result.user.id, authToken: result.authToken, me: presentMe(result.user, publicUrl) },
        success: true as const,
      };
    },
  );

  const logout = async (request: FastifyRequest) => {
    await actions.logout(actorOf(request));
    return {
      status: 'success' as const,
      data: { message: "You've been logged out!" },
      success: true as const,
    };
  };
  /** `POST /api/v1/logout` — forgets the token this request came with. */
  app.post(
    '/api/v1/logout',
    { onRequest: auth, schema: { tags: ['auth'], response: { 200: LogoutResponse, ...errors } } },
    logout,
  );
  /** `GET /api/v1/logout` — deprecated twin kept for old clients. */
  app.get(
    '/api/v1/logout',
    {
      onRequest: auth,
      schema: { tags: ['auth'], deprecated: true, response: { 200: LogoutResponse, ...errors } },
    },
    logout,
  );

  /** `GET /api/v1/me` — the caller's own account, flattened into the envelope. */
  app.get(
    '/api/v1/me',
    {
      onRequest: auth,
      schema: { tags: ['auth'], response: { 200: Success(MeObject.properties), ...errors } },
    },
    async (request) => {
      const user = await actions.me(actorOf(request).userId);
      if (!user) throw ChatError.notLoggedIn();
      return ok(presentMe(user, publicUrl));
    },
  );

  /** `POST /api/v1/users.logout` — ends the caller's other sessions, or another user's with `logout-other-user`. */
  app.post(
    '/api/v1/users.logout',
    {
      onRequest: auth,
      schema: {
        tags: ['auth'],
        body: UsersLogoutBody,
        response: { 200: Success({ message: Type.String() }), ...errors },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof UsersLogoutBody>;
      const userId = await actions.logoutOtherSessions(actorOf(request), body.userId as UserId | undefined);
      return ok({ message: `User ${userId} has been logged out!` });
    },
  );
}

function loginRequest(body: Static<typeof LoginBody>, request: FastifyRequest): LoginRequest {
  const address = request.ip;
  if (body.resume !== undefined) return { kind: 'resume', token: body.resume, address };
  if (body.password === undefined) throw ChatError.invalidParams("must have required property 'password'");
  const password = body.password;
  let identity: { username: string } | { email: string } | undefined;
  if (typeof body.user === 'string')
    identity = body.user.includes('@') ? { email: body.user } : { username: body.user };
  else if (body.user !== undefined) identity = body.user;
  else if (body.username !== undefined) identity = { username: body.username };
  else if (body.email !== undefined) identity = { email: body.email };
  if (identity === undefined) throw ChatError.invalidParams("must have required property 'user'");
  return { kind: 'password', identity, password, address };
}
