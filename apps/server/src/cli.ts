/** The `parley` command line: `start`, `migrate`, `admin create`. `main.ts` only calls `runCli`. */
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { composeParley, databaseTargetOf, type Parley } from './compose.js';
import { loadConfig } from './config/config.js';
import { createAdminFromCli } from './domain/setup/first-admin.js';
import { createStore } from './store/kysely-store.js';

export const USAGE = `Usage: parley <command>

Commands:
  start                 migrate the database and serve (default)
  migrate               apply pending database migrations and exit
  admin create          create an admin: --username NAME [--email ADDR] [--name NAME]
                        (password from --password or PARLEY_ADMIN_PASSWORD)

Configuration comes from PARLEY_* variables and DATABASE_URL; see the README.`;

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The logger to use; by default pino on stdout at the configured level. */
  readonly logger?: Logger;
}

/** What `start` hands back: the running server, to be closed on a signal. */
export type CliResult = { readonly exitCode: number } | { readonly serving: Parley };

export async function runCli(argv: readonly string[], io: CliIo): Promise<CliResult> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        username: { type: 'string' },
        email: { type: 'string' },
        name: { type: 'string' },
        password: { type: 'string' },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}\n`);
    return { exitCode: 2 };
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(`${USAGE}\n`);
    return { exitCode: 0 };
  }
  const [command = 'start', sub] = positionals;
  const isAdminCreate = command === 'admin' && sub === 'create';
  // `admin create` takes its password from PARLEY_ADMIN_PASSWORD alone; the first-start admin
  // variables do not apply to it.
  const config = loadConfig(
    isAdminCreate
      ? {
          ...io.env,
          PARLEY_ADMIN_USERNAME: undefined,
          PARLEY_ADMIN_PASSWORD: undefined,
          PARLEY_ADMIN_EMAIL: undefined,
        }
      : io.env,
  );
  const logger = io.logger ?? pino({ level: config.logLevel, base: { service: 'parley' } });

  if (command === 'start' && sub === undefined) {
    const parley = await composeParley(config, { logger });
    const address = await parley.http.listen({ port: config.port, host: config.host });
    logger.info({ address, database: parley.store.dialect }, 'Parley is listening');
    return { serving: parley };
  }

  if (command === 'migrate' && sub === undefined) {
    const store = createStore(databaseTargetOf(config));
    try {
      const applied = await store.migrateToLatest();
      logger.info({ applied, schemaVersion: await store.schemaVersion() }, 'migrations done');
      return { exitCode: 0 };
    } finally {
      await store.close();
    }
  }

  if (isAdminCreate) {
    const password = values.password ?? io.env.PARLEY_ADMIN_PASSWORD;
    if (!values.username || !password) {
      io.err('admin create needs --username and a password (--password or PARLEY_ADMIN_PASSWORD)\n');
      return { exitCode: 2 };
    }
    const parley = await composeParley({ ...config, admin: null }, { logger });
    try {
      const admin = await createAdminFromCli(parley.ctx, {
        username: values.username,
        password,
        ...(values.email ? { email: values.email } : {}),
        ...(values.name ? { name: values.name } : {}),
      });
      io.out(`Created admin ${admin.username} (${admin.id})\n`);
      return { exitCode: 0 };
    } finally {
      await parley.close();
    }
  }

  io.err(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}\n`);
  return { exitCode: 2 };
}
