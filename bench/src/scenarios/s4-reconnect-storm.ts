import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { bodyPool } from '../dataset/words.js';
import { connectMany, type ClientPlan } from '../load/connect-many.js';
import { LatencyHistogram, type LatencySummary } from '../load/latency.js';
import { runOpenLoop } from '../load/open-loop.js';
import { ReconnectingClient } from '../load/reconnecting-client.js';
import { ResyncLedger, type ResyncTally } from '../load/resync-ledger.js';
import { RestPoster } from '../load/rest-poster.js';
import { Rng } from '../load/rng.js';
import type { Scenario, ScenarioContext, ScenarioOutcome } from '../scenario.js';
import { Sampler, windowBetween, type Sample, type Window } from '../system/sampler.js';
import { validity } from './gates.js';
import { audienceOf, RoomPicker } from './room-audience.js';
import { foreignText } from './storm-report.js';

/**
 * §6.4 S4: 5,000 connected users (half the full data set), messages at a modest rate throughout.
 * `--quick` posts at 20 msg/s: at today's cost per message (about 10 ms of server CPU at 500
 * users) 50 msg/s would take most of the core before any client comes back, and the storm would
 * measure the posts. `tailMs`: posting goes on this long after the last client resynced;
 * `drainMs`: the most to wait for deliveries still on their way after that.
 */
function shape(quick: boolean) {
  return quick
    ? {
        users: 300,
        ratePerSecond: 20,
        preKillMs: 2_000,
        tailMs: 2_000,
        stormTimeoutMs: 15_000,
        drainMs: 3_000,
      }
    : {
        users: 5_000,
        ratePerSecond: 50,
        preKillMs: 10_000,
        tailMs: 5_000,
        stormTimeoutMs: 120_000,
        drainMs: 10_000,
      };
}

/** The goal: every client resynced within 10 s of the restarted server being ready. */
const GOAL_ALL_RESYNCED_MS = 10_000;

interface StormResult {
  readonly clients: number;
  readonly connectFailures: readonly string[];
  readonly subscriptions: number;
  /** The first server's start → `/readyz` answered: a start without clients, for comparison. */
  readonly startMs: number;
  /** Kill → `/readyz` answered (late when the storm already keeps the server busy). */
  readonly restartMs: number;
  /** Kill → the first client's handshake answered: the server taking connections again. */
  readonly reopenedMs: number | null;
  readonly resynced: number;
  /** From the restarted server's readiness / from the kill, ms; null when not reached. */
  readonly resynced99FromReadyMs: number | null;
  readonly resynced100FromReadyMs: number | null;
  readonly resynced99FromKillMs: number | null;
  readonly resynced100FromKillMs: number | null;
  /** Per client: the attempt that got through, from its start to resynced. */
  readonly reconnectResync: LatencySummary;
  /** Per client: from noticing the close to resynced (jitter and the restart included). */
  readonly closeToResynced: LatencySummary;
  readonly attempts: number;
  readonly refusedAttempts: number;
  readonly rateLimited: number;
  readonly roomsChanged: number;
  readonly messagesLoaded: number;
  readonly failures: readonly string[];
  /** Clients resynced by the end of each second after the kill. */
  readonly resyncedBySecond: readonly number[];
  readonly tally: ResyncTally;
  readonly postAck: LatencySummary;
  readonly before: Window;
  readonly storm: Window;
  readonly samples: readonly Sample[];
}

/**
 * S4, reconnect storm: users subscribed to their rooms while messages are posted; the server is
 * killed (SIGKILL) and restarted on the same port and database; every client reconnects with
 * 0–1 s of jitter and resyncs (`rooms/get`, `loadMissedMessages`) while posting goes on. How
 * long until 99 % and 100 % are resynced, what one reconnection costs, and whether any message
 * was lost or came twice.
 */
export const s4ReconnectStorm: Scenario = {
  name: 's4',
  title: 'S4 reconnect storm',
  backends: 'each',
  async run(ctx) {
    const result = await runReconnectStorm(ctx);
    return stormOutcome(result);
  },
};

