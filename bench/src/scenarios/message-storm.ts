import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatasetPlan } from '../dataset/plan.js';
import { bodyPool } from '../dataset/words.js';
import { closeAll, connectMany, type ClientPlan } from '../load/connect-many.js';
import type { DdpClient } from '../load/ddp-client.js';
import type { LatencySummary } from '../load/latency.js';
import { DeliveryLedger, WindowCounts } from '../load/ledger.js';
import { runOpenLoop } from '../load/open-loop.js';
import { Rng } from '../load/rng.js';
import { Sampler, windowBetween, type Sample, type ServerProcesses, type Window } from '../system/sampler.js';
import { scrapeServerMetrics } from '../system/server-metrics.js';
import type { RunningServer } from '../targets/running-server.js';
import type { Cores } from '../system/pinning.js';
import { sendGates, validity } from './gates.js';
import { audienceOf, RoomPicker } from './room-audience.js';

export interface StormStep {
  readonly ratePerSecond: number;
  readonly durationMs: number;
}

export interface StormOptions {
  readonly server: RunningServer;
  /**
   * More processes of the same deployment (S7): client `i` connects to the `i mod n`th of
   * `[server, ...peers]`, and their CPU counts with the server's.
   */
  readonly peers?: readonly RunningServer[];
  /**
   * Processes outside the run whose CPU counts as the server's too (the machine's nats-server, S7):
   * counted, never pinned.
   */
  readonly sharedPids?: readonly number[];
  readonly plan: DatasetPlan;
  /** The first `connectedUsers` users of the data set connect, one socket each. */
  readonly connectedUsers: number;
  readonly steps: readonly StormStep[];
  /** The start of each step that is not measured (JIT, caches, queues filling). */
  readonly warmupMs: number;
  /** After the last step, how long to wait without any delivery or answer before the rest counts as lost. */
  readonly drainMs: number;
  /** Full runs stop stepping up once a step breaks a gate or is invalid. */
  readonly stopAtFailedGate: boolean;
  readonly cores: Cores;
  readonly seed: number;
  readonly log: (line: string) => void;
}

export interface StepResult {
  readonly offeredPerSecond: number;
  readonly window: Window;
  readonly sends: number;
  readonly acceptedPerSecond: number;
  readonly failedSends: number;
  readonly deliveries: number;
  readonly deliveriesPerSecond: number;
  readonly deliveriesPerCpuSecond: number;
  readonly cpuMicrosPerMessage: number;
  readonly cpuMicrosPerDelivery: number;
  /** Send→receive, from the scheduled time (coordinated-omission safe). */
  readonly latency: LatencySummary;
  /** Send→receive, from the moment the frame was written. */
  readonly latencyFromSent: LatencySummary;
  /** `sendMessage` answered, from the scheduled time. */
  readonly ack: LatencySummary;
  readonly eventLoopP99Ms: number | null;
  readonly gatesFailed: readonly string[];
  readonly invalidReasons: readonly string[];
}

export interface StormResult {
  readonly connected: number;
  readonly subscriptions: number;
  readonly rooms: Readonly<Record<string, number>>;
  readonly connectSeconds: number;
  readonly connectFailures: readonly string[];
  readonly steps: readonly StepResult[];
  /** The fastest step within every gate, or null. */
  readonly best: StepResult | null;
  readonly lost: number;
  readonly duplicated: number;
  readonly refused: number;
  readonly unanswered: number;
  readonly unexpectedCloses: number;
  /** Server processes the clients were spread over. */
  readonly processes: number;
  /**
   * Deliveries expected to a client on another process than the sender's (they cross the bus);
   * lost and duplicated cover them with the rest. 0 with one process.
   */
  readonly crossProcessDeliveries: number;
  readonly samples: readonly Sample[];
}

/** However much is still arriving, a drain ends after this long. */
const DRAIN_CAP_MS = 180_000;

/**
 * S2's shape, against any server that speaks DDP (Parley, the floor server): connect users who
 * subscribe to the messages of each of their rooms, then post at stepped open-loop rates into rooms
 * chosen by the mix, and measure every delivery.
 */
