import {
  ROCKETCHAT_COMPAT_VERSION,
  SetupCreateAdminBody,
  ErrorResponse,
  Success,
  UserObject,
} from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { Type, type Static } from 'typebox';
import type { Store } from '../../domain/ports/store.js';
import { presentUser } from '../../presenters/user.js';
import { ok, type RouteDeps } from '../route-deps.js';

export interface OperationsDeps extends RouteDeps {
  readonly store: Pick<Store, 'ping' | 'schemaVersion'>;
  readonly metrics: Registry;
  readonly version: string;
}

const InfoResponse = Success({
  version: Type.String(),
  minimumClientVersions: Type.Object({ desktop: Type.String(), mobile: Type.String() }),
  parley: Type.Object({ version: Type.String(), schemaVersion: Type.Union([Type.String(), Type.Null()]) }),
  info: Type.Optional(Type.Object({ version: Type.String() }, { additionalProperties: true })),
});

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  schemaVersion: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});

/** Health, readiness, metrics, server info, and the first-run setup endpoints. */
export function operationsRoutes(app: FastifyInstance, deps: OperationsDeps): void {
  const { actions, store, metrics, version, publicUrl } = deps;

  /** `GET /api/info` — the Rocket.Chat version Parley answers like, and Parley's own. */
  app.get('/api/info', { schema: { tags: ['operations'], response: { 200: InfoResponse } } }, async () => {
    return ok({
      version: ROCKETCHAT_COMPAT_VERSION,
      minimumClientVersions: { desktop: '3.9.0', mobile: '4.0.0' },
      parley: { version, schemaVersion: await store.schemaVersion() },
    });
  });

  /** `GET /livez` — the process is up. */
  app.get('/livez', { schema: { tags: ['operations'], response: { 200: Health } } }, () => ({
    status: 'ok',
  }));

  /** `GET /readyz` — the database answers and migrations are done; 503 otherwise. */
  app.get(
    '/readyz',
    { schema: { tags: ['operations'], response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      try {
        await store.ping();
        const schemaVersion = await store.schemaVersion();
        if (schemaVersion === null)
          return reply.code(503).send({ status: 'unavailable', reason: 'migrations not applied' });
        return { status: 'ok', schemaVersion };
      } catch {
        return reply.code(503).send({ status: 'unavailable', reason: 'database unreachable' });
      }
    },
  );

  /** `GET /metrics` — Prometheus text format. */
  app.get(
    '/metrics',
    { schema: { tags: ['operations'], produces: ['text/plain'] } },
    async (_request, reply) => {
      return reply.header('Content-Type', metrics.contentType).send(await metrics.metrics());
    },
  );

  /** `GET /api/v1/setup.info` — whether the first admin still has to be created. */
  app.get(
    '/api/v1/setup.info',
    { schema: { tags: ['setup'], response: { 200: Success({ setupRequired: Type.Boolean() }) } } },
    async () => {
      return ok({ setupRequired: await actions.setupRequired() });
    },
  );

  /**
   * `POST /api/v1/setup.createAdmin` — Parley's own: the setup wizard creates the first admin with
   * the one-time token printed in the server's log.
   */
  app.post(
    '/api/v1/setup.createAdmin',
    {
      schema: {
        tags: ['setup'],
        body: SetupCreateAdminBody,
        response: { 200: Success({ user: UserObject }), 400: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request) => {
      const { token, ...account } = request.body as Static<typeof SetupCreateAdminBody>;
      const admin = await actions.createFirstAdmin(token, account);
      return ok({ user: presentUser(admin, { full: true, publicUrl }) });
    },
  );
}
