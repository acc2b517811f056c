import { performance } from 'node:perf_hooks';
import type { DatasetPlan, PlannedRoom } from '../dataset/plan.js';
import { DATASET_EPOCH_MS } from '../dataset/spec.js';
import { closeAll, connectMany } from '../load/connect-many.js';
import type { DdpClient, LoadSink } from '../load/ddp-client.js';
import { LatencyHistogram } from '../load/latency.js';
import { RestClient } from '../load/rest.js';
import { Rng } from '../load/rng.js';
import type { Scenario } from '../scenario.js';
import { Sampler } from '../system/sampler.js';
import { GATES, validity } from './gates.js';
import { PAGE_SIZE } from './history-pages.js';
import {
  ddpHistoryApi,
  OPEN_KINDS,
  PageAudit,
  restHistoryApi,
  runOpenPhase,
  type OpenKind,
  type OpenRoom,
  type OpenUser,
  type PhaseResult,
} from './room-open-load.js';
import { foreignText } from './storm-report.js';

/** The design's goal for opening the 100,000-message room (newest page), from the scheduled time. */
const ROOM_OPEN_P99_GOAL_MS = 20;
/** §6.6's REST gates. */
const REST_P99_MS = 100;
const REST_MEAN_MS = 20;
/** A good share of opens go to the hot room; the rest to any other room of the user. */
const HOT_SHARE = 0.3;
/** Loads of the hot room with everything unread (the `ls` branch of `loadHistory`), one after another. */
const UNREAD_PROBES = 3;

/**
 * §6.4: 50 concurrent users opening rooms. The DDP phase is the measurement; the shorter REST phase
 * covers the same pages through `channels.history`. A DDP open costs the server about 12 ms of CPU
 * today (up to four pages of 50 messages and a read mark; December 2026, quick data set), one over
 * REST about twice that, so the rates keep the server near half a core: latency at a steady load,
 * not capacity. They also stay well under Parley's DDP rate limit of 20 calls/s per connection (an
 * open is up to 5 calls).
 */
function shape(quick: boolean) {
  return quick
    ? {
        users: 50,
        ddp: { ratePerSecond: 40, durationMs: 5_000, warmupMs: 1_000 },
        rest: { ratePerSecond: 20, durationMs: 3_000, warmupMs: 1_000 },
      }
    : {
        users: 50,
        ddp: { ratePerSecond: 50, durationMs: 80_000, warmupMs: 15_000 },
        rest: { ratePerSecond: 25, durationMs: 25_000, warmupMs: 5_000 },
      };
}

const ignore: LoadSink = { delivered: () => undefined, acked: () => undefined };

function openRoomOf(room: PlannedRoom): OpenRoom {
  return { id: room.id, t: room.t, messages: room.messages, hot: room.kind === 'hot' };
}

/** `count` of the hot room's members (users 0–99), and every room each of them is in. */
function chooseUsers(plan: DatasetPlan, count: number, rng: Rng) {
  const hot = plan.rooms.find((r) => r.kind === 'hot');
  if (!hot) throw new Error('the data set has no hot room');
  const users = rng
    .sample(hot.members.length, Math.min(count, hot.members.length))
    .map((i) => hot.members[i] as number);
  const others = new Map<number, OpenRoom[]>(users.map((u) => [u, []]));
  for (const room of plan.rooms) {
    if (room.kind === 'hot') continue;
    for (const member of room.members) others.get(member)?.push(openRoomOf(room));
  }
  return { hot: openRoomOf(hot), users, others };
}

/** The caller's last-seen time per room, as a client knows it from `subscriptions/get`. */
async function lastSeenOf(client: DdpClient): Promise<Map<string, number>> {
  const subscriptions = await client.call('subscriptions/get', []);
  const lastSeen = new Map<string, number>();
  if (!Array.isArray(subscriptions)) return lastSeen;
  for (const s of subscriptions as { rid?: unknown; ls?: { $date?: unknown } }[]) {
    if (typeof s.rid === 'string' && typeof s.ls?.$date === 'number') lastSeen.set(s.rid, s.ls.$date);
  }
  return lastSeen;
}

/**
 * The hot room opened by a user who has read none of it: `loadHistory` then counts the unread
 * messages older than the page and finds the first of them. Not part of the mix (a client rarely
 * has 100,000 unread); reported apart, as what that path costs.
 */
