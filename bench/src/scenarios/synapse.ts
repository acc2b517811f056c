import { performance } from 'node:perf_hooks';
import type {
  Backend,
  Comparison,
  HeadlineFigures,
  Scenario,
  ScenarioOutcome,
  ScenarioRun,
} from '../scenario.js';
import { runSynapseS2, type SynapseS2Result } from '../synapse/driver.js';
import { ensureSynapseVenv, startSynapse, type VenvInfo } from '../synapse/setup.js';
import { Sampler, windowBetween, type ServerProcesses, type Window } from '../system/sampler.js';
import { POSTGRES_URL, PostgresAdmin } from '../targets/postgres.js';
import { sendGates, validity } from './gates.js';
import { runMatchedLoad, type LoadShape, type MatchedLoadResult } from './matched-load.js';
import { foreignText } from './storm-report.js';

/**
 * The comparison rate is 10 msg/s: Synapse saturates around 50 msg/s on one core of this machine
 * (p50 ≈ 400 ms from 20 msg/s), and a reference measured beyond its capacity says nothing about CPU
 * per delivery. Quick: short, SQLite only, within the minute the `--quick` runs allow.
 */
function loadShape(quick: boolean): LoadShape {
  return quick
    ? { rate: 10, durationSec: 6, senders: 5, receivers: 10, warmupSec: 1, drainSec: 3 }
    : { rate: 10, durationSec: 60, senders: 10, receivers: 10, warmupSec: 10, drainSec: 15 };
}

interface SynapseSide {
  readonly version: string;
  readonly durability: string;
  readonly startSec: number;
  /** Start of the load's set-up (users, room, filters) to its end: for validity only. */
  readonly window: Window;
  readonly result: SynapseS2Result;
}

/** What `details` holds, and what `compare` reads back. */
interface SynapseDetails {
  readonly shape: LoadShape;
  readonly backend: Backend;
  readonly venv: VenvInfo;
  readonly synapse: SynapseSide;
  readonly parley: MatchedLoadResult & { readonly durability: string };
  /** Parley / Synapse: below 1, Parley is ahead. */
  readonly ratios: { readonly cpuPerDelivery: number | null; readonly p99: number | null };
  /** Wall time of each side, start to stop (what `--quick` has to fit in). */
  readonly sideSeconds: { readonly synapse: number; readonly parley: number };
}

/** Synapse's PostgreSQL is the bench's (`BENCH_POSTGRES_URL`), as Parley's is. */
function postgresTarget(): { host: string; port: number; user: string } {
  const url = new URL(POSTGRES_URL);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username) || 'postgres',
  };
}

/**
 * Synapse pinned to the server core, on `backend`, through the driver's load. A sampler watches it
 * as it watches Parley: it pins the PostgreSQL backends serving Synapse to the server core too, and
 * tells whether other processes took the cores. The driver's own figures are the ones reported.
 */
async function runSynapseSide(
  backend: Backend,
  shape: LoadShape,
  ctx: Parameters<Scenario['run']>[0],
): Promise<SynapseSide> {
  const instance = await startSynapse({
    db: backend,
    core: ctx.cores.server,
    pg: postgresTarget(),
    log: ctx.log,
  });
  const admin = backend === 'postgres' ? await PostgresAdmin.connect() : null;
  try {
    const database = instance.pgDatabase;
    const processes: ServerProcesses = {
      mainPid: instance.mainPid,
      pids: async () => [instance.mainPid, ...(admin && database ? await admin.backendPids(database) : [])],
    };
    const sampler = new Sampler(processes, ctx.cores);
    sampler.start();
    const from = await sampler.mark();
    const result = await runSynapseS2({
      ...shape,
      db: backend,
      core: ctx.cores.server,
      instance,
      log: ctx.log,
    });
    const to = await sampler.mark();
    sampler.stop();
    return {
      version: instance.version,
      durability: instance.durability,
      startSec: instance.startSec,
      window: windowBetween(from, to),
      result,
    };
  } finally {
    await admin?.close();
    await instance.stop();
  }
}

const finite = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);
const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
const ms = (n: number | null | undefined) => (finite(n) ? `${n}` : 'n/a');

function ratio(parley: number, synapse: number): number | null {
  return finite(parley) && finite(synapse) && synapse > 0 ? parley / synapse : null;
}

