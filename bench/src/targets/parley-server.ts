import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunDatabase } from '../dataset/cache.js';
import { CACHE_DIR, RESULTS_DIR, SERVER_MAIN } from '../paths.js';
import { freePort, spawnPinned, waitUntilReady, type RunningServer } from './running-server.js';
import { PostgresAdmin } from './postgres.js';

/** What Parley's SQLite connection is opened with (apps/server/src/store/open-database.ts). */
const SQLITE_DURABILITY = 'SQLite WAL, synchronous=NORMAL';

/**
 * `BENCH_CPU_PROF=1` writes a V8 CPU profile of every Parley process to `results/profiles/` when it
 * stops (open it in Chrome's DevTools or speedscope): how the "make it fast" work finds its targets.
 */
function profilingArgs(label: string): string[] {
  if (!process.env.BENCH_CPU_PROF) return [];
  return [
    '--cpu-prof',
    `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles')}`,
    `--cpu-prof-name=${label}-${Date.now()}.cpuprofile`,
  ];
}

/**
 * Starts the built server (`node apps/server/dist/main.js start`) on `database`, pinned to `core`,
 * and waits for `/readyz`. Configuration comes only from what is passed here: PARLEY_*, DATABASE_URL
 * and NATS_URL of the caller's environment are left out.
 */
export async function startParleyServer(options: {
  readonly database: RunDatabase;
  readonly core: string | null;
  readonly env?: Readonly<Record<string, string>>;
  readonly label: string;
}): Promise<RunningServer> {
  await access(SERVER_MAIN).catch(() => {
    throw new Error(`${SERVER_MAIN} is missing: run \`npm run build\` (npm run bench builds it)`);
  });
  // A restart on the port of a killed server (S4) passes PARLEY_PORT; otherwise a free one.
  const port = options.env?.PARLEY_PORT ? Number(options.env.PARLEY_PORT) : await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(PARLEY_|DATABASE_URL$|NATS_URL$)/.test(key)) env[key] = value;
  }
  Object.assign(env, {
    PARLEY_HOST: '127.0.0.1',
    PARLEY_PORT: String(port),
    PARLEY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    PARLEY_LOG_LEVEL: 'warn',
    ...options.database.env,
    ...options.env,
  });
  const logFile = join(CACHE_DIR, 'logs', `${options.label}-${Date.now()}.log`);
  const server = await spawnPinned({
    core: options.core,
    command: process.execPath,
    args: [...profilingArgs(options.label), SERVER_MAIN, 'start'],
    env,
    logFile,
  });
  const httpUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${httpUrl}/readyz`, server, logFile);

  const postgresDatabase = options.database.postgresDatabase;
  let admin: PostgresAdmin | null = null;
  let durability = SQLITE_DURABILITY;
  if (postgresDatabase !== null) {
    admin = await PostgresAdmin.connect();
    durability = await admin.durability();
  }
  return {
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}/websocket`,
    metricsUrl: `${httpUrl}/metrics`,
    durability,
    logFile,
    mainPid: server.pid,
    async pids() {
      if (!admin || postgresDatabase === null) return [server.pid];
      return [server.pid, ...(await admin.backendPids(postgresDatabase))];
    },
    async stop() {
      await server.stop();
      await admin?.close();
      admin = null;
    },
    async kill() {
      await server.kill();
      await admin?.close();
      admin = null;
    },
  };
}
