import type { Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import {
  NATS_URL,
  natsReachable,
  natsServerProcesses,
  type NatsServerProcess,
} from '../system/nats-server.js';
import type { RunningServer } from '../targets/running-server.js';
import { runMessageStorm, type StepResult, type StormResult, type StormStep } from './message-storm.js';
import { headlineStep, stormOutcome } from './storm-report.js';

interface S7Shape {
  readonly step: StormStep;
  readonly warmupMs: number;
  readonly users: number;
  readonly drainMs: number;
}

/**
 * S7's shape (§6.4 of the design): S2's storm at one fixed rate, once per half. `--quick` takes a
 * short step at S2's quick rate and users: each half is its connects plus 6 s (drain only if late).
 */
function s7Shape(quick: boolean): S7Shape {
  if (quick)
    return { step: { ratePerSecond: 100, durationMs: 5_000 }, warmupMs: 1_500, users: 300, drainMs: 10_000 };
  return {
    step: { ratePerSecond: 500, durationMs: 120_000 },
    warmupMs: 20_000,
    users: 2_000,
    drainMs: 30_000,
  };
}

/**
 * S7, two processes over NATS versus one: the same storm (same users, rooms, rate and seed, each
 * half on a fresh copy of the data set) against (a) one Parley process and (b) two processes on one
 * PostgreSQL database joined by NATS, the users split between them (even client numbers on the
 * first, odd on the second), all on the server's core. What the second process and the bus cost:
 * CPU per delivery (b)/(a), counting both processes, the PostgreSQL backends and the machine's
 * nats-server; the p99 latency (b) adds; and whether every delivery crossed exactly once.
 */
export const s7NatsCluster: Scenario = {
  name: 's7',
  title: 'S7 two processes over NATS versus one',
  // Several processes need one shared database: SQLite is refused for that (a libsql bug).
  backends: 'postgres',
  async run(ctx) {
    if (!(await natsReachable(NATS_URL)))
      throw new Error(`NATS is not reachable at ${NATS_URL}: start nats-server or set BENCH_NATS_URL`);
    const shape = s7Shape(ctx.quick);

    const single = await ctx.startParley();
    const one = await storm(ctx, { shape, servers: [single], sharedPids: [], label: 'one process' });
    await single.stop();

    // A prefix of its own, so that concurrent runs (and tests) on the same NATS do not mix.
    const subjectPrefix = `bench.s7.${process.pid}.${Date.now()}`;
    const env = { NATS_URL, PARLEY_NATS_SUBJECT_PREFIX: subjectPrefix };
    const first = await ctx.startParley({ env });
    const second = await ctx.startParley({ env, shareDatabaseWith: first });
    // Counted, never moved: the design puts nats-server on the server's core too, but the machine's
    // is shared with other runs and tests, so it keeps its affinity (recorded in the details).
    const nats = natsServerProcesses();
    if (nats.length === 0) ctx.log(`no local nats-server process: its CPU is not counted`);
    const two = await storm(ctx, {
      shape,
      servers: [first, second],
      sharedPids: nats.map((n) => n.pid),
      label: 'two processes',
    });
    return s7Outcome({ one, two, durability: first.durability, nats: { subjectPrefix, processes: nats } });
  },
};

/** One half: the storm against `servers` (clients round-robin), counting `sharedPids` too. */
function storm(
  ctx: ScenarioContext,
  options: {
    readonly shape: S7Shape;
    readonly servers: readonly [RunningServer, ...RunningServer[]];
    readonly sharedPids: readonly number[];
    readonly label: string;
  },
): Promise<StormResult> {
  const { shape, label } = options;
  const [server, ...peers] = options.servers;
  return runMessageStorm({
    server,
    peers,
    sharedPids: options.sharedPids,
    plan: ctx.dataset.plan,
    connectedUsers: shape.users,
    steps: [shape.step],
    warmupMs: shape.warmupMs,
    drainMs: shape.drainMs,
    stopAtFailedGate: false,
    cores: ctx.cores,
    seed: ctx.dataset.spec.seed,
    log: (line) => ctx.log(`${label}: ${line}`),
  });
}

function s7Outcome(run: {
  readonly one: StormResult;
  readonly two: StormResult;
  readonly durability: string;
  readonly nats: { readonly subjectPrefix: string; readonly processes: readonly NatsServerProcess[] };
}): ScenarioOutcome {
  const oneOutcome = stormOutcome(run.one, run.durability);
  const twoOutcome = stormOutcome(run.two, run.durability);
  const a = headlineStep(run.one);
  const b = headlineStep(run.two);
  const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
  const overhead = {
    /** Server CPU per delivery, (b)/(a): 1 means the second process and the bus cost nothing. */
    cpuPerDeliveryRatio:
      a && b && a.cpuMicrosPerDelivery > 0 ? round(b.cpuMicrosPerDelivery / a.cpuMicrosPerDelivery, 2) : null,
    cpuPerMessageRatio:
      a && b && a.cpuMicrosPerMessage > 0 ? round(b.cpuMicrosPerMessage / a.cpuMicrosPerMessage, 2) : null,
    addedP50Ms: a && b ? round(b.latency.p50Ms - a.latency.p50Ms, 2) : null,
    addedP99Ms: a && b ? round(b.latency.p99Ms - a.latency.p99Ms, 2) : null,
  };
  const prefixed = (pick: (o: ScenarioOutcome) => readonly string[]) => [
    ...pick(oneOutcome).map((reason) => `one process: ${reason}`),
    ...pick(twoOutcome).map((reason) => `two processes: ${reason}`),
  ];
  // Lost is what had not arrived when the drain time ran out: with sends still unanswered the
  // server had fallen behind, and late deliveries were counted as lost.
  const behind = (label: string, r: StormResult) =>
    r.unanswered > 0
      ? [`${label}: ${r.unanswered} sends still unanswered when the drain ended (lost ones may be late)`]
      : [];
  const invalidReasons = [
    ...prefixed((o) => o.invalidReasons),
    ...behind('one process', run.one),
    ...behind('two processes', run.two),
  ];
  const gatesFailed = [
    ...prefixed((o) => o.gatesFailed),
    ...(run.two.crossProcessDeliveries === 0 ? ['no delivery crossed between the processes'] : []),
  ];
  const stepRow = (label: string, step: StepResult | null) =>
    [
      label,
      step
        ? `${round(step.acceptedPerSecond)} msg/s, ${round(step.cpuMicrosPerDelivery, 1)} µs CPU per delivery, ` +
          `p50 / p99 ${step.latency.p50Ms} / ${step.latency.p99Ms} ms, server CPU ${round(step.window.serverCpuPercent)} %`
        : 'no step measured',
    ] as const;
  const ratioText = (r: number | null) => (r === null ? 'n/a' : `${r}×`);
  const msText = (ms: number | null) => (ms === null ? 'n/a' : `${ms > 0 ? '+' : ''}${ms} ms`);
  return {
    durability: run.durability,
    valid: invalidReasons.length === 0,
    invalidReasons,
    gatesFailed,
    figures: twoOutcome.figures,
    details: {
      overhead,
      nats: { url: NATS_URL, ...run.nats },
      oneProcess: run.one,
      twoProcesses: run.two,
    },
    summary: [
      ['CPU per delivery, two processes / one', ratioText(overhead.cpuPerDeliveryRatio)],
      ['CPU per message, two processes / one', ratioText(overhead.cpuPerMessageRatio)],
      ['added send→receive p50 / p99', `${msText(overhead.addedP50Ms)} / ${msText(overhead.addedP99Ms)}`],
      stepRow('one process', a),
      stepRow('two processes (+ nats-server)', b),
      [
        'two processes: lost / duplicated (deliveries across the bus)',
        `${run.two.lost} / ${run.two.duplicated} (${run.two.crossProcessDeliveries} expected)`,
      ],
      ['one process: lost / duplicated', `${run.one.lost} / ${run.one.duplicated}`],
      ['connected users', `${run.one.connected} / ${run.two.connected}`],
    ],
  };
}
