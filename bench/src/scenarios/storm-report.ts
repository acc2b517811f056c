import type { HeadlineFigures, ScenarioOutcome, ScenarioRun } from '../scenario.js';
import type { Window } from '../system/sampler.js';
import type { StepResult, StormResult, StormStep } from './message-storm.js';

/**
 * S2's steps (§6.4): 40 s each at stepped rates until a gate breaks. `--quick` runs one short step
 * at a rate well inside today's capacity: its latency and CPU per message and per delivery are the
 * everyday figures; capacity (the fastest step within the gates) comes from a full run.
 */
export function stormSteps(quick: boolean): { steps: StormStep[]; warmupMs: number; users: number } {
  if (quick) return { steps: [{ ratePerSecond: 100, durationMs: 6_000 }], warmupMs: 1_500, users: 500 };
  return {
    // 40 s per step (the design's 60 s, shortened so a full run of every scenario fits in an hour):
    // 30 s measured after 10 s of warm-up is over 10⁴ deliveries from the first step on.
    steps: [50, 100, 200, 500, 1_000, 2_000, 3_000].map((ratePerSecond) => ({
      ratePerSecond,
      durationMs: 40_000,
    })),
    warmupMs: 10_000,
    users: 2_000,
  };
}

export function foreignText(window: Window): string {
  const percent = (p: number | null) => (p === null ? 'n/a' : `${Math.round(p)} %`);
  return `${percent(window.foreignOnServerCorePercent)} / ${percent(window.foreignOnGeneratorCorePercent)}`;
}

function stepText(step: StepResult): string {
  const verdict =
    step.invalidReasons.length > 0 ? 'invalid' : step.gatesFailed.length > 0 ? 'failed' : 'held';
  return `${step.offeredPerSecond}: ${step.latency.p99Ms} ms, ${verdict}`;
}

/** A storm run's details are its `StormResult` (see `stormOutcome`). */
export function stormDetails(run: ScenarioRun): StormResult {
  return run.details as unknown as StormResult;
}

/** The step a storm is summed up by: the fastest within every gate, else the first. */
export function headlineStep(result: StormResult): StepResult | null {
  return result.best ?? result.steps[0] ?? null;
}

export function stormOutcome(result: StormResult, durability: string): ScenarioOutcome {
  const step = headlineStep(result);
  const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
  const figures: HeadlineFigures = step
    ? {
        p50Ms: step.latency.p50Ms,
        p95Ms: step.latency.p95Ms,
        p99Ms: step.latency.p99Ms,
        msgsPerSec: round(step.acceptedPerSecond),
        deliveriesPerCpuSec: round(step.deliveriesPerCpuSecond),
        lost: result.lost,
        duplicated: result.duplicated,
      }
    : { lost: result.lost, duplicated: result.duplicated };
  const invalidReasons = [
    ...new Set(result.steps.flatMap((s) => s.invalidReasons)),
    ...(result.connectFailures.length > 0
      ? [`${result.connectFailures.length} clients failed to connect`]
      : []),
    ...(result.unexpectedCloses > 0 ? [`${result.unexpectedCloses} sockets closed during the run`] : []),
  ];
  const gatesFailed = [
    ...(result.best === null ? (step?.gatesFailed ?? ['no step measured']) : []),
    ...(result.lost > 0 ? [`${result.lost} deliveries lost`] : []),
    ...(result.duplicated > 0 ? [`${result.duplicated} deliveries duplicated`] : []),
  ];
  const summary: [string, string][] = step
    ? [
        ['offered → accepted', `${step.offeredPerSecond} → ${round(step.acceptedPerSecond)} msg/s`],
        ['deliveries', `${round(step.deliveriesPerSecond)} /s`],
        ['deliveries per server CPU-second', `${round(step.deliveriesPerCpuSecond)}`],
        [
          'server CPU per message / per delivery',
          `${round(step.cpuMicrosPerMessage)} µs / ${round(step.cpuMicrosPerDelivery, 1)} µs`,
        ],
        [
          'send→receive p50 / p95 / p99 / max (from schedule)',
          `${step.latency.p50Ms} / ${step.latency.p95Ms} / ${step.latency.p99Ms} / ${step.latency.maxMs} ms`,
        ],
        ['ack p50 / p99', `${step.ack.p50Ms} / ${step.ack.p99Ms} ms`],
        [
          'server CPU / generator CPU / steal',
          `${round(step.window.serverCpuPercent)} % / ${round(step.window.generatorCpuPercent)} % / ${round(step.window.stealPercent, 1)} %`,
        ],
        ['other processes on server / generator core', foreignText(step.window)],
        ['event-loop delay p99', step.eventLoopP99Ms === null ? 'n/a' : `${step.eventLoopP99Ms} ms`],
        ['lost / duplicated', `${result.lost} / ${result.duplicated}`],
        ['steps (offered msg/s: p99, gates)', result.steps.map(stepText).join('; ')],
        ['connected users / subscriptions', `${result.connected} / ${result.subscriptions}`],
      ]
    : [];
  return {
    durability,
    valid: invalidReasons.length === 0,
    invalidReasons,
    gatesFailed,
    figures,
    details: { ...result },
    summary,
  };
}
