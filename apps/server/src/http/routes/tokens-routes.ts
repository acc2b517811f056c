import {
  ErrorResponse,
  PersonalAccessTokenBody,
  PersonalAccessTokenList,
  PersonalAccessTokenNameBody,
  Success,
} from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { actorOf } from '../authentication.js';
import { presentPersonalToken } from '../../presenters/user.js';
import { ok, type RouteDeps } from '../route-deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const tags = ['personal access tokens'];
const TokenResponse = Success({ token: Type.String() });

/** Personal access tokens: named, long-lived tokens for scripts and bots (`create-personal-access-tokens`). */
export function tokensRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { actions, auth } = deps;

  app.post(
    '/api/v1/users.generatePersonalAccessToken',
    {
      onRequest: auth,
      schema: { tags, body: PersonalAccessTokenBody, response: { 200: TokenResponse, ...errors } },
    },
    async (request) => {
      const body = request.body as Static<typeof PersonalAccessTokenBody>;
      return ok({ token: await actions.generatePersonalAccessToken(actorOf(request), body) });
    },
  );

  app.post(
    '/api/v1/users.regeneratePersonalAccessToken',
    {
      onRequest: auth,
      schema: { tags, body: PersonalAccessTokenNameBody, response: { 200: TokenResponse, ...errors } },
    },
    async (request) => {
      const body = request.body as Static<typeof PersonalAccessTokenNameBody>;
      return ok({ token: await actions.regeneratePersonalAccessToken(actorOf(request), body.tokenName) });
    },
  );

  app.get(
    '/api/v1/users.getPersonalAccessTokens',
    { onRequest: auth, schema: { tags, response: { 200: PersonalAccessTokenList, ...errors } } },
    async (request) => {
      const tokens = await actions.listPersonalAccessTokens(actorOf(request));
      return ok({ tokens: tokens.map(presentPersonalToken) });
    },
  );

  app.post(
    '/api/v1/users.removePersonalAccessToken',
    {
      onRequest: auth,
      schema: { tags, body: PersonalAccessTokenNameBody, response: { 200: Success({}), ...errors } },
    },
    async (request) => {
      const body = request.body as Static<typeof PersonalAccessTokenNameBody>;
      await actions.removePersonalAccessToken(actorOf(request), body.tokenName);
      return ok({});
    },
  );
}
