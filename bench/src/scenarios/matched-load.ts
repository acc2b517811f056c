import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatasetPlan, PlannedUser } from '../dataset/plan.js';
import { closeAll, connectMany, type ClientPlan } from '../load/connect-many.js';
import type { LoadSink } from '../load/ddp-client.js';
import type { LatencySummary } from '../load/latency.js';
import { DeliveryLedger, WindowCounts } from '../load/ledger.js';
import { RestClient } from '../load/rest.js';
import type { Cores } from '../system/pinning.js';
import { Sampler, windowBetween, type Sample, type Window } from '../system/sampler.js';
import type { RunningServer } from '../targets/running-server.js';

/**
 * The load the Synapse driver (`synapse/driver.ts`) puts on Synapse: one room whose members are
 * `senders + receivers` users; message i is scheduled at t0 + i/rate and sent by sender i mod
 * senders; only the receivers listen. The first `warmupSec` of the schedule are left out of the
 * latency figures; CPU and deliveries cover the whole schedule and the drain.
 */
export interface LoadShape {
  readonly rate: number;
  readonly durationSec: number;
  readonly senders: number;
  readonly receivers: number;
  readonly warmupSec: number;
  /** Longest wait after the last scheduled send for deliveries still on their way. */
  readonly drainSec: number;
}

export interface MatchedLoadResult {
  readonly roomId: string;
  readonly scheduled: number;
  readonly accepted: number;
  /** Sends answered with an error. */
  readonly refused: number;
  /** Sends never answered (nor delivered): a sender that did not connect, or a server that did not take them. */
  readonly unanswered: number;
  readonly deliveries: number;
  readonly expectedDeliveries: number;
  /** Send→receive from the scheduled time, messages after the warm-up. */
  readonly latency: LatencySummary;
  /** Send→receive from the moment the frame was written. */
  readonly latencyFromSent: LatencySummary;
  /** `sendMessage` answered, from the scheduled time. */
  readonly ack: LatencySummary;
  /** Accepted sends per second of the send window (to the last answer), as the driver counts them. */
  readonly msgsPerSec: number;
  /** Schedule start → every delivery in (or the drain time up): the window CPU is taken over. */
  readonly window: Window;
  readonly deliveriesPerCpuSec: number;
  readonly cpuMicrosPerDelivery: number;
  /** Peak server RSS seen during the run. */
  readonly rssMb: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly connectFailures: readonly string[];
  readonly unexpectedCloses: number;
  readonly samples: readonly Sample[];
}

/** Counts every delivery and answer of the run (the ledger's window only holds the measured part). */
class RunCounts implements LoadSink {
  deliveries = 0;
  accepted = 0;
  lastAckAt = 0;

  constructor(private readonly ledger: DeliveryLedger) {}

  delivered(seq: number, at: number, client: number): void {
    this.deliveries++;
    this.ledger.delivered(seq, at, client);
  }

  acked(seq: number, at: number, ok: boolean): void {
    if (ok) this.accepted++;
    this.lastAckAt = Math.max(this.lastAckAt, at);
    this.ledger.acked(seq, at, ok);
  }
}

/** A public channel holding exactly `members`, created by the first of them through the REST API. */
async function createRoom(server: RunningServer, members: readonly PlannedUser[]): Promise<string> {
  const [creator, ...others] = members;
  if (!creator) throw new Error('the matched load needs at least one user');
  const rest = new RestClient({
    baseUrl: server.httpUrl,
    auth: { userId: creator.id, token: creator.token },
  });
  const reply = await rest.post('/api/v1/channels.create', {
    name: `synapse-match-${randomBytes(4).toString('hex')}`,
    members: others.map((u) => u.username),
  });
  if (reply.status !== 200)
    throw new Error(`channels.create -> ${reply.status} ${reply.body.toString('utf8').slice(0, 300)}`);
  return reply.json<{ channel: { _id: string } }>().channel._id;
}

/**
 * Runs `shape` against Parley over DDP: the first `senders + receivers` users of the data set join a
 * new channel; receivers subscribe to its messages, senders only send (`sendMessage`).
 */
