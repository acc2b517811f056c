import pg from 'pg';

/** The PostgreSQL server the bench creates its databases on (trust auth, as on the dev machines). */
export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

export function databaseUrl(database: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

function checkName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid database name: ${name}`);
  return `"${name}"`;
}

/** One connection to the `postgres` maintenance database, for creating, copying and watching databases. */
export class PostgresAdmin {
  readonly #client: pg.Client;

  private constructor(client: pg.Client) {
    this.#client = client;
  }

  static async connect(): Promise<PostgresAdmin> {
    const client = new pg.Client({ connectionString: databaseUrl('postgres') });
    await client.connect();
    return new PostgresAdmin(client);
  }

  async exists(database: string): Promise<boolean> {
    const { rowCount } = await this.#client.query('select 1 from pg_database where datname = $1', [database]);
    return (rowCount ?? 0) > 0;
  }

  async databasesLike(prefix: string): Promise<string[]> {
    const { rows } = await this.#client.query<{ datname: string }>(
      'select datname from pg_database where left(datname, length($1)) = $1 order by datname',
      [prefix],
    );
    return rows.map((r) => r.datname);
  }

  /** A new database, as a copy of `template` when given (a file-level copy: seconds, not a reseed). */
  async create(database: string, template?: string): Promise<void> {
    await this.#client.query(
      `create database ${checkName(database)}${template ? ` template ${checkName(template)}` : ''}`,
    );
  }

  async rename(from: string, to: string): Promise<void> {
    await this.#client.query(`alter database ${checkName(from)} rename to ${checkName(to)}`);
  }

  async drop(database: string): Promise<void> {
    await this.#client.query(`drop database if exists ${checkName(database)} with (force)`);
  }

  /** The server processes serving `database`: their CPU counts as the server's. */
  async backendPids(database: string): Promise<number[]> {
    const { rows } = await this.#client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    return rows.map((r) => r.pid);
  }

  /** What a commit waits for, printed beside every PostgreSQL figure. */
  async durability(): Promise<string> {
    const show = async (name: string) =>
      (await this.#client.query<Record<string, string>>(`show ${name}`)).rows[0]?.[name] ?? '?';
    const version = (await show('server_version')).split(' ')[0];
    return `PostgreSQL ${version}, synchronous_commit=${await show('synchronous_commit')}, fsync=${await show('fsync')}`;
  }

  async analyze(database: string): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl(database) });
    await client.connect();
    try {
      await client.query('analyze');
    } finally {
      await client.end();
    }
  }

  async close(): Promise<void> {
    await this.#client.end();
  }
}
