import {
  ErrorResponse,
  PageInfo,
  Pagination,
  SettingObject,
  SettingUpdateBody,
  Success,
} from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { ChatError } from '../../domain/shared/errors.js';
import { actorOf } from '../authentication.js';
import { pageOf } from '../pagination.js';
import { presentSetting } from '../../presenters/permissions.js';
import { ok, type RouteDeps } from '../route-deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const tags = ['settings'];
const SettingParams = Type.Object({ _id: Type.String({ minLength: 1, maxLength: 128 }) });
const PublicQuery = Type.Object({ ...Pagination, query: Type.Optional(Type.String({ maxLength: 2000 })) });

export function settingsRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { actions, auth, settings } = deps;

  /** `GET /api/v1/settings.public` — settings anyone may read, no login needed. */
  app.get(
    '/api/v1/settings.public',
    {
      schema: {
        tags,
        querystring: PublicQuery,
        response: { 200: Success({ settings: Type.Array(SettingObject), ...PageInfo }), ...errors },
      },
    },
    (request) => {
      const query = request.query as Static<typeof PublicQuery>;
      const page = pageOf(settings, query);
      const ids = idsFilter(query.query);
      const all = actions.publicSettings().filter((s) => ids === null || ids.includes(s.id));
      const items = all.slice(page.offset, page.offset + page.count);
      return ok({
        settings: items.map((s) => presentSetting(s, 'public')),
        count: items.length,
        offset: page.offset,
        total: all.length,
      });
    },
  );

  /** `GET /api/v1/settings/:_id` — one setting; private ones need `view-privileged-setting`. */
  app.get(
    '/api/v1/settings/:_id',
    {
      onRequest: auth,
      schema: {
        tags,
        params: SettingParams,
        response: { 200: Success(SettingObject.properties), ...errors },
      },
    },
    async (request) => {
      const { _id } = request.params as Static<typeof SettingParams>;
      return ok(presentSetting(await actions.getSetting(actorOf(request), _id), 'admin'));
    },
  );

  /** `POST /api/v1/settings/:_id` — changes a setting (`edit-privileged-setting`); applies at once. */
  app.post(
    '/api/v1/settings/:_id',
    {
      onRequest: auth,
      schema: {
        tags,
        params: SettingParams,
        body: SettingUpdateBody,
        response: { 200: Success({}), ...errors },
      },
    },
    async (request) => {
      const { _id } = request.params as Static<typeof SettingParams>;
      const body = request.body as Static<typeof SettingUpdateBody>;
      if (body.execute === true)
        throw ChatError.invalid('error-action-not-allowed', `Setting ${_id} is not an action`);
      if (!('value' in body)) throw ChatError.invalidParams("must have required property 'value'");
      await actions.updateSetting(actorOf(request), _id, body.value);
      return ok({});
    },
  );
}

/**
 * Rocket.Chat clients filter public settings with `query={"_id":{"$in":[...]}}`; that one form is
 * understood. Anything else is refused rather than silently ignored.
 */
function idsFilter(raw: string | undefined): string[] | null {
  if (raw === undefined || raw === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw ChatError.invalid('error-invalid-query', 'Invalid query parameter: not JSON');
  }
  const inList = (parsed as { _id?: { $in?: unknown } } | null)?._id?.$in;
  if (Array.isArray(inList) && inList.every((v) => typeof v === 'string')) return inList;
  const single = (parsed as { _id?: unknown } | null)?._id;
  if (typeof single === 'string') return [single];
  throw ChatError.invalid(
    'error-invalid-query',
    'Invalid query parameter: only {"_id":{"$in":[...]}} is supported',
  );
}