export async function runMatchedLoad(options: {
  readonly server: RunningServer;
  readonly plan: DatasetPlan;
  readonly shape: LoadShape;
  readonly cores: Cores;
  readonly log: (line: string) => void;
}): Promise<MatchedLoadResult> {
  const { server, shape, log } = options;
  const users = options.plan.users.slice(0, shape.senders + shape.receivers);
  if (users.length < shape.senders + shape.receivers || shape.senders < 1)
    throw new Error(
      `the data set has ${users.length} users; the load needs ${shape.senders + shape.receivers}`,
    );
  const roomId = await createRoom(server, users);

  // Client numbers: senders 0…senders-1, then the receivers.
  const receiverNumbers = users.slice(shape.senders).map((_, i) => shape.senders + i);
  const plans: ClientPlan[] = users.map((user, i) => ({
    token: user.token,
    subscriptions: i < shape.senders ? [] : [{ stream: 'stream-room-messages', eventName: roomId }],
  }));
  const ledger = new DeliveryLedger();
  const counts = new RunCounts(ledger);
  const connected = await connectMany({
    url: server.wsUrl,
    plans,
    sink: counts,
    ratePerSecond: 1_000,
    concurrency: 20,
  });
  const clients = connected.clients;
  // A receiver that failed to connect still counts as expected: its deliveries show up as lost.
  log(
    `${users.length} users in channel ${roomId}, ${clients.filter((c) => c !== null).length} connected; ` +
      `${shape.rate} msg/s for ${shape.durationSec} s, ${shape.senders} senders, ${shape.receivers} receivers`,
  );

  const sampler = new Sampler(server, options.cores);
  sampler.start();
  const total = Math.round(shape.rate * shape.durationSec);
  const intervalMs = 1000 / shape.rate;
  const t0 = performance.now() + 50;
  const from = await sampler.mark();
  const measured = new WindowCounts();
  const warmup = setTimeout(
    () => {
      ledger.window = measured;
    },
    Math.max(0, t0 + shape.warmupSec * 1000 - performance.now()),
  );

  // The driver's schedule, not a Poisson one: the same arrivals on both sides.
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = (): void => {
      const now = performance.now();
      for (; next < total && t0 + next * intervalMs <= now; next++) {
        const scheduledAt = t0 + next * intervalMs;
        const seq = ledger.register(scheduledAt, receiverNumbers);
        const sender = clients[next % shape.senders];
        // The driver's text, JSON-encoded.
        if (sender) sender.sendMessage(seq, roomId, `"s2 message ${next}"`);
        ledger.markSent(seq, performance.now());
      }
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, t0 + next * intervalMs - performance.now()));
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  const sendEnd = performance.now();

  const drainUntil = sendEnd + shape.drainSec * 1000;
  while ((ledger.unanswered() > 0 || ledger.outstanding() > 0) && performance.now() < drainUntil)
    await sleep(50);
  const to = await sampler.mark();
  clearTimeout(warmup);
  ledger.window = null;
  sampler.stop();
  const tally = ledger.tally();
  const unexpectedCloses = clients.filter((c) => c?.unexpectedClose).length;
  closeAll(clients);

  const window = windowBetween(from, to);
  const sendWindowSec = (Math.max(counts.lastAckAt, sendEnd) - t0) / 1000;
  const peakRss = Math.max(to.serverRssBytes / 2 ** 20, ...sampler.samples.map((s) => s.rssMb));
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    roomId,
    scheduled: total,
    accepted: counts.accepted,
    refused: tally.refused,
    unanswered: tally.unanswered,
    deliveries: counts.deliveries,
    expectedDeliveries: counts.accepted * receiverNumbers.length,
    latency: measured.fromScheduled.summary(),
    latencyFromSent: measured.fromSent.summary(),
    ack: measured.ack.summary(),
    msgsPerSec: sendWindowSec > 0 ? round(counts.accepted / sendWindowSec) : 0,
    window,
    deliveriesPerCpuSec: window.serverCpuSeconds > 0 ? round(counts.deliveries / window.serverCpuSeconds) : 0,
    cpuMicrosPerDelivery:
      counts.deliveries > 0 ? round((window.serverCpuSeconds * 1e6) / counts.deliveries) : 0,
    rssMb: round(peakRss),
    lost: tally.lost,
    duplicated: tally.duplicated,
    connectFailures: connected.failures.slice(0, 20),
    unexpectedCloses,
    samples: sampler.samples,
  };
}