export async function runMessageStorm(options: StormOptions): Promise<StormResult> {
  const { plan, log } = options;
  const servers = [options.server, ...(options.peers ?? [])];
  const connectedUsers = Math.min(options.connectedUsers, plan.users.length);
  const audience = audienceOf(plan, connectedUsers);
  const clientPlans: ClientPlan[] = audience.roomsOf.map((rooms, i) => ({
    token: (plan.users[i] as { token: string }).token,
    subscriptions: rooms.map((id) => ({ stream: 'stream-room-messages', eventName: id })),
  }));

  const ledger = new DeliveryLedger();
  log(`connecting ${connectedUsers} users`);
  const connected = await connectMany({
    url: servers.length === 1 ? options.server.wsUrl : servers.map((s) => s.wsUrl),
    plans: clientPlans,
    sink: ledger,
    ratePerSecond: 2_000,
    concurrency: 100,
  });
  const clients = connected.clients;
  // Only sockets that connected count as audience and senders.
  for (const room of audience.rooms) room.online = room.online.filter((c) => clients[c] !== null);
  const picker = new RoomPicker(audience.rooms);
  const texts = bodyPool(options.seed).posts.map((t) => JSON.stringify(t));

  const sampler = new Sampler(
    countedProcesses(options.server, servers, options.sharedPids ?? []),
    options.cores,
  );
  sampler.start();
  const rng = new Rng(options.seed, 11);
  let crossProcessDeliveries = 0;
  const fire = (scheduledAt: number): void => {
    const room = picker.pick(rng);
    const senderNumber = rng.pick(room.online);
    const sender = clients[senderNumber] as DdpClient;
    if (servers.length > 1) {
      for (const c of room.online)
        if (c % servers.length !== senderNumber % servers.length) crossProcessDeliveries++;
    }
    const seq = ledger.register(scheduledAt, room.online);
    sender.sendMessage(seq, room.id, rng.pick(texts));
    ledger.markSent(seq, performance.now());
  };

  const steps: StepResult[] = [];
  for (const step of options.steps) {
    log(`step: ${step.ratePerSecond} msg/s for ${step.durationMs / 1000} s`);
    const startAt = performance.now();
    const measured = (async () => {
      await sleep(options.warmupMs);
      const from = await sampler.mark();
      // Resets the servers' event-loop histograms; not awaited, a busy server answers late.
      for (const s of servers) void scrapeServerMetrics(s.metricsUrl);
      const counts = new WindowCounts();
      ledger.window = counts;
      return { from, counts };
    })();
    await runOpenLoop({ rng, ratePerSecond: step.ratePerSecond, startAt, durationMs: step.durationMs, fire });
    const { from, counts } = await measured;
    ledger.window = null;
    const to = await sampler.mark();
    const result = stepResult(step, windowBetween(from, to), counts, await eventLoopP99Ms(servers));
    steps.push(result);
    log(
      `  ${result.acceptedPerSecond.toFixed(0)} msg/s accepted, ${result.deliveriesPerSecond.toFixed(0)} deliveries/s, ` +
        `p99 ${result.latency.p99Ms} ms, server CPU ${result.window.serverCpuPercent.toFixed(0)} %, ` +
        `generator CPU ${result.window.generatorCpuPercent.toFixed(0)} %`,
    );
    // Beyond a broken gate (or a generator that could not keep up) a higher rate says nothing more.
    if (options.stopAtFailedGate && (result.gatesFailed.length > 0 || result.invalidReasons.length > 0))
      break;
  }

  // Every send answered and every delivery in, or nothing arrived for `drainMs`: what is missing
  // then is lost. A server far behind its queue is still delivering, and late is not lost (the
  // latency says how late); a hard cap keeps a stuck server from holding the run.
  const hardStop = performance.now() + DRAIN_CAP_MS;
  let missing = ledger.unanswered() + ledger.outstanding();
  let lastProgress = performance.now();
  while (missing > 0 && performance.now() - lastProgress < options.drainMs && performance.now() < hardStop) {
    await sleep(100);
    const now = ledger.unanswered() + ledger.outstanding();
    if (now < missing) lastProgress = performance.now();
    missing = now;
  }
  sampler.stop();
  const tally = ledger.tally();
  const unexpectedCloses = clients.filter((c) => c?.unexpectedClose).length;
  closeAll(clients);

  const passing = steps.filter((s) => s.gatesFailed.length === 0 && s.invalidReasons.length === 0);
  return {
    connected: clients.filter((c) => c !== null).length,
    subscriptions: clientPlans.reduce((a, p) => a + p.subscriptions.length, 0),
    rooms: audience.rooms.reduce<Record<string, number>>((counts, room) => {
      counts[room.kind] = (counts[room.kind] ?? 0) + 1;
      return counts;
    }, {}),
    connectSeconds: connected.seconds,
    connectFailures: connected.failures.slice(0, 20),
    steps,
    best: passing.reduce<StepResult | null>(
      (best, s) => (best === null || s.acceptedPerSecond > best.acceptedPerSecond ? s : best),
      null,
    ),
    ...tally,
    unexpectedCloses,
    processes: servers.length,
    crossProcessDeliveries,
    samples: sampler.samples,
  };
}

