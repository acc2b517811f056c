/**
 * `npm run bench -- <scenario…> [--quick] [--backend sqlite|postgres|both]`: prepares the data set,
 * runs each scenario (once per backend where it uses one), prints the Markdown summary and writes
 * the results under `bench/results/`.
 */
import { performance } from 'node:perf_hooks';
import { parseBenchArgs, USAGE, type BenchArgs } from './cli-args.js';
import {
  copyForRun,
  dropStaleRuns,
  prepareDataset,
  type PreparedDataset,
  type RunDatabase,
} from './dataset/cache.js';
import { FULL, QUICK } from './dataset/spec.js';
import { SCENARIOS, scenarioNamed } from './registry.js';
import { writeResults } from './results/write-results.js';
import type { Backend, Comparison, Scenario, ScenarioContext, ScenarioRun } from './scenario.js';
import { calibrate } from './system/calibrate.js';
import { machineInfo } from './system/machine.js';
import { chooseCores, pinProcess, type Cores } from './system/pinning.js';
import { startParleyServer } from './targets/parley-server.js';
import { POSTGRES_URL, PostgresAdmin } from './targets/postgres.js';
import type { RunningServer } from './targets/running-server.js';

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

async function main(argv: readonly string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage()}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const unknown = args.scenarios.filter((name) => !scenarioNamed(name));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown scenario: ${unknown.join(', ')}\n\n${usage()}\n`);
    return 2;
  }
  const scenarios =
    args.scenarios.length > 0 ? args.scenarios.map((n) => scenarioNamed(n) as Scenario) : SCENARIOS;

  const cores = chooseCores();
  // The load generator (this process) stays off the server's core.
  pinProcess(process.pid, cores.generator);
  const startedAt = new Date();
  const backendsUsed = args.backends.filter((b) =>
    scenarios.some((s) => backendsOf(s, args.backends).includes(b)),
  );
  if (backendsUsed.includes('postgres')) {
    const admin = await PostgresAdmin.connect().catch((error: unknown) => {
      process.stderr.write(
        `PostgreSQL is not reachable at ${POSTGRES_URL} (${String(error)}): start it, set BENCH_POSTGRES_URL, or pass --backend sqlite\n`,
      );
      return null;
    });
    if (!admin) return 2;
    await admin.close();
  }
  await dropStaleRuns();
  const dataset = await prepareDataset(args.quick ? QUICK : FULL, backendsUsed, {
    rebuild: args.rebuildDataset,
    log,
  });
  const calibration = calibrate(cores.server, args.quick ? 1_000 : 2_000);
  log(`calibration: ${calibration} SHA-256/s of 1 KiB on the server's core`);

  const runs: ScenarioRun[] = [];
  let crashed = 0;
  for (const scenario of scenarios) {
    const backends = backendsOf(scenario, args.backends);
    if (backends.length === 0) log(`${scenario.name}: skipped, it runs on ${scenario.backends} only`);
    for (const backend of backends) {
      const run = await runOne(scenario, backend, { quick: args.quick, dataset, cores });
      if (run.invalidReasons.some((r) => r.startsWith('crashed:'))) crashed++;
      runs.push(run);
    }
  }
  const comparisons: Comparison[] = runs.flatMap(
    (run) => scenarioNamed(run.scenario)?.compare?.(run, runs) ?? [],
  );
  const { markdown, files } = await writeResults({
    startedAt,
    quick: args.quick,
    machine: machineInfo(cores),
    dataset: { name: dataset.spec.name, hash: dataset.hash },
    calibration,
    runs,
    comparisons,
  });
  process.stdout.write(`\n${markdown}\n`);
  log(`wrote ${files.join(', ')}`);
  return crashed > 0 ? 1 : 0;
}

/** The backends `scenario` runs on when `chosen` are selected; null: once, without a database. */
function backendsOf(scenario: Scenario, chosen: readonly Backend[]): (Backend | null)[] {
  if (scenario.backends === 'none') return [null];
  if (scenario.backends === 'each') return [...chosen];
  return chosen.includes(scenario.backends) ? [scenario.backends] : [];
}

function usage(): string {
  return USAGE.replace('NAMES', SCENARIOS.map((s) => s.name).join(', '));
}

/** Runs one scenario on one backend; a crash becomes an invalid run, and the others go on. */
async function runOne(
  scenario: Scenario,
  backend: Backend | null,
  env: { quick: boolean; dataset: PreparedDataset; cores: Cores },
): Promise<ScenarioRun> {
  const label = backend ? `${scenario.name}/${backend}` : scenario.name;
  const servers: RunningServer[] = [];
  const databases: RunDatabase[] = [];
  const databaseOf = new Map<RunningServer, RunDatabase>();
  const ctx: ScenarioContext = {
    quick: env.quick,
    backend,
    dataset: env.dataset,
    cores: env.cores,
    log: (line) => log(`${label}: ${line}`),
    async startParley(options) {
      if (!backend) throw new Error(`${scenario.name} runs without a database: it cannot start Parley`);
      const shared = options?.shareDatabaseWith ? databaseOf.get(options.shareDatabaseWith) : undefined;
      if (options?.shareDatabaseWith && !shared)
        throw new Error('shareDatabaseWith: not a server of this run');
      const database = shared ?? (await copyForRun(env.dataset, backend));
      if (!shared) databases.push(database);
      const server = await startParleyServer({
        database,
        core: env.cores.server,
        label: label.replace('/', '-'),
        ...(options?.env ? { env: options.env } : {}),
      });
      servers.push(server);
      databaseOf.set(server, database);
      return server;
    },
  };
  log(`${label}: ${scenario.title}`);
  const startedAt = new Date();
  const t0 = performance.now();
  try {
    const outcome = await scenario.run(ctx);
    return {
      ...outcome,
      scenario: scenario.name,
      title: scenario.title,
      backend,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
    };
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`${label} crashed: ${message}`);
    return {
      scenario: scenario.name,
      title: scenario.title,
      backend,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      durability: servers[0]?.durability ?? 'n/a',
      valid: false,
      invalidReasons: [`crashed: ${error instanceof Error ? error.message : String(error)}`],
      gatesFailed: [],
      figures: {},
      details: { error: message, logs: servers.map((s) => s.logFile) },
      summary: [],
    };
  } finally {
    for (const server of servers) await server.stop().catch(() => undefined);
    for (const database of databases) await database.dispose().catch(() => undefined);
  }
}

process.exitCode = await main(process.argv.slice(2));
// Sockets of a crashed scenario may still be open: the run is over.
process.exit();
