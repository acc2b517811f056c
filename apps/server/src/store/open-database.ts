/**
 * Every difference between SQLite and PostgreSQL lives here: how a connection is opened and tuned.
 * Queries elsewhere are written once, in the subset both dialects share.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type SqliteDatabase as SqliteDialectDatabase,
  type SqliteStatement as SqliteDialectStatement,
} from 'kysely';
import Libsql from 'libsql';
import pg from 'pg';
import type { Database } from './schema.js';

export type DatabaseTarget =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

export interface OpenedDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
}

const INT8_OID = 20;

/** Timestamps are bigint milliseconds; they fit a JS number until the year 287,396. */
function int8AsNumber(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, 'text', Number);
  return types;
}

export function openDatabase(target: DatabaseTarget): OpenedDatabase {
  if (target.kind === 'sqlite') return { db: openSqlite(target.file), dialect: 'sqlite' };
  return { db: openPostgres(target.url, target.schema), dialect: 'postgres' };
}

function openSqlite(file: string): Kysely<Database> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Libsql(file);
  // WAL lets readers run beside the writer; NORMAL is durable across process crashes
  // (only an OS crash may lose the last transactions), which is SQLite's advice for WAL.
  sqlite.exec('PRAGMA journal_mode = WAL');
  sqlite.exec('PRAGMA synchronous = NORMAL');
  sqlite.exec('PRAGMA foreign_keys = ON');
  sqlite.exec('PRAGMA busy_timeout = 5000');
  return new Kysely<Database>({
    // libsql implements better-sqlite3's API, which is what SqliteDialect drives.
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
}

/** Distinct SQL texts kept prepared: every query the server writes, with room to spare. */
const STATEMENT_CACHE_SIZE = 1_000;

/**
 * Kysely prepares every query afresh, and preparing costs more than running the small indexed
 * queries the server makes (a tenth of the server's CPU under a message storm). The same SQL text
 * is the same statement, so one prepared statement per text is kept, least recently used evicted.
 * Reuse is safe: Kysely gives the single SQLite connection to one query at a time, and SQLite
 * re-prepares a statement by itself when a migration changed the schema under it.
 */
function withStatementCache(sqlite: SqliteDialectDatabase): SqliteDialectDatabase {
  const statements = new Map<string, { statement: SqliteDialectStatement; reader: boolean }>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let cached = statements.get(sql);
      if (cached) {
        // Most recently used last: the Map's first key is the one to evict.
        statements.delete(sql);
      } else {
        const statement = sqlite.prepare(sql);
        // `reader` asks the native statement each time; it never changes for a given text.
        cached = { statement, reader: statement.reader };
        if (statements.size >= STATEMENT_CACHE_SIZE) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
      }
      statements.set(sql, cached);
      const { statement, reader } = cached;
      return {
        reader,
        all: (parameters) => statement.all(parameters),
        run: (parameters) => statement.run(parameters),
        iterate: (parameters) => statement.iterate(parameters),
      };
    },
  };
}

function openPostgres(url: string, schema: string | undefined): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    ...(schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {}),
    types: int8AsNumber(),
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Creates `schema` if needed (test isolation: one schema per test run). */
export async function ensurePostgresSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  } finally {
    await client.end();
  }
}

export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid schema name: ${name}`);
  return `"${name}"`;
}
