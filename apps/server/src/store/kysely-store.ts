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

function repos(db: Kysely<Database>): Tx {
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
  };
}

export interface KyselyStore extends Store {
  /** Applies every pending migration; returns the names applied. Throws naming the failing one. */
  migrateToLatest(): Promise<string[]>;
}

/** Opens the database behind `target`. Call `migrateToLatest` before serving requests. */
export function createStore(target: DatabaseTarget): KyselyStore {
  const { db, dialect } = openDatabase(target);
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
    ...repos(db),
    dialect,
    transaction: (fn) => db.transaction().execute((trx) => fn(repos(trx))),
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