function outcomeOf(details: SynapseDetails): ScenarioOutcome {
  const { synapse, parley, shape, backend, ratios } = details;
  const s = synapse.result;
  const synapseCpuPerDelivery = s.details.usCpuPerDelivery ?? NaN;

  const figures: HeadlineFigures = { lost: s.lost, duplicated: s.duplicated };
  if (finite(s.p50Ms)) figures.p50Ms = s.p50Ms;
  if (finite(s.p95Ms)) figures.p95Ms = s.p95Ms;
  if (finite(s.p99Ms)) figures.p99Ms = s.p99Ms;
  figures.msgsPerSec = s.msgsPerSec;
  figures.deliveriesPerCpuSec = s.deliveriesPerCpuSec;
  figures.rssMb = s.rssMb;

  const invalidReasons = [
    ...validity(synapse.window).map((r) => `Synapse: ${r}`),
    ...validity(parley.window).map((r) => `Parley: ${r}`),
    ...(s.details.latencySamples === 0 ? ['Synapse: no delivery measured'] : []),
    ...(s.details.sendErrors > 0 ? [`Synapse: ${s.details.sendErrors} sends failed`] : []),
    ...(parley.connectFailures.length > 0
      ? [`Parley: ${parley.connectFailures.length} clients failed to connect`]
      : []),
    ...(parley.unexpectedCloses > 0
      ? [`Parley: ${parley.unexpectedCloses} sockets closed during the run`]
      : []),
  ];
  const answered = parley.accepted + parley.refused;
  const gatesFailed = [
    ...sendGates({
      latency: parley.latency,
      errorShare: answered > 0 ? parley.refused / answered : 0,
      serverCpuPercent: parley.window.serverCpuPercent,
      eventLoopP99Ms: null,
    }).map((g) => `Parley: ${g}`),
    ...(parley.lost > 0 ? [`Parley: ${parley.lost} deliveries lost`] : []),
    ...(parley.duplicated > 0 ? [`Parley: ${parley.duplicated} deliveries duplicated`] : []),
    ...(ratios.cpuPerDelivery !== null && ratios.cpuPerDelivery >= 1
      ? ['Parley spends no less CPU per delivery than Synapse']
      : []),
    ...(ratios.p99 !== null && ratios.p99 >= 1 ? ["Parley's send→receive p99 is not below Synapse's"] : []),
  ];

  const both = (synapseText: string, parleyText: string) => `${synapseText} | ${parleyText}`;
  const summary: [string, string][] = [
    [
      'load (both sides)',
      `${shape.rate} msg/s for ${shape.durationSec} s, ${shape.senders} senders → ${shape.receivers} receivers, one room`,
    ],
    [
      'send→receive p50 / p95 / p99 (from schedule), Synapse | Parley',
      both(
        `${ms(s.p50Ms)} / ${ms(s.p95Ms)} / ${ms(s.p99Ms)} ms`,
        `${parley.latency.p50Ms} / ${parley.latency.p95Ms} / ${parley.latency.p99Ms} ms`,
      ),
    ],
    ['accepted msg/s, Synapse | Parley', both(`${s.msgsPerSec}`, `${parley.msgsPerSec}`)],
    [
      'deliveries per server CPU-second, Synapse | Parley',
      both(`${round(s.deliveriesPerCpuSec)}`, `${round(parley.deliveriesPerCpuSec)}`),
    ],
    [
      'server CPU per delivery, Synapse | Parley',
      both(`${ms(synapseCpuPerDelivery)} µs`, `${parley.cpuMicrosPerDelivery} µs`) +
        (ratios.cpuPerDelivery === null ? '' : ` (Parley/Synapse ${round(ratios.cpuPerDelivery, 3)})`),
    ],
    ['p99 Parley/Synapse', ratios.p99 === null ? 'n/a' : `${round(ratios.p99, 3)}`],
    ['peak RSS, Synapse | Parley', both(`${s.rssMb} MB`, `${parley.rssMb} MB`)],
    [
      'lost / duplicated, Synapse | Parley',
      both(`${s.lost} / ${s.duplicated}`, `${parley.lost} / ${parley.duplicated}`),
    ],
    [
      'other processes on server / generator core, Synapse | Parley',
      both(foreignText(synapse.window), foreignText(parley.window)),
    ],
    [
      'Synapse',
      `${synapse.version} on ${backend} (${synapse.durability}), started in ${round(synapse.startSec, 1)} s`,
    ],
  ];
  return {
    durability: `Synapse: ${synapse.durability}; Parley: ${parley.durability}`,
    valid: invalidReasons.length === 0,
    invalidReasons,
    gatesFailed,
    figures,
    details: { ...details },
    summary,
  };
}

/** An outcome without figures: the run did not take place, for `reason`. */
function notRun(reason: string, valid: boolean, details: Record<string, unknown> = {}): ScenarioOutcome {
  return {
    durability: 'n/a',
    valid,
    invalidReasons: valid ? [] : [reason],
    gatesFailed: [],
    figures: {},
    details: { skipped: reason, ...details },
    summary: [['not run', reason]],
  };
}

