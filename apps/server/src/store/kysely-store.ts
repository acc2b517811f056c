import { AsyncLocalStorage } from 'node:async_hooks';
import { Migrator, sql, type Kysely } from 'kysely';
import type { Store, Tx } from '../domain/ports/store.js';
import { createMetaRepo } from './meta-repo.js';
import { migrations } from './migrations/index.js';
import { openDatabase, type DatabaseTarget } from './open-database.js';
import { createPermissionRepo } from './permissions-repo.js';
import { createRoleRepo } from './roles-repo.js';
import type { Database } from './schema.js';
import { createSettingRepo } from './settings-repo.js';
import { createTokenRepo } from './tokens-repo.js';
import { createUserRepo } from './users-repo.js';
import { createRoomRepo } from './rooms-repo.js';
import { createSubscriptionRepo } from './subscriptions-repo.js';
import { createMessageRepo } from './messages-repo.js';
import { createEventRepo } from './events-repo.js';
import type { StoredEvent } from '../domain/events/events.js';

function repos(db: Kysely<Database>, onAppended: (events: StoredEvent[]) => void): Tx {
  return {
    users: createUserRepo(db),
    tokens: createTokenRepo(db),
    roles: createRoleRepo(db),
    permissions: createPermissionRepo(db),
    settings: createSettingRepo(db),
    meta: createMetaRepo(db),
    rooms: createRoomRepo(db),
    subscriptions: createSubscriptionRepo(db),
    messages: createMessageRepo(db),
    events: createEventRepo(db, onAppended),
  };
}

/**
 * Repos that run on the transaction in progress, when the caller is inside one, and on the pool
 * otherwise. Code inside `store.transaction` that reaches for `ctx.store` (the authorizer looking
 * up room roles, a helper reading a setting) then reads its own uncommitted writes instead of
 * waiting for a second connection, which on SQLite's single connection would wait forever.
 */
function routedRepos(root: Tx, active: AsyncLocalStorage<Tx>): Tx {
  const route = <K extends keyof Tx>(key: K): Tx[K] => {
    const methods: Record<string, unknown> = {};
    for (const name of Object.keys(root[key])) {
      methods[name] = (...args: unknown[]) => {
        const repo = (active.getStore() ?? root)[key] as unknown as Record<
          string,
          (...a: unknown[]) => unknown
        >;
        return repo[name]?.(...args);
      };
    }
    return methods as unknown as Tx[K];
  };
  return {
    users: route('users'),
    tokens: route('tokens'),
    roles: route('roles'),
    permissions: route('permissions'),
    settings: route('settings'),
    meta: route('meta'),
    rooms: route('rooms'),
    subscriptions: route('subscriptions'),
    messages: route('messages'),
    events: route('events'),
  };
}

export interface KyselyStore extends Store {
  /** Applies every pending migration; returns the names applied. Throws naming the failing one. */
  migrateToLatest(): Promise<string[]>;
}

/** Opens the database behind `target`. Call `migrateToLatest` before serving requests. */
export function createStore(target: DatabaseTarget): KyselyStore {
  const { db, dialect } = openDatabase(target);
  const active = new AsyncLocalStorage<Tx>();
  const listeners: ((events: readonly StoredEvent[]) => void)[] = [];
  const committed = (events: readonly StoredEvent[]): void => {
    if (events.length === 0) return;
    for (const listener of listeners) listener(events);
  };
  let migratorOnce: Promise<Migrator> | undefined;
  // Kysely looks for its bookkeeping tables in every schema unless told which one; another app's
  // (or another test's) tables in the same PostgreSQL database would otherwise be mistaken for ours.
  const migrator = (): Promise<Migrator> =>
    (migratorOnce ??= (async () => {
      if (dialect === 'sqlite') return new Migrator({ db, provider: migrations });
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
      const schema = rows[0]?.schema;
      if (!schema) throw new Error('PostgreSQL has no current schema: check the search_path of DATABASE_URL');
      return new Migrator({ db, provider: migrations, migrationTableSchema: schema });
    })());
  return {
    // An append outside any transaction is its own commit.
    ...routedRepos(repos(db, committed), active),
    dialect,
    transaction: async (fn) => {
      // A transaction inside a transaction joins it: one unit of work, one connection.
      const current = active.getStore();
      if (current) return fn(current);
      // Events wait here until the commit; a rollback throws past the publish below.
      const pending: StoredEvent[] = [];
      const result = await db.transaction().execute((trx) => {
        const tx = repos(trx, (events) => pending.push(...events));
        return active.run(tx, () => fn(tx));
      });
      committed(pending);
      return result;
    },
    onEventsCommitted(listener) {
      listeners.push(listener);
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async schemaVersion() {
      const all = await (await migrator()).getMigrations();
      return all.filter((m) => m.executedAt !== undefined).at(-1)?.name ?? null;
    },
    async migrateToLatest() {
      const { error, results } = await (await migrator()).migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        throw new Error(
          `Migration ${failed} failed: ${error instanceof Error ? error.message : 'unknown error'}`,
        );
      }
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    },
    close: () => db.destroy(),
  };
}
