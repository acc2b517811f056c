import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import type { Actions } from '../domain/actions.js';
import type { Store } from '../domain/ports/store.js';
import type { SettingsCache } from '../domain/settings/settings-cache.js';
import { requireAuth } from './authentication.js';
import { registerErrorHandling } from './errors.js';
import { authRoutes } from './routes/auth-routes.js';
import { operationsRoutes } from './routes/operations-routes.js';
import { permissionsRoutes } from './routes/permissions-routes.js';
import { settingsRoutes } from './routes/settings-routes.js';
import { tokensRoutes } from './routes/tokens-routes.js';
import { usersRoutes } from './routes/users-routes.js';
import { CHANNELS, GROUPS, roomFamilyRoutes } from './routes/rooms-routes.js';
import { chatRoutes } from './routes/chat-routes.js';
import { subscriptionsRoutes } from './routes/subscriptions-routes.js';
import { roomAdminRoutes } from './routes/rooms-admin-routes.js';
import { chatExtraRoutes } from './routes/chat-extra-routes.js';
import { imRoutes } from './routes/im-routes.js';
import type { RouteDeps } from './route-deps.js';
import type { Presence } from '../domain/presence/presence.js';
import { presenceRoutes } from './routes/presence-routes.js';
import { createValidatorCompiler } from './validation.js';

export interface HttpServerOptions {
  readonly actions: Actions;
  readonly settings: SettingsCache;
  readonly store: Pick<Store, 'ping' | 'schemaVersion'>;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly publicUrl: string;
  readonly version: string;
  readonly presence: Pick<Presence, 'setStatus' | 'getStatus' | 'listPresence'>;
  /** Largest request body accepted, in bytes; larger gets 413. */
  readonly bodyLimit?: number;
}

/** The Fastify edge: Rocket.Chat's envelope, every route with its schemas, OpenAPI at `/api/docs/json`. */
export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: false,
    // Per-request lines are left to the metrics; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.decorateRequest('actor', null);
  app.setValidatorCompiler(createValidatorCompiler());

  // Rocket.Chat's clients and test suite compare Content-Type exactly: no charset.
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json'))
      void reply.header('content-type', 'application/json');
    done(null, payload);
  });

  const duration = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP request duration by route, method and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [options.metrics],
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });

  // Rocket.Chat's clients post without a body (or with an empty one under a JSON Content-Type)
  // to routes whose parameters are all optional; Rocket.Chat reads that as `{}`.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, {});
    void parseJson(request, text, done);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && request.method === 'POST') request.body = {};
    done();
  });

  registerErrorHandling(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Parley REST API',
        version: options.version,
        description: 'Rocket.Chat-compatible REST API of Parley.',
      },
      components: {
        securitySchemes: {
          userId: { type: 'apiKey', in: 'header', name: 'X-User-Id' },
          authToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
        },
      },
    },
  });

  const deps: RouteDeps = {
    actions: options.actions,
    settings: options.settings,
    publicUrl: options.publicUrl,
    auth: requireAuth(options.actions),
  };
  authRoutes(app, deps);
  usersRoutes(app, deps);
  tokensRoutes(app, deps);
  permissionsRoutes(app, deps);
  settingsRoutes(app, deps);
  roomFamilyRoutes(app, deps, CHANNELS);
  roomFamilyRoutes(app, deps, GROUPS);
  chatRoutes(app, deps);
  subscriptionsRoutes(app, deps);
  roomAdminRoutes(app, deps);
  chatExtraRoutes(app, deps);
  imRoutes(app, deps);
  presenceRoutes(app, deps, options.presence);
  operationsRoutes(app, {
    ...deps,
    store: options.store,
    metrics: options.metrics,
    version: options.version,
  });

  /** `GET /api/docs/json` — the OpenAPI 3 document generated from the routes' schemas. */
  app.get('/api/docs/json', { schema: { hide: true } }, () => app.swagger());

  return app;
}