async function runReconnectStorm(ctx: ScenarioContext): Promise<StormResult & { durability: string }> {
  const s = shape(ctx.quick);
  const { plan, spec } = ctx.dataset;
  const startingAt = performance.now();
  const first = await ctx.startParley();
  // A cold start for comparison with the restart (the same work, without the storm).
  const startMs = Math.round(performance.now() - startingAt);
  const audience = audienceOf(plan, s.users);
  const ledger = new ResyncLedger(audience.roomsOf.length);
  const plans: ClientPlan[] = audience.roomsOf.map((rooms, i) => ({
    token: plan.users[i]?.token ?? '',
    subscriptions: rooms.map((rid) => ({ stream: 'stream-room-messages', eventName: rid })),
  }));
  ctx.log(`connecting ${plans.length} users`);
  const connected = await connectMany({
    url: first.wsUrl,
    plans,
    sink: ledger,
    ratePerSecond: 1_000,
    concurrency: 100,
  });
  // Posting starts after this: every client has seen everything before it.
  const syncedSince = Date.now() - 1_000;
  const jitterRng = new Rng(spec.seed, 15);
  const clients = connected.clients.flatMap((ddp, index) => {
    if (!ddp) return [];
    const client = new ReconnectingClient({
      index,
      url: first.wsUrl,
      token: plans[index]?.token ?? '',
      rooms: audience.roomsOf[index] ?? [],
      ledger,
      rng: jitterRng,
    });
    client.adopt(ddp, syncedSince);
    return [client];
  });
  for (const room of audience.rooms) room.online = room.online.filter((c) => connected.clients[c]);
  const picker = new RoomPicker(audience.rooms);
  const texts = bodyPool(spec.seed).posts;
  const poster = new RestPoster({ baseUrl: first.httpUrl, users: plan.users, ledger });

  const postRng = new Rng(spec.seed, 14);
  let posting = true;
  const postingDone = (async () => {
    // One-second pieces of one Poisson process (it is memoryless), until told to stop.
    const t0 = performance.now();
    for (let i = 0; posting; i++) {
      await runOpenLoop({
        rng: postRng,
        ratePerSecond: s.ratePerSecond,
        startAt: t0 + i * 1_000,
        durationMs: 1_000,
        fire: (scheduledAt) => {
          const room = picker.pick(postRng);
          poster.post({
            scheduledAt,
            sender: postRng.pick(room.online),
            roomId: room.id,
            recipients: room.online,
            text: postRng.pick(texts),
          });
        },
      });
    }
  })();

  const isResynced = (c: ReconnectingClient) => c.closedAt !== null && c.resyncedAt !== null;
  const samplerBefore = new Sampler(first, ctx.cores);
  let sampler: Sampler | null = null;
  let storedUnknown = new Set<number>();
  let phase: { before: Window; storm: Window; killedAt: number; readyAt: number; durability: string };
  try {
    const beforeFrom = await samplerBefore.mark();
    ctx.log(`posting ${s.ratePerSecond} msg/s for ${s.preKillMs / 1000} s, then killing the server`);
    await sleep(s.preKillMs);
    const before = windowBetween(beforeFrom, await samplerBefore.mark());

    const killedAt = performance.now();
    await first.kill();
    const second = await ctx.startParley({
      shareDatabaseWith: first,
      env: { PARLEY_PORT: new URL(first.httpUrl).port },
    });
    const readyAt = performance.now();
    ctx.log(
      `restarted in ${((readyAt - killedAt) / 1000).toFixed(1)} s; waiting for ${clients.length} clients`,
    );
    sampler = new Sampler(second, ctx.cores);
    sampler.start();
    const stormFrom = await sampler.mark();
    const deadline = readyAt + s.stormTimeoutMs;
    while (!clients.every(isResynced) && performance.now() < deadline) await sleep(50);
    const storm = windowBetween(stormFrom, await sampler.mark());
    ctx.log(`${clients.filter(isResynced).length} of ${clients.length} clients resynced`);
    phase = { before, storm, killedAt, readyAt, durability: second.durability };

    await sleep(s.tailMs);
    posting = false;
    await postingDone;
    await poster.settled();
    const drainUntil = performance.now() + s.drainMs;
    while (ledger.outstanding() > 0 && performance.now() < drainUntil) await sleep(250);
    storedUnknown = await poster.storedUnknown();
  } finally {
    posting = false;
    sampler?.stop();
    for (const client of clients) client.stop();
    poster.close();
  }
  const { before, storm, killedAt, readyAt } = phase;

  const finished = clients.filter(isResynced);
  const resyncedClients = new Set(finished.map((c) => c.index));
  const reopened = clients.flatMap((c) => (c.reopenedAt === null ? [] : [c.reopenedAt]));
  const times = finished.map((c) => c.resyncedAt as number).sort((a, b) => a - b);
  // The moment the k-th client (of all that connected) was resynced, if it was.
  const whenResynced = (share: number, from: number): number | null => {
    const k = Math.ceil(share * clients.length);
    const at = times[k - 1];
    return at === undefined ? null : Math.round(at - from);
  };
  const reconnectResync = new LatencyHistogram();
  const closeToResynced = new LatencyHistogram();
  for (const c of finished) {
    reconnectResync.recordMs((c.resyncedAt as number) - (c.attemptAt as number));
    closeToResynced.recordMs((c.resyncedAt as number) - (c.closedAt as number));
  }
  const sum = (f: (c: ReconnectingClient) => number) => clients.reduce((a, c) => a + f(c), 0);
  return {
    durability: phase.durability,
    clients: clients.length,
    connectFailures: connected.failures.slice(0, 20),
    subscriptions: plans.reduce((a, p, i) => a + (connected.clients[i] ? p.subscriptions.length : 0), 0),
    startMs,
    restartMs: Math.round(readyAt - killedAt),
    reopenedMs: reopened.length > 0 ? Math.round(Math.min(...reopened) - killedAt) : null,
    // Counted at the end: a client still coming back at the deadline may finish during the tail.
    resynced: finished.length,
    resynced99FromReadyMs: whenResynced(0.99, readyAt),
    resynced100FromReadyMs: whenResynced(1, readyAt),
    resynced99FromKillMs: whenResynced(0.99, killedAt),
    resynced100FromKillMs: whenResynced(1, killedAt),
    reconnectResync: reconnectResync.summary(),
    closeToResynced: closeToResynced.summary(),
    attempts: sum((c) => c.attempts),
    refusedAttempts: sum((c) => c.refusedAttempts),
    rateLimited: sum((c) => c.rateLimited),
    roomsChanged: sum((c) => c.roomsChanged),
    messagesLoaded: sum((c) => c.messagesLoaded),
    resyncedBySecond: Array.from(
      { length: Math.ceil(((times.at(-1) ?? killedAt) - killedAt) / 1000) },
      (_, i) => times.filter((t) => t <= killedAt + (i + 1) * 1000).length,
    ),
    failures: clients
      .flatMap((c) => (c.lastFailure ? [`client ${c.index}: ${c.lastFailure}`] : []))
      .slice(0, 20),
    tally: ledger.tally(
      (seq) => storedUnknown.has(seq),
      (client) => resyncedClients.has(client),
    ),
    postAck: poster.ack.summary(),
    before,
    storm,
    samples: sampler?.samples ?? [],
  };
}

