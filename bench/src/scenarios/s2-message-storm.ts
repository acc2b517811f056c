import type { Scenario } from '../scenario.js';
import { runMessageStorm } from './message-storm.js';
import { stormOutcome, stormSteps } from './storm-report.js';

/**
 * S2, message storm: users subscribed to their rooms, messages posted over DDP `sendMessage` at
 * stepped open-loop rates into rooms of every kind; msg/s, deliveries per server CPU-second and
 * send→receive latency from the scheduled time.
 */
export const s2MessageStorm: Scenario = {
  name: 's2',
  title: 'S2 message storm',
  backends: 'each',
  async run(ctx) {
    const server = await ctx.startParley();
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
  },
};
