import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE_DIR, SERVER_DIST } from '../paths.js';
import { databaseUrl, PostgresAdmin } from '../targets/postgres.js';
import type { Backend } from '../scenario.js';
import { planDataset, type DatasetPlan } from './plan.js';
import { SEEDING_SERVER_PATHS } from './server-modules.js';
import type { DatasetSpec } from './spec.js';

/** A data set built once per content hash, ready to be copied for each run. */
export interface PreparedDataset {
  readonly spec: DatasetSpec;
  readonly plan: DatasetPlan;
  /** Hash of the spec, the seeder's code and the server code it writes with. */
  readonly hash: string;
  /** The seeded SQLite file, when SQLite runs. */
  readonly sqliteFile: string | null;
  /** The PostgreSQL database to copy (`CREATE DATABASE … TEMPLATE`), when PostgreSQL runs. */
  readonly postgresTemplate: string | null;
}

const DATASETS_DIR = join(CACHE_DIR, 'datasets');
/** The bench's own code that decides what a data set holds (compiled, beside this file). */
const SEEDER_FILES = [
  'spec.js',
  'plan.js',
  'history.js',
  'words.js',
  'seed-database.js',
  'server-modules.js',
  '../load/rng.js',
].map((file) => fileURLToPath(new URL(file, import.meta.url)));

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true });
  return entries
    .filter((e) => e.endsWith('.js'))
    .map((e) => join(path, e))
    .sort();
}

export async function datasetHash(spec: DatasetSpec): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(spec));
  const files = [
    ...SEEDER_FILES,
    ...(await Promise.all(SEEDING_SERVER_PATHS.map((p) => filesUnder(join(SERVER_DIST, p))))).flat(),
  ];
  for (const file of files) hash.update(relative(CACHE_DIR, file)).update(await readFile(file));
  return hash.digest('hex').slice(0, 12);
}

/**
 * Makes sure the data set exists for each backend, building what is missing (minutes for `full`,
 * seconds for `quick`), and drops copies of older versions of it.
 */
export async function prepareDataset(
  spec: DatasetSpec,
  backends: readonly Backend[],
  options: { rebuild: boolean; log: (line: string) => void },
): Promise<PreparedDataset> {
  const hash = await datasetHash(spec);
  const plan = planDataset(spec);
  let sqliteFile: string | null = null;
  let postgresTemplate: string | null = null;
  if (backends.includes('sqlite')) sqliteFile = await prepareSqlite(spec, hash, options);
  if (backends.includes('postgres')) postgresTemplate = await preparePostgres(spec, hash, options);
  return { spec, plan, hash, sqliteFile, postgresTemplate };
}

async function prepareSqlite(
  spec: DatasetSpec,
  hash: string,
  options: { rebuild: boolean; log: (line: string) => void },
): Promise<string> {
  const dir = join(DATASETS_DIR, `${spec.name}-${hash}`);
  const file = join(dir, 'parley.db');
  const ready = () =>
    stat(file).then(
      () => true,
      () => false,
    );
  if ((await ready()) && !options.rebuild) return file;
  return withBuildLock(`${spec.name}-sqlite`, options.log, async () => {
    // Another run may have built it while this one waited.
    if ((await ready()) && !options.rebuild) return file;
    await buildSqlite(spec, hash, dir, options.log);
    return file;
  });
}

async function buildSqlite(spec: DatasetSpec, hash: string, dir: string, log: (line: string) => void) {
  for (const old of await readdir(DATASETS_DIR).catch(() => [])) {
    if (old.startsWith(`${spec.name}-`)) await rm(join(DATASETS_DIR, old), { recursive: true, force: true });
  }
  const building = join(DATASETS_DIR, `${spec.name}-${hash}.building`);
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  log(`building the ${spec.name} data set for SQLite (${hash}), once`);
  await runSeeder(spec, { kind: 'sqlite', file: join(building, 'parley.db') });
  await rename(building, dir);
}

async function preparePostgres(
  spec: DatasetSpec,
  hash: string,
  options: { rebuild: boolean; log: (line: string) => void },
): Promise<string> {
  const prefix = `parley_bench_${spec.name}_`;
  const template = `${prefix}${hash}`;
  const exists = async () => {
    const admin = await PostgresAdmin.connect();
    try {
      return await admin.exists(template);
    } finally {
      await admin.close();
    }
  };
  if (!options.rebuild && (await exists())) return template;
  return withBuildLock(`${spec.name}-postgres`, options.log, async () => {
    if (!options.rebuild && (await exists())) return template;
    await buildPostgres(spec, hash, template, options.log);
    return template;
  });
}

