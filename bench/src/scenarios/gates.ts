import type { LatencySummary } from '../load/latency.js';
import type { Window } from '../system/sampler.js';

/**
 * The pass gates of the design (§6.6), stricter than Mattermost's coordinator. A step that breaks
 * one is outside the server's capacity; the names say which held and which did not.
 */
export const GATES = {
  sendReceiveP99Ms: 50,
  sendReceiveP50Ms: 5,
  errorShare: 0.00025,
  serverCpuPercent: 85,
  eventLoopP99Ms: 20,
  /** Validity, not capacity: beyond these the run measured the machine, not the server. */
  generatorCpuPercent: 80,
  stealPercent: 5,
  /** Other processes' CPU on either pinned core (a shared machine): the cores were not ours. */
  foreignCpuPercent: 10,
} as const;

export function sendGates(measured: {
  readonly latency: LatencySummary;
  readonly errorShare: number;
  readonly serverCpuPercent: number;
  readonly eventLoopP99Ms: number | null;
}): string[] {
  const failed: string[] = [];
  if (measured.latency.count === 0) failed.push('no delivery measured');
  if (measured.latency.p99Ms > GATES.sendReceiveP99Ms)
    failed.push(`send→receive p99 ${measured.latency.p99Ms} ms > ${GATES.sendReceiveP99Ms} ms`);
  if (measured.latency.p50Ms > GATES.sendReceiveP50Ms)
    failed.push(`send→receive p50 ${measured.latency.p50Ms} ms > ${GATES.sendReceiveP50Ms} ms`);
  if (measured.errorShare > GATES.errorShare)
    failed.push(`errors ${(measured.errorShare * 100).toFixed(3)} % > ${GATES.errorShare * 100} %`);
  if (measured.serverCpuPercent > GATES.serverCpuPercent)
    failed.push(`server CPU ${measured.serverCpuPercent.toFixed(0)} % > ${GATES.serverCpuPercent} %`);
  if (measured.eventLoopP99Ms !== null && measured.eventLoopP99Ms > GATES.eventLoopP99Ms)
    failed.push(`event-loop delay p99 ${measured.eventLoopP99Ms} ms > ${GATES.eventLoopP99Ms} ms`);
  return failed;
}

/** Why a window's figures cannot be trusted, if they cannot. */
export function validity(window: Window): string[] {
  const reasons: string[] = [];
  if (window.generatorCpuPercent > GATES.generatorCpuPercent)
    reasons.push(
      `load generator CPU ${window.generatorCpuPercent.toFixed(0)} % > ${GATES.generatorCpuPercent} %: the client was measured`,
    );
  if (window.stealPercent > GATES.stealPercent)
    reasons.push(`steal ${window.stealPercent.toFixed(1)} % > ${GATES.stealPercent} %`);
  const foreign = [
    ['server', window.foreignOnServerCorePercent],
    ['generator', window.foreignOnGeneratorCorePercent],
  ] as const;
  for (const [core, percent] of foreign) {
    if (percent !== null && percent > GATES.foreignCpuPercent)
      reasons.push(`other processes took ${percent.toFixed(0)} % of the ${core}'s core`);
  }
  return reasons;
}
