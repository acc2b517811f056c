#!/usr/bin/env node
/** The `parley` command: parse the CLI, load the config, compose, listen. Nothing else. */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { composeParley, databaseTargetOf } from './compose.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createAdminFromCli } from './domain/setup/first-admin.js';
import { ChatError } from './domain/shared/errors.js';
import { createStore } from './store/kysely-store.js';

const USAGE = `Usage: parley <command>

Commands:
  start                 migrate the database and serve (default)
  migrate               apply pending database migrations and exit
  admin create          create an admin: --username NAME [--email ADDR] [--name NAME]
                        (password from --password or PARLEY_ADMIN_PASSWORD)

Configuration comes from PARLEY_* variables and DATABASE_URL; see the README.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      username: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig(process.env);
  const logger = pino({ level: config.logLevel, base: { service: 'parley' } });
  const [command = 'start', sub] = positionals;

  if (command === 'start') return start(config, logger);
  if (command === 'migrate') {
    const store = createStore(databaseTargetOf(config));
    try {
      const applied = await store.migrateToLatest();
      logger.info({ applied, schemaVersion: await store.schemaVersion() }, 'migrations done');
      return 0;
    } finally {
      await store.close();
    }
  }
  if (command === 'admin' && sub === 'create') {
    const password = values.password ?? process.env.PARLEY_ADMIN_PASSWORD;
    if (!values.username || !password) {
      process.stderr.write(
        'admin create needs --username and a password (--password or PARLEY_ADMIN_PASSWORD)\n',
      );
      return 2;
    }
    const parley = await composeParley({ ...config, admin: null }, { logger });
    try {
      const admin = await createAdminFromCli(parley.ctx, {
        username: values.username,
        password,
        ...(values.email ? { email: values.email } : {}),
        ...(values.name ? { name: values.name } : {}),
      });
      logger.info({ userId: admin.id, username: admin.username }, 'admin created');
      return 0;
    } finally {
      await parley.close();
    }
  }
  process.stderr.write(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}\n`);
  return 2;
}

async function start(config: Config, logger: pino.Logger): Promise<number> {
  const parley = await composeParley(config, { logger });
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    parley.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const address = await parley.http.listen({ port: config.port, host: config.host });
  logger.info({ address, database: parley.store.dialect }, 'Parley is listening');
  return new Promise<number>(() => undefined);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof ChatError) {
      console.error(error.message);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