async function buildPostgres(spec: DatasetSpec, hash: string, template: string, log: (line: string) => void) {
  const prefix = `parley_bench_${spec.name}_`;
  const admin = await PostgresAdmin.connect();
  try {
    for (const old of await admin.databasesLike(prefix)) await admin.drop(old);
    const building = `${template}_building`;
    await admin.create(building);
    log(`building the ${spec.name} data set for PostgreSQL (${hash}), once`);
    await runSeeder(spec, { kind: 'postgres', url: databaseUrl(building) });
    // Statistics as a long-running database would have them after autovacuum.
    await admin.analyze(building);
    await admin.rename(building, template);
  } finally {
    await admin.close();
  }
}

/**
 * Runs `build` while holding `<datasets>/lock.<name>` (a directory: creating one is atomic), so that
 * two bench runs never seed, or drop, the same data set at once; a lock whose owner died is taken over.
 */
async function withBuildLock<T>(
  name: string,
  log: (line: string) => void,
  build: () => Promise<T>,
): Promise<T> {
  const lock = join(DATASETS_DIR, `lock.${name}`);
  const owner = join(lock, 'pid');
  await mkdir(DATASETS_DIR, { recursive: true });
  let waiting = false;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(owner, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(await readFile(owner, 'utf8').catch(() => ''));
      // An empty pid file is a lock being taken right now: wait for it like any other.
      if (pid > 0 && !alive(pid)) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (!waiting) log(`waiting for another bench run (pid ${pid || '?'}) building the ${name} data set`);
      waiting = true;
      await sleep(1_000);
    }
  }
  try {
    return await build();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function runSeeder(spec: DatasetSpec, target: unknown): Promise<void> {
  const main = fileURLToPath(new URL('./seed-main.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, spec.name, JSON.stringify(target)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`seeding the ${spec.name} data set failed (exit ${code})`)),
    );
  });
}

/** A database of one run: a copy of the data set, removed by `dispose`. */
export interface RunDatabase {
  /** Environment for the server: `PARLEY_DATA_DIR` or `DATABASE_URL`. */
  readonly env: Readonly<Record<string, string>>;
  /** The PostgreSQL database name (for its backends' CPU), or null for SQLite. */
  readonly postgresDatabase: string | null;
  dispose(): Promise<void>;
}

let runCounter = 0;
const RUN_DATABASE_PREFIX = 'parley_bench_run_';

export async function copyForRun(dataset: PreparedDataset, backend: Backend): Promise<RunDatabase> {
  const runId = `${process.pid}_${Date.now()}_${runCounter++}`;
  if (backend === 'sqlite') {
    if (!dataset.sqliteFile) throw new Error('the data set was not prepared for SQLite');
    const dir = join(CACHE_DIR, 'runs', runId);
    await mkdir(dir, { recursive: true });
    await copyFile(dataset.sqliteFile, join(dir, 'parley.db'));
    return {
      env: { PARLEY_DATA_DIR: dir },
      postgresDatabase: null,
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  }
  if (!dataset.postgresTemplate) throw new Error('the data set was not prepared for PostgreSQL');
  const name = `${RUN_DATABASE_PREFIX}${runId}`;
  const admin = await PostgresAdmin.connect();
  try {
    await admin.create(name, dataset.postgresTemplate);
  } finally {
    await admin.close();
  }
  return {
    env: { DATABASE_URL: databaseUrl(name) },
    postgresDatabase: name,
    async dispose() {
      const cleanup = await PostgresAdmin.connect();
      try {
        await cleanup.drop(name);
      } finally {
        await cleanup.close();
      }
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes copies left by runs whose process is gone (a crash, a ^C). */
export async function dropStaleRuns(): Promise<void> {
  const runs = join(CACHE_DIR, 'runs');
  for (const entry of await readdir(runs).catch(() => [])) {
    if (!alive(Number(entry.split('_')[0]))) await rm(join(runs, entry), { recursive: true, force: true });
  }
  const admin = await PostgresAdmin.connect().catch(() => null);
  if (!admin) return;
  try {
    for (const name of await admin.databasesLike(RUN_DATABASE_PREFIX)) {
      if (!alive(Number(name.slice(RUN_DATABASE_PREFIX.length).split('_')[0]))) await admin.drop(name);
    }
  } finally {
    await admin.close();
  }
}
