/**
 * What a scenario is: one module under `scenarios/`, listed in `registry.ts`. The CLI prepares the
 * data set, runs each selected scenario once per backend (or once, for those without a database),
 * and writes what `run` returns.
 */
import type { PreparedDataset } from './dataset/cache.js';
import type { Cores } from './system/pinning.js';
import type { RunningServer } from './targets/running-server.js';

export type Backend = 'sqlite' | 'postgres';

export interface Scenario {
  /** The CLI name: `s2`, `s3`, `floor`, … */
  readonly name: string;
  readonly title: string;
  /**
   * `each`: once per selected backend, on a fresh copy of the data set; `none`: once, no database;
   * `postgres`: on PostgreSQL only, when it is selected (several Parley processes need a shared
   * database, which SQLite is not: S7).
   */
  readonly backends: 'each' | 'none' | 'postgres';
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
  /**
   * Optional: figures relating this scenario's run to the others of the same CLI run (the floor's
   * and Synapse's ratios to Parley's S2). Called once every scenario has run.
   */
  compare?(own: ScenarioRun, all: readonly ScenarioRun[]): Comparison[];
}

export interface ScenarioContext {
  readonly quick: boolean;
  /** Null for scenarios run without a database. */
  readonly backend: Backend | null;
  readonly dataset: PreparedDataset;
  readonly cores: Cores;
  /**
   * Starts the built server (`apps/server/dist/main.js`) on a fresh copy of the data set for this
   * run's backend, pinned to the server core; `env` adds or overrides its configuration (e.g.
   * `NATS_URL`). `shareDatabaseWith` starts it on another server's database instead: a second
   * process of a cluster (S7), or a restart after `kill` (S4). The CLI stops whatever is still
   * running, and drops the copies, when the scenario ends.
   */
  startParley(options?: {
    readonly env?: Readonly<Record<string, string>>;
    readonly shareDatabaseWith?: RunningServer;
  }): Promise<RunningServer>;
  /** A progress line on stderr. */
  readonly log: (line: string) => void;
}

/** The headline figures `latest.json` keeps per scenario, where they apply. */
export interface HeadlineFigures {
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  msgsPerSec?: number;
  usersPerCore?: number;
  rssMb?: number;
  rssPerConnKiB?: number;
  lost?: number;
  duplicated?: number;
  /** Deliveries per second of server CPU (node, plus PostgreSQL's backends when used). */
  deliveriesPerCpuSec?: number;
}

export interface ScenarioOutcome {
  /** What a commit waits for, printed beside every figure (e.g. `SQLite WAL, synchronous=NORMAL`). */
  readonly durability: string;
  /** False when the measurement itself is in doubt (generator CPU > 80 %, steal > 5 %, …). */
  readonly valid: boolean;
  readonly invalidReasons: readonly string[];
  /** Pass gates (§6.6 of the design) that failed; empty when all held. */
  readonly gatesFailed: readonly string[];
  readonly figures: HeadlineFigures;
  /** Every other figure: per step, samples, configuration. Goes to the JSON file as is. */
  readonly details: Readonly<Record<string, unknown>>;
  /** Markdown table rows for the summary: [figure, value]. */
  readonly summary: readonly (readonly [string, string])[];
}

export interface ScenarioRun extends ScenarioOutcome {
  readonly scenario: string;
  readonly title: string;
  readonly backend: Backend | null;
  readonly startedAt: string;
  readonly durationMs: number;
}

export interface Comparison {
  readonly label: string;
  /** e.g. `deliveriesPerCpuSec` */
  readonly metric: string;
  /** `ours / reference`, or `reference / ours` for costs: `explanation` says which. */
  readonly ratio: number;
  readonly explanation: string;
}