async function unreadProbe(client: DdpClient, hot: OpenRoom) {
  const latency = new LatencyHistogram();
  const problems: string[] = [];
  const ls = DATASET_EPOCH_MS - 365 * 86_400_000;
  for (let i = 0; i < UNREAD_PROBES; i++) {
    const t0 = performance.now();
    try {
      const result = (await client.call('loadHistory', [hot.id, null, PAGE_SIZE, { $date: ls }])) as {
        unreadNotLoaded?: unknown;
        firstUnread?: unknown;
      };
      latency.recordMs(performance.now() - t0);
      const expected = hot.messages - PAGE_SIZE;
      if (result.unreadNotLoaded !== expected || result.firstUnread === undefined)
        problems.push(
          `unreadNotLoaded ${String(result.unreadNotLoaded)}, expected ${expected} and a firstUnread`,
        );
    } catch (error) {
      latency.recordMs(performance.now() - t0);
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { latency: latency.summary(), problems };
}

const LABELS: Readonly<Record<OpenKind, string>> = {
  hotNewest: 'hot room open (newest 50)',
  hotOlder: 'hot room older page',
  otherNewest: 'other room open (newest 50)',
  otherOlder: 'other room older page',
  readMark: 'read mark',
};

function round(n: number, digits = 0): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

function phaseRows(api: 'DDP' | 'REST', phase: PhaseResult): [string, string][] {
  const w = phase.window;
  return [
    [
      `${api}: opens offered → measured (completed)`,
      `${phase.offeredPerSecond}/s → ${phase.opens} (${phase.completed})`,
    ],
    ...OPEN_KINDS.map((kind): [string, string] => {
      const k = phase.kinds[kind];
      const notes = [
        `${k.calls} calls`,
        ...(k.errors > 0 ? [`${k.errors} errors`] : []),
        ...(k.calls > k.count ? [`${k.calls - k.count} never answered`] : []),
      ];
      return [
        `${api} ${LABELS[kind]} p50 / p95 / p99 / max`,
        `${k.p50Ms} / ${k.p95Ms} / ${k.p99Ms} / ${k.maxMs} ms (${notes.join(', ')})`,
      ];
    }),
    [`${api}: server CPU per open`, `${round(phase.serverCpuMicrosPerOpen)} µs`],
    [
      `${api}: server CPU / generator CPU / steal`,
      `${round(w.serverCpuPercent)} % / ${round(w.generatorCpuPercent)} % / ${round(w.stealPercent, 1)} %`,
    ],
    [`${api}: other processes on server / generator core`, foreignText(w)],
    [`${api}: event-loop delay p99`, phase.eventLoopP99Ms === null ? 'n/a' : `${phase.eventLoopP99Ms} ms`],
  ];
}

function phaseGates(api: 'DDP' | 'REST', phase: PhaseResult): string[] {
  const failed: string[] = [];
  const calls = OPEN_KINDS.reduce((a, k) => a + phase.kinds[k].calls, 0);
  const errors = OPEN_KINDS.reduce((a, k) => a + phase.kinds[k].errors, 0);
  if (phase.kinds.hotNewest.count === 0) failed.push(`${api}: no hot-room open measured`);
  if (calls > 0 && errors / calls > GATES.errorShare)
    failed.push(`${api}: errors ${((100 * errors) / calls).toFixed(3)} % > ${GATES.errorShare * 100} %`);
  if (phase.unfinished > 0) failed.push(`${api}: ${phase.unfinished} opens unfinished after the drain`);
  if (phase.window.serverCpuPercent > GATES.serverCpuPercent)
    failed.push(`${api}: server CPU ${round(phase.window.serverCpuPercent)} % > ${GATES.serverCpuPercent} %`);
  if (phase.eventLoopP99Ms !== null && phase.eventLoopP99Ms > GATES.eventLoopP99Ms)
    failed.push(`${api}: event-loop delay p99 ${phase.eventLoopP99Ms} ms > ${GATES.eventLoopP99Ms} ms`);
  if (api === 'REST') {
    for (const kind of OPEN_KINDS) {
      const k = phase.kinds[kind];
      if (k.p99Ms > REST_P99_MS) failed.push(`REST ${LABELS[kind]} p99 ${k.p99Ms} ms > ${REST_P99_MS} ms`);
      if (k.meanMs > REST_MEAN_MS)
        failed.push(`REST ${LABELS[kind]} mean ${k.meanMs} ms > ${REST_MEAN_MS} ms`);
    }
  }
  return failed;
}

/**
 * S5, room open and history: 50 members of the 100,000-message room open rooms at an open-loop
 * rate, 30 % of the opens in that room and the rest in their other rooms. An open is the newest
 * 50 messages (`loadHistory`), the read mark (`readMessages`), then three pages back; every page is
 * checked (size, order, no overlap). Then the same through REST (`channels.history`).
 */
export const s5RoomOpen: Scenario = {
  name: 's5',
  title: 'S5 room open and history',
  backends: 'each',
  async run(ctx) {
    const config = shape(ctx.quick);
    const { plan } = ctx.dataset;
    const rng = new Rng(ctx.dataset.spec.seed, 51);
    const chosen = chooseUsers(plan, config.users, rng);
    const server = await ctx.startParley();

    ctx.log(`connecting ${chosen.users.length} users`);
    const connected = await connectMany({
      url: server.wsUrl,
      plans: chosen.users.map((u) => ({
        token: (plan.users[u] as { token: string }).token,
        subscriptions: [],
      })),
      sink: ignore,
      ratePerSecond: 1_000,
      concurrency: 50,
    });
    const clients = connected.clients;
    const ddpUsers: OpenUser[] = [];
    const restUsers: OpenUser[] = [];
    for (const [i, u] of chosen.users.entries()) {
      const client = clients[i];
      if (!client) continue;
      const user = plan.users[u] as DatasetPlan['users'][number];
      const username = user.username;
      const rooms = { hot: chosen.hot, others: chosen.others.get(u) ?? [] };
      ddpUsers.push({ ...rooms, api: ddpHistoryApi(client, username, await lastSeenOf(client)) });
      const rest = new RestClient({
        baseUrl: server.httpUrl,
        auth: { userId: user.id, token: user.token },
      });
      restUsers.push({ ...rooms, api: restHistoryApi(rest, username) });
    }
    if (ddpUsers.length === 0) throw new Error(`s5: no user connected (${connected.failures[0] ?? ''})`);

    const sampler = new Sampler(server, ctx.cores);
    sampler.start();
    const audit = new PageAudit();
    const common = {
      hotShare: HOT_SHARE,
      drainMs: 5_000,
      settleMs: 30_000,
      rng,
      sampler,
      metricsUrl: server.metricsUrl,
      audit,
    };
    ctx.log(`DDP: ${config.ddp.ratePerSecond} opens/s for ${config.ddp.durationMs / 1000} s`);
    const ddp = await runOpenPhase({ ...common, users: ddpUsers, ...config.ddp });
    ctx.log(
      `  hot room open p99 ${ddp.kinds.hotNewest.p99Ms} ms, server CPU ${round(ddp.window.serverCpuPercent)} %, ` +
        `generator CPU ${round(ddp.window.generatorCpuPercent)} %`,
    );
    ctx.log(`REST: ${config.rest.ratePerSecond} opens/s for ${config.rest.durationMs / 1000} s`);
    const rest = await runOpenPhase({ ...common, users: restUsers, ...config.rest });
    ctx.log(`  hot room open p99 ${rest.kinds.hotNewest.p99Ms} ms`);
    const probe = await unreadProbe(clients.find((c) => c !== null) as DdpClient, chosen.hot);
    sampler.stop();
    const unexpectedCloses = clients.filter((c) => c?.unexpectedClose).length;
    closeAll(clients);

    const headline = ddp.kinds.hotNewest;
    const invalidReasons = [
      ...new Set([...validity(ddp.window), ...validity(rest.window).map((r) => `REST phase: ${r}`)]),
      ...(connected.failures.length > 0 ? [`${connected.failures.length} users failed to connect`] : []),
      ...(unexpectedCloses > 0 ? [`${unexpectedCloses} sockets closed during the run`] : []),
    ];
    const gatesFailed = [
      ...(headline.p99Ms > ROOM_OPEN_P99_GOAL_MS
        ? [`room open p99 ${headline.p99Ms} ms > ${ROOM_OPEN_P99_GOAL_MS} ms (goal)`]
        : []),
      ...phaseGates('DDP', ddp),
      ...phaseGates('REST', rest),
      ...(audit.violations > 0
        ? [`${audit.violations} of ${audit.pages} pages wrong (size, order or overlap)`]
        : []),
      ...probe.problems.slice(0, 1).map((p) => `hot room with everything unread: ${p}`),
    ];
    return {
      durability: server.durability,
      valid: invalidReasons.length === 0,
      invalidReasons,
      gatesFailed,
      figures: { p50Ms: headline.p50Ms, p95Ms: headline.p95Ms, p99Ms: headline.p99Ms },
      details: {
        config: { ...config, hotShare: HOT_SHARE, pageSize: PAGE_SIZE, users: chosen.users },
        hotRoom: chosen.hot,
        connectFailures: connected.failures.slice(0, 20),
        ddp,
        rest,
        pages: {
          checked: audit.pages,
          violations: audit.violations,
          errors: audit.errors,
          examples: audit.examples,
        },
        unreadProbe: probe,
        samples: sampler.samples,
      },
      summary: [
        ...phaseRows('DDP', ddp),
        ...phaseRows('REST', rest),
        ['pages checked / wrong', `${audit.pages} / ${audit.violations}`],
        [
          `hot room open with all ${chosen.hot.messages} unread (DDP, ${UNREAD_PROBES} in a row) p50 / max`,
          `${probe.latency.p50Ms} / ${probe.latency.maxMs} ms`,
        ],
      ],
    };
  },
};