/**
 * The Synapse reference (§6.8 of the design): Synapse, pinned to the server core, on the same
 * database kind, under an S2-shaped load through the Matrix client-server API (send in one room,
 * receive through `/sync`; `synapse/driver.ts`); then Parley under the same load (same rate,
 * senders, receivers, room and schedule) over DDP. Headline figures are Synapse's; `compare` sets
 * Parley's CPU per delivery and p99 against them.
 */
export const synapseReference: Scenario = {
  name: 'synapse',
  title: 'Synapse reference',
  backends: 'each',
  async run(ctx) {
    const backend = ctx.backend ?? 'sqlite';
    // Synapse creates its PostgreSQL schema from scratch on every start (≈ half a minute).
    if (ctx.quick && backend === 'postgres')
      return notRun('Synapse on PostgreSQL runs in full runs only', true);
    const shape = loadShape(ctx.quick);

    let venv: VenvInfo;
    try {
      venv = await ensureSynapseVenv({ log: ctx.log });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.log(`Synapse could not be installed: ${message}`);
      // pip's last line says why (`No matching distribution found for …`); the first is the command.
      const why = message.trim().split('\n').at(-1) ?? message;
      return notRun(`Synapse could not be installed from PyPI: ${why}`, false, { error: message });
    }
    if (venv.installedNow) ctx.log(`installed Synapse ${venv.version} in ${round(venv.installSec)} s`);

    const t0 = performance.now();
    const synapse = await runSynapseSide(backend, shape, ctx);
    const t1 = performance.now();
    const s = synapse.result;
    ctx.log(
      `Synapse: p99 ${s.p99Ms} ms, ${s.msgsPerSec} msg/s, ${s.deliveriesPerCpuSec} deliveries per CPU-second`,
    );

    const server = await ctx.startParley();
    const parley = await runMatchedLoad({
      server,
      plan: ctx.dataset.plan,
      shape,
      cores: ctx.cores,
      log: ctx.log,
    });
    const t2 = performance.now();
    ctx.log(
      `Parley: p99 ${parley.latency.p99Ms} ms, ${parley.msgsPerSec} msg/s, ` +
        `${parley.deliveriesPerCpuSec} deliveries per CPU-second`,
    );

    const cpuPerDelivery = ratio(parley.cpuMicrosPerDelivery, s.details.usCpuPerDelivery ?? NaN);
    const p99 = ratio(parley.latency.p99Ms, s.p99Ms);
    return outcomeOf({
      shape,
      backend,
      venv,
      synapse,
      parley: { ...parley, durability: server.durability },
      ratios: {
        cpuPerDelivery: cpuPerDelivery === null ? null : round(cpuPerDelivery, 4),
        p99: p99 === null ? null : round(p99, 4),
      },
      sideSeconds: { synapse: round((t1 - t0) / 1000, 1), parley: round((t2 - t1) / 1000, 1) },
    });
  },
  compare(own: ScenarioRun): Comparison[] {
    if ('skipped' in own.details) return [];
    const { synapse, parley, ratios, shape } = own.details as unknown as SynapseDetails;
    const label = `Parley vs Synapse on ${own.backend ?? '?'}, ${shape.rate} msg/s`;
    const doubt = own.valid ? '' : ' — in doubt: the run is invalid';
    const comparisons: Comparison[] = [];
    if (ratios.cpuPerDelivery !== null && ratios.cpuPerDelivery > 0) {
      comparisons.push({
        label,
        metric: 'cpuPerDelivery',
        ratio: round(ratios.cpuPerDelivery, 3),
        explanation:
          (ratios.cpuPerDelivery < 1
            ? `Parley spends ${round(1 / ratios.cpuPerDelivery, 1)}× less CPU per delivery than Synapse `
            : `Parley spends ${round(ratios.cpuPerDelivery, 2)}× more CPU per delivery than Synapse `) +
          `(${parley.cpuMicrosPerDelivery} vs ${synapse.result.details.usCpuPerDelivery} µs; ratio Parley/Synapse)` +
          doubt,
      });
    }
    if (ratios.p99 !== null) {
      comparisons.push({
        label,
        metric: 'p99Ms',
        ratio: round(ratios.p99, 3),
        explanation:
          `send→receive p99 ${parley.latency.p99Ms} ms vs ${synapse.result.p99Ms} ms ` +
          '(ratio Parley/Synapse)' +
          doubt,
      });
    }
    return comparisons;
  },
};
