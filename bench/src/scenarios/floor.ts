import type { Comparison, Scenario } from '../scenario.js';
import { startFloorServer } from '../targets/floor-target.js';
import { runMessageStorm } from './message-storm.js';
import { headlineStep, stormDetails, stormOutcome, stormSteps } from './storm-report.js';

/**
 * The floor reference: S2's exact load (same users, rooms, rates and seed) against the minimal `ws`
 * broadcast server. Its deliveries per CPU-second are the physics on this machine today; S2's are
 * reported as a multiple of it, which stays comparable across days and machines.
 */
export const floor: Scenario = {
  name: 'floor',
  title: 'Floor: minimal ws broadcast server through S2',
  backends: 'none',
  async run(ctx) {
    const server = await startFloorServer({ core: ctx.cores.server });
    try {
      const { steps, warmupMs, users } = stormSteps(ctx.quick);
      const result = await runMessageStorm({
        server,
        plan: ctx.dataset.plan,
        connectedUsers: users,
        steps,
        warmupMs,
        drainMs: ctx.quick ? 15_000 : 30_000,
        stopAtFailedGate: !ctx.quick,
        cores: ctx.cores,
        seed: ctx.dataset.spec.seed,
        log: ctx.log,
      });
      return stormOutcome(result, server.durability);
    } finally {
      await server.stop();
    }
  },
  compare(own, all) {
    const comparisons: Comparison[] = [];
    const floorSteps = stormDetails(own).steps;
    for (const run of all) {
      if (run.scenario !== 's2') continue;
      const parley = headlineStep(stormDetails(run));
      // Same offered rate on both sides: CPU per delivery falls as load rises (batching).
      const reference = floorSteps.find((s) => s.offeredPerSecond === parley?.offeredPerSecond);
      if (!parley || !reference || parley.deliveriesPerCpuSecond === 0) continue;
      const ratio = reference.deliveriesPerCpuSecond / parley.deliveriesPerCpuSecond;
      comparisons.push({
        label: `S2 on ${run.backend ?? '?'} vs floor, ${parley.offeredPerSecond} msg/s`,
        metric: 'cpuPerDelivery',
        ratio: Math.round(ratio * 100) / 100,
        explanation:
          `Parley spends ${ratio.toFixed(2)}× the floor server's CPU per delivery ` +
          `(${Math.round(parley.deliveriesPerCpuSecond)} vs ${Math.round(reference.deliveriesPerCpuSecond)} ` +
          'deliveries per server CPU-second; goal ≤ 3×)' +
          (run.valid && own.valid ? '' : ' — in doubt: a run it compares is invalid'),
      });
    }
    return comparisons;
  },
};
