import type { HeadlineFigures, Scenario, ScenarioOutcome } from '../scenario.js';
import {
  runCapacityLoop,
  type CapacityResult,
  type CapacityShape,
  type CapacityWindow,
} from './capacity-loop.js';
import { ACTION_MIX } from './office-actions.js';
import { foreignText } from './storm-report.js';

/** The design's goal for S1 (§0): users one server core holds within every gate; stretch 10,000. */
const GOAL_USERS_PER_CORE = 4_000;

/**
 * §6.4's feedback loop fitted into about four minutes per backend: climb in growing steps with a
 * 15 s window each, bisect the gap twice, then hold the count found for 45 s. `--quick` measures one
 * window with 300 users of the quick data set online: whether the gates hold there. A connect
 * (resume login, a dozen subscriptions) costs the server about 6 ms of CPU, so ramps take time.
 */
function shape(quick: boolean): CapacityShape {
  if (quick) {
    return {
      levels: [300],
      bisections: 0,
      resolution: 150,
      warmupMs: 1_500,
      windowMs: 6_000,
      finalWindowMs: 0,
      connectPerSecond: 500,
      retryInvalid: false,
      drainMs: 5_000,
    };
  }
  return {
    levels: [1_000, 2_000, 4_000, 6_000, 8_000, 10_000],
    bisections: 2,
    resolution: 500,
    warmupMs: 5_000,
    windowMs: 15_000,
    finalWindowMs: 45_000,
    connectPerSecond: 500,
    retryInvalid: true,
    drainMs: 10_000,
  };
}

/**
 * S1, office day: simulated users each on one DDP socket (resume token, subscribed to the messages
 * of every room they are in and to their own notification streams) acting after uniform think
 * times with Mattermost's action mix; users are added while every §6.6 gate holds. The headline is
 * the largest user count that held a whole window on the server's one core.
 */
export const s1Capacity: Scenario = {
  name: 's1',
  title: 'S1 office day (capacity)',
  backends: 'each',
  async run(ctx) {
    const server = await ctx.startParley();
    const result = await runCapacityLoop({
      server,
      plan: ctx.dataset.plan,
      shape: shape(ctx.quick),
      cores: ctx.cores,
      seed: ctx.dataset.spec.seed,
      log: ctx.log,
    });
    return capacityOutcome(result, { quick: ctx.quick, durability: server.durability });
  },
};

function capacityOutcome(
  result: CapacityResult,
  options: { readonly quick: boolean; readonly durability: string },
): ScenarioOutcome {
  const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
  const { best, final } = result;
  // The figures at the count found: from its final window when that held, else from the window that found it.
  const shown: CapacityWindow | null = final?.held ? final : (best ?? result.windows.at(-1) ?? null);
  const usersPerCore = best?.level ?? null;
  const atCeiling = usersPerCore !== null && usersPerCore >= result.ceiling;
  const figures: HeadlineFigures = {
    ...(usersPerCore !== null ? { usersPerCore } : {}),
    ...(shown
      ? {
          p50Ms: shown.sendReceive.p50Ms,
          p95Ms: shown.sendReceive.p95Ms,
          p99Ms: shown.sendReceive.p99Ms,
          msgsPerSec: round(shown.acceptedPerSecond, 1),
        }
      : {}),
    lost: result.lost,
    duplicated: result.duplicated,
  };

  const invalidReasons = [
    ...new Set(result.windows.flatMap((w) => w.invalidReasons)),
    ...(result.connectFailures.length > 0
      ? [`${result.connectFailures.length} users failed to connect`]
      : []),
    ...(result.generatorErrors > 0
      ? [`the load generator failed ${result.generatorErrors} times: ${result.firstGeneratorError ?? ''}`]
      : []),
  ];
  const gatesFailed = [
    ...(best === null
      ? [`no user count held: ${result.windows[0]?.gatesFailed.join('; ') ?? 'nothing measured'}`]
      : []),
    ...(final && !final.held
      ? [`final window at ${final.level} users broke: ${final.gatesFailed.join('; ')}`]
      : []),
    ...(!options.quick && (usersPerCore ?? 0) < GOAL_USERS_PER_CORE
      ? [`capacity ${usersPerCore ?? 0} users/core < ${GOAL_USERS_PER_CORE.toLocaleString('en')} (goal)`]
      : []),
    ...(result.lost > 0 ? [`${result.lost} deliveries lost`] : []),
    ...(result.duplicated > 0 ? [`${result.duplicated} deliveries duplicated`] : []),
    ...(result.unexpectedCloses > 0 ? [`${result.unexpectedCloses} sockets closed by the server`] : []),
  ];

  const capacityText =
    usersPerCore === null
      ? 'none held'
      : atCeiling
        ? `≥ ${usersPerCore.toLocaleString('en')} (data-set limit)`
        : `${usersPerCore.toLocaleString('en')}`;
  const stepText = (w: CapacityWindow) =>
    `${w.level}: ${w.held ? 'held' : 'broke'}${w.invalidReasons.length > 0 ? ' (not valid)' : ''}`;
  const slowest = shown
    ? Object.entries(shown.requestKinds)
        .sort(([, a], [, b]) => b.p99Ms - a.p99Ms)
        .slice(0, 4)
        .map(([kind, s]) => `${kind} ${s.p99Ms}`)
        .join(', ')
    : '';
  const summary: [string, string][] = shown
    ? [
        ['users per core (every gate held a whole window)', capacityText],
        ['windows (users: verdict)', result.windows.map(stepText).join('; ')],
        [
          `at ${shown.users} users: actions/s, messages/s, deliveries/s`,
          `${round(shown.actionsPerSecond)}, ${round(shown.acceptedPerSecond, 1)}, ${round(shown.deliveriesPerSecond)}`,
        ],
        [
          'send→receive p50 / p95 / p99 / max (from schedule)',
          `${shown.sendReceive.p50Ms} / ${shown.sendReceive.p95Ms} / ${shown.sendReceive.p99Ms} / ${shown.sendReceive.maxMs} ms`,
        ],
        [
          'requests (REST + methods) p50 / p99 / mean',
          `${shown.requests.p50Ms} / ${shown.requests.p99Ms} / ${shown.requests.meanMs} ms (${shown.requests.count})`,
        ],
        ['slowest request kinds (p99 ms)', slowest],
        ['errors', `${shown.errors} (${round(shown.errorShare * 100, 3)} %)`],
        [
          'server CPU / generator CPU / steal',
          `${round(shown.window.serverCpuPercent)} % / ${round(shown.window.generatorCpuPercent)} % / ${round(shown.window.stealPercent, 1)} %`,
        ],
        ['other processes on server / generator core', foreignText(shown.window)],
        ['event-loop delay p99', shown.eventLoopP99Ms === null ? 'n/a' : `${shown.eventLoopP99Ms} ms`],
        [
          'lost / duplicated (given up on by leaving sockets)',
          `${result.lost} / ${result.duplicated} (${result.abandoned})`,
        ],
        ['connect + login + subscribe p50 / p99', `${result.connect.p50Ms} / ${result.connect.p99Ms} ms`],
        ['search', 'spotlight (users and rooms by name): message search is not implemented yet'],
      ]
    : [];
  return {
    durability: options.durability,
    valid: invalidReasons.length === 0,
    invalidReasons,
    gatesFailed,
    figures,
    details: { ...result, actionMix: ACTION_MIX, goalUsersPerCore: GOAL_USERS_PER_CORE },
    summary,
  };
}