function stormOutcome(result: StormResult & { durability: string }): ScenarioOutcome {
  const { tally } = result;
  const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;
  const seconds = (ms: number | null) => (ms === null ? 'not reached' : `${round(ms / 1000, 2)} s`);
  const notResynced = result.clients - result.resynced;
  const gatesFailed = [
    ...(notResynced > 0
      ? [`${notResynced} of ${result.clients} clients not resynced by the end of the run`]
      : []),
    ...(result.resynced100FromReadyMs !== null && result.resynced100FromReadyMs > GOAL_ALL_RESYNCED_MS
      ? [
          `all ${result.clients} clients resynced ${seconds(result.resynced100FromReadyMs)} after the restart > ${GOAL_ALL_RESYNCED_MS / 1000} s`,
        ]
      : []),
    ...(tally.lost > 0 ? [`${tally.lost} (message, recipient) pairs lost`] : []),
    ...(tally.duplicated > 0 ? [`${tally.duplicated} live deliveries duplicated`] : []),
    ...(tally.strays > 0 ? [`${tally.strays} deliveries to clients that are not recipients`] : []),
    ...(tally.deliveredNotStored > 0
      ? [`${tally.deliveredNotStored} deliveries of posts the server refused`]
      : []),
  ];
  const invalidReasons = [
    ...validity(result.storm),
    ...(result.connectFailures.length > 0
      ? [`${result.connectFailures.length} clients failed to connect before the storm`]
      : []),
  ];
  const { outcomes } = tally;
  return {
    durability: result.durability,
    valid: invalidReasons.length === 0,
    invalidReasons,
    gatesFailed,
    figures: {
      p50Ms: result.reconnectResync.p50Ms,
      p99Ms: result.reconnectResync.p99Ms,
      lost: tally.lost,
      duplicated: tally.duplicated,
    },
    details: { ...result },
    summary: [
      ['clients resynced', `${result.resynced} of ${result.clients} (${result.subscriptions} subscriptions)`],
      [
        'restart: kill → first handshake / → /readyz (a cold start)',
        `${seconds(result.reopenedMs)} / ${seconds(result.restartMs)} (${seconds(result.startMs)})`,
      ],
      [
        '99 % / 100 % resynced, from ready',
        `${seconds(result.resynced99FromReadyMs)} / ${seconds(result.resynced100FromReadyMs)}`,
      ],
      [
        '99 % / 100 % resynced, from the kill',
        `${seconds(result.resynced99FromKillMs)} / ${seconds(result.resynced100FromKillMs)}`,
      ],
      [
        'reconnect + resync per client p50 / p99 / max',
        `${result.reconnectResync.p50Ms} / ${result.reconnectResync.p99Ms} / ${result.reconnectResync.maxMs} ms`,
      ],
      [
        'close → resynced per client p50 / p99',
        `${result.closeToResynced.p50Ms} / ${result.closeToResynced.p99Ms} ms`,
      ],
      [
        'connect attempts / refused / rate-limited calls',
        `${result.attempts} / ${result.refusedAttempts} / ${result.rateLimited}`,
      ],
      ['rooms changed / messages loaded by resync', `${result.roomsChanged} / ${result.messagesLoaded}`],
      [
        'posts accepted / unsent (server down) / broken (stored) / refused',
        `${outcomes.accepted} / ${outcomes.unsent} / ${outcomes.unknown} (${tally.unknownStored}) / ${outcomes.refused}`,
      ],
      [
        'lost (at clients never resynced) / duplicated',
        `${tally.lost} (${tally.lostAtUnresynced}) / ${tally.duplicated} of ${tally.pairs} pairs`,
      ],
      [
        'recovered by resync / seen live and resynced (merged)',
        `${tally.recoveredByResync} / ${tally.overlap}`,
      ],
      ['post ack p50 / p99 (REST, from schedule)', `${result.postAck.p50Ms} / ${result.postAck.p99Ms} ms`],
      [
        'server CPU before the kill / during the storm (from /readyz)',
        `${round(result.before.serverCpuPercent)} % / ${round(result.storm.serverCpuPercent)} % (${round(result.storm.serverCpuSeconds, 2)} CPU-s)`,
      ],
      ['generator CPU during the storm', `${round(result.storm.generatorCpuPercent)} %`],
      ['other processes on server / generator core (storm)', foreignText(result.storm)],
    ],
  };
}
