import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from './config/config.js';
import { createActions, type Actions } from './domain/actions.js';
import { createAttemptLimiter } from './domain/auth/attempt-limiter.js';
import type { DomainContext } from './domain/context.js';
import { createAuthorizer, seedRolesAndPermissions } from './domain/permissions/authorizer.js';
import { loadSettings } from './domain/settings/settings-cache.js';
import { ensureGeneralChannel } from './domain/rooms/create-room.js';
import { prepareFirstAdmin, type SetupOutcome } from './domain/setup/first-admin.js';
import { systemClock, type Clock } from './domain/shared/clock.js';
import { randomIds } from './domain/shared/ids.js';
import { buildHttpServer } from './http/server.js';
import { createStore, type KyselyStore } from './store/kysely-store.js';
import type { DatabaseTarget } from './store/open-database.js';

export interface Parley {
  readonly http: FastifyInstance;
  readonly store: KyselyStore;
  readonly ctx: DomainContext;
  readonly actions: Actions;
  readonly setup: SetupOutcome;
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
  try {
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
      loginAttempts: createAttemptLimiter(),
    };
    await store.transaction((tx) => ensureGeneralChannel(ctx, tx));
    const actions = createActions(ctx);

    const setup = await prepareFirstAdmin(ctx, config.admin);
    reportSetup(setup, config, options.logger);

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
    });
    return {
      http,
      store,
      ctx,
      actions,
      setup,
      async close() {
        await http.close();
        await store.close();
      },
    };
  } catch (error) {
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
