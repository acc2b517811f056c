import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from './config/config.js';
import { createActions, type Actions } from './domain/actions.js';
import { createAttemptLimiter } from './domain/auth/attempt-limiter.js';
import { sharedAttemptLimiter } from './domain/auth/shared-attempt-limiter.js';
import type { DomainContext } from './domain/context.js';
import { createAuthorizer, seedRolesAndPermissions } from './domain/permissions/authorizer.js';
import { loadSettings } from './domain/settings/settings-cache.js';
import { ensureGeneralChannel } from './domain/rooms/create-room.js';
import { prepareFirstAdmin, type SetupOutcome } from './domain/setup/first-admin.js';
import { systemClock, type Clock } from './domain/shared/clock.js';
import { randomIds } from './domain/shared/ids.js';
import { buildHttpServer } from './http/server.js';
import { createStore, type KyselyStore } from './store/kysely-store.js';
import { createInProcessBus } from './bus/in-process-bus.js';
import { createNatsBus } from './bus/nats-bus.js';
import type { EventBus } from './domain/ports/event-bus.js';
import { createLiveReads } from './domain/subscriptions/live-reads.js';
import { attachGateway, type Gateway } from './realtime/gateway.js';
import { createPresence, type Presence } from './domain/presence/presence.js';
import { presenceMethods } from './realtime/methods/presence-methods.js';
import { accountMethods } from './realtime/methods/account-methods.js';
import { methodTable } from './realtime/methods/index.js';
import { streamMethods } from './realtime/methods/stream-methods.js';
import { messageMethods } from './realtime/methods/message-methods.js';
import { roomMethods } from './realtime/methods/room-methods.js';
import { restInvoker } from './realtime/methods/invoke.js';
import { methodCallRoutes } from './http/routes/method-call-routes.js';
import { requireAuth } from './http/authentication.js';
import { pruneOutbox } from './domain/events/outbox-retention.js';
import { cacheConsumer } from './domain/events/cache-consumer.js';
import { startOutboxRetention } from './jobs/outbox-retention.js';
import { Gauge } from 'prom-client';
import type { DatabaseTarget } from './store/open-database.js';

export interface Parley {
  readonly http: FastifyInstance;
  readonly store: KyselyStore;
  readonly ctx: DomainContext;
  readonly actions: Actions;
  readonly setup: SetupOutcome;
  readonly bus: EventBus;
  readonly gateway: Gateway;
  readonly presence: Presence;
  close(): Promise<void>;
}

export const PARLEY_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function databaseTargetOf(config: Pick<Config, 'databaseUrl' | 'dataDir'>): DatabaseTarget {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl }
    : { kind: 'sqlite', file: join(config.dataDir, 'parley.db') };
}

/**
 * The composition root: the only place that builds concrete classes and wires them. Opens and
 * migrates the database, seeds roles, permissions and settings, prepares the first admin, and
 * builds the HTTP server (not yet listening).
 */
export async function composeParley(
  config: Config,
  options: { logger: Logger; clock?: Clock; database?: DatabaseTarget },
): Promise<Parley> {
  const clock = options.clock ?? systemClock;
  const store = createStore(options.database ?? databaseTargetOf(config));
  const onBusError = (error: unknown) => options.logger.error({ err: error }, 'event bus error');
  let bus: EventBus | undefined;
  let presence: Presence | undefined;
  try {
    bus = config.natsUrl
      ? await createNatsBus({
          url: config.natsUrl,
          subjectPrefix: config.natsSubjectPrefix,
          onError: onBusError,
        })
      : createInProcessBus(onBusError);
    const events = bus;
    store.onEventsCommitted((committed) => events.publish(committed));
    const applied = await store.migrateToLatest();
    if (applied.length > 0) options.logger.info({ migrations: applied }, 'database migrated');
    const now = clock.now();
    await store.transaction((tx) => seedRolesAndPermissions(tx, now));
    const settings = await loadSettings(store.settings, now);
    const authz = await createAuthorizer({
      permissions: store.permissions,
      roomRoles: async (userId, roomId) =>
        (await store.subscriptions.byRoomAndUser(roomId, userId))?.roles ?? [],
    });
    const ctx: DomainContext = {
      store,
      clock,
      ids: randomIds,
      settings,
      authz,
      loginAttempts: sharedAttemptLimiter(createAttemptLimiter(), events),
    };
    await store.transaction((tx) => ensureGeneralChannel(ctx, tx));
    const actions = createActions(ctx);
    // Consumers of committed events, each a small module: caches here, realtime fan-out below.
    events.subscribe(cacheConsumer(ctx));

    const setup = await prepareFirstAdmin(ctx, config.admin);
    reportSetup(setup, config, options.logger);

    presence = createPresence({
      store,
      bus: events,
      clock,
      settings,
      authz,
      config: {
        offlineGraceMs: config.realtime.offlineGraceMs,
        presenceFlushMs: config.realtime.presenceFlushMs,
      },
      onError: (error) => options.logger.error({ err: error }, 'presence error'),
    });
    presence.start();
    const started = presence;

    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics });
    const http = await buildHttpServer({
      actions,
      settings,
      store,
      logger: options.logger,
      metrics,
      publicUrl: config.publicUrl,
      version: PARLEY_VERSION,
      presence,
    });
    const live = createLiveReads(ctx);
    const methods = methodTable(
      accountMethods(actions),
      streamMethods(events, live),
      messageMethods(actions),
      roomMethods(actions),
      presenceMethods(presence),
    );
    methodCallRoutes(http, { auth: requireAuth(actions) }, restInvoker(methods));
    const gateway = attachGateway({
      server: http.server,
      bus: events,
      live,
      methods,
      presence,
      config: config.realtime,
      logger: options.logger,
      now: () => clock.now(),
      newId: () => randomIds.next(),
    });
    new Gauge({
      name: 'parley_realtime_connections',
      help: 'Open DDP connections of this process',
      registers: [metrics],
      collect() {
        this.set(gateway.connectionCount);
      },
    });
    new Gauge({
      name: 'parley_realtime_subscriptions',
      help: 'Stream subscriptions of this process',
      registers: [metrics],
      collect() {
        this.set(gateway.subscriptionCount);
      },
    });
    const retention = startOutboxRetention({
      prune: () => pruneOutbox(ctx, config.outboxRetentionMs),
      everyMs: 3600_000,
      logger: options.logger,
    });
    return {
      http,
      store,
      ctx,
      actions,
      setup,
      bus: events,
      gateway,
      presence: started,
      async close() {
        await retention.stop();
        await gateway.close();
        await started.stop();
        await http.close();
        await events.close();
        await store.close();
      },
    };
  } catch (error) {
    await presence?.stop();
    await bus?.close();
    await store.close();
    throw error;
  }
}

function reportSetup(setup: SetupOutcome, config: Config, logger: Logger): void {
  if (setup.kind === 'admin-created') {
    logger.info({ username: setup.admin.username }, 'created the first admin from PARLEY_ADMIN_USERNAME');
  } else if (setup.kind === 'awaiting-admin') {
    const link = `${config.publicUrl}/setup?token=${encodeURIComponent(setup.setupToken)}`;
    logger.warn(
      { setupLink: link },
      `No admin exists yet. Open ${link} to create the first admin (the link works once), or set PARLEY_ADMIN_USERNAME and PARLEY_ADMIN_PASSWORD.`,
    );
  }
}