/**
 * What the sampler counts: every server's processes (their PostgreSQL backends are the same ones
 * when they share a database) and `sharedPids`; the first server's RSS stands for the memory.
 */
function countedProcesses(
  first: RunningServer,
  servers: readonly RunningServer[],
  sharedPids: readonly number[],
): ServerProcesses {
  if (servers.length === 1 && sharedPids.length === 0) return first;
  return {
    mainPid: first.mainPid,
    notPinned: sharedPids,
    async pids() {
      const each = await Promise.all(servers.map((s) => s.pids()));
      return [...new Set([...each.flat(), ...sharedPids])];
    },
  };
}

/** The worst event-loop delay p99 of the servers since the last scrape, or null if none tells. */
async function eventLoopP99Ms(servers: readonly RunningServer[]): Promise<number | null> {
  const metrics = await Promise.all(servers.map((s) => scrapeServerMetrics(s.metricsUrl)));
  const delays = metrics.flatMap((m) => (m === null || m.eventLoopP99Ms === null ? [] : [m.eventLoopP99Ms]));
  return delays.length > 0 ? Math.max(...delays) : null;
}

function stepResult(
  step: StormStep,
  window: Window,
  counts: WindowCounts,
  eventLoopP99Ms: number | null,
): StepResult {
  const perSecond = (n: number) => (window.seconds > 0 ? n / window.seconds : 0);
  const latency = counts.fromScheduled.summary();
  const answered = counts.acceptedSends + counts.failedSends;
  const result = {
    offeredPerSecond: step.ratePerSecond,
    window,
    sends: counts.sends,
    acceptedPerSecond: perSecond(counts.acceptedSends),
    failedSends: counts.failedSends,
    deliveries: counts.deliveries,
    deliveriesPerSecond: perSecond(counts.deliveries),
    deliveriesPerCpuSecond: window.serverCpuSeconds > 0 ? counts.deliveries / window.serverCpuSeconds : 0,
    cpuMicrosPerMessage:
      counts.acceptedSends > 0 ? (window.serverCpuSeconds * 1e6) / counts.acceptedSends : 0,
    cpuMicrosPerDelivery: counts.deliveries > 0 ? (window.serverCpuSeconds * 1e6) / counts.deliveries : 0,
    latency,
    latencyFromSent: counts.fromSent.summary(),
    ack: counts.ack.summary(),
    eventLoopP99Ms,
  };
  return {
    ...result,
    gatesFailed: sendGates({
      latency,
      errorShare: answered > 0 ? counts.failedSends / answered : 0,
      serverCpuPercent: window.serverCpuPercent,
      eventLoopP99Ms,
    }),
    invalidReasons: validity(window),
  };
}
