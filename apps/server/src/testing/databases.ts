import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { dropPostgresSchema, ensurePostgresSchema, type DatabaseTarget } from '../store/open-database.js';

export type Backend = 'sqlite' | 'postgres';

/** The PostgreSQL the tests use: `DATABASE_URL`, else the local one CI starts. */
export const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let postgresAnswers: Promise<boolean> | undefined;

/** Whether PostgreSQL answers. When it does not, the caller skips, and says so loudly. */
export function postgresAvailable(): Promise<boolean> {
  postgresAnswers ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (error) {
      console.error(
        `\n!!! PostgreSQL is not reachable at ${POSTGRES_URL.replace(/:[^:@/]*@/, ':***@')} (${(error as Error).message}).\n` +
          '!!! Tests against PostgreSQL are SKIPPED. CI provides PostgreSQL, so there nothing skips.\n',
      );
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return postgresAnswers;
}

export interface TestDatabase {
  readonly target: DatabaseTarget;
  drop(): Promise<void>;
}

/** A fresh, empty database of its own: a temporary SQLite file, or a new PostgreSQL schema. */
export async function freshDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'parley-test-'));
    return {
      target: { kind: 'sqlite', file: join(dir, 'parley.db') },
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const schema = `t_${process.pid}_${randomBytes(6).toString('hex')}`;
  await ensurePostgresSchema(POSTGRES_URL, schema);
  return {
    target: { kind: 'postgres', url: POSTGRES_URL, schema },
    drop: () => dropPostgresSchema(POSTGRES_URL, schema),
  };
}
