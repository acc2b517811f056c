import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DdpClient } from '../load/ddp-client.js';
import { LatencyHistogram, type LatencySummary } from '../load/latency.js';
import { runOpenLoop } from '../load/open-loop.js';
import type { RestClient } from '../load/rest.js';
import type { Rng } from '../load/rng.js';
import { windowBetween, type Sampler, type Window } from '../system/sampler.js';
import { scrapeServerMetrics } from '../system/server-metrics.js';
import { ddpPage, PAGE_SIZE, pageProblem, restPage, type PageMessage } from './history-pages.js';

/** What S5 measures apart: the newest page and older pages of the hot room and of the others, and the read mark. */
export const OPEN_KINDS = ['hotNewest', 'hotOlder', 'otherNewest', 'otherOlder', 'readMark'] as const;
export type OpenKind = (typeof OPEN_KINDS)[number];

/** Pages scrolled back after the newest one ("newest and 3 pages back", §6.4). */
const SCROLL_PAGES = 3;

export interface OpenRoom {
  readonly id: string;
  readonly t: 'c' | 'd';
  /** Its seeded history: how many messages the pages must hold in all. */
  readonly messages: number;
  readonly hot: boolean;
}

/** One user's way to the server: DDP methods or REST, answering pages newest first. */
export interface HistoryApi {
  /** Who calls, for the audit's examples: `DDP user00012`. */
  readonly label: string;
  /** The `PAGE_SIZE` messages older than `before` (the newest when null); throws on an error answer. */
  page(room: OpenRoom, before: number | null): Promise<PageMessage[]>;
  markRead(room: OpenRoom): Promise<void>;
}

export interface OpenUser {
  readonly api: HistoryApi;
  readonly hot: OpenRoom;
  /** Every other room of the user: DMs, group DMs, team channels, general. */
  readonly others: readonly OpenRoom[];
}

/** `loadHistory [rid, end, limit, ls]` and `readMessages [rid]`, with the caller's last-seen time per room. */
export function ddpHistoryApi(
  client: DdpClient,
  username: string,
  lastSeen: ReadonlyMap<string, number>,
): HistoryApi {
  return {
    label: `DDP ${username}`,
    async page(room, before) {
      const ls = lastSeen.get(room.id);
      const result = await client.call('loadHistory', [
        room.id,
        before === null ? null : { $date: before },
        PAGE_SIZE,
        ls === undefined ? null : { $date: ls },
      ]);
      return ddpPage(result);
    },
    async markRead(room) {
      await client.call('readMessages', [room.id]);
    },
  };
}

/** `GET channels.history` (`im.history` for DMs) and `POST subscriptions.read`. */
export function restHistoryApi(client: RestClient, username: string): HistoryApi {
  const check = (what: string, status: number) => {
    if (status >= 400) throw new Error(`${what} answered ${status}`);
  };
  return {
    label: `REST ${username}`,
    async page(room, before) {
      const endpoint = room.t === 'd' ? 'im.history' : 'channels.history';
      const latest = before === null ? '' : `&latest=${new Date(before).toISOString()}`;
      const reply = await client.get(`/api/v1/${endpoint}?roomId=${room.id}&count=${PAGE_SIZE}${latest}`);
      check(endpoint, reply.status);
      return restPage(reply.json());
    },
    async markRead(room) {
      const reply = await client.post('/api/v1/subscriptions.read', { rid: room.id });
      check('subscriptions.read', reply.status);
    },
  };
}

export class KindStats {
  readonly latency = new LatencyHistogram();
  calls = 0;
  errors = 0;
}

/** What the opens scheduled inside a measured window did. */
export class OpenCounts {
  readonly kinds = new Map<OpenKind, KindStats>(OPEN_KINDS.map((k) => [k, new KindStats()]));
  opens = 0;
  /** Opens whose every call answered without an error. */
  completed = 0;
}

/** Every page of every open (warm-up included) checked; the first problems kept as examples. */
export class PageAudit {
  pages = 0;
  violations = 0;
  errors = 0;
  readonly examples: string[] = [];

  check(
    api: HistoryApi,
    room: OpenRoom,
    loaded: number,
    before: number | null,
    page: readonly PageMessage[],
  ): void {
    this.pages++;
    const problem = pageProblem({ roomMessages: room.messages, loaded, before, page });
    if (problem === null) return;
    this.violations++;
    this.#example(`${api.label}, room ${room.id}, after ${loaded} messages: ${problem}`);
  }

  error(api: HistoryApi, kind: OpenKind, error: unknown): void {
    this.errors++;
    this.#example(`${api.label}, ${kind}: ${error instanceof Error ? error.message : String(error)}`);
  }

  #example(text: string): void {
    if (this.examples.length < 10) this.examples.push(text);
  }
}

/**
 * One room open as a client does it: the newest page (timed from the open's scheduled time), the
 * read mark, then up to three older pages, each asked for as soon as the previous one is in (timed
 * from then) with `end` = its oldest message, while pages come back full.
 */
async function openRoom(
  api: HistoryApi,
  room: OpenRoom,
  scheduledAt: number,
  counts: OpenCounts | null,
  audit: PageAudit,
): Promise<void> {
  const timed = async <T>(kind: OpenKind, from: number, call: () => Promise<T>): Promise<T | null> => {
    const stats = counts?.kinds.get(kind);
    if (stats) stats.calls++;
    try {
      const result = await call();
      stats?.latency.recordMs(performance.now() - from);
      return result;
    } catch (error) {
      stats?.latency.recordMs(performance.now() - from);
      if (stats) stats.errors++;
      audit.error(api, kind, error);
      return null;
    }
  };
  let page: PageMessage[] | null = await timed(room.hot ? 'hotNewest' : 'otherNewest', scheduledAt, () =>
    api.page(room, null),
  );
  if (page === null) return;
  audit.check(api, room, 0, null, page);
  let loaded = page.length;
  const marked = await timed('readMark', performance.now(), () => api.markRead(room).then(() => true));
  if (marked === null) return;
  for (let i = 0; i < SCROLL_PAGES && page.length === PAGE_SIZE; i++) {
    const before: number = (page.at(-1) as PageMessage).ts;
    const older = await timed(room.hot ? 'hotOlder' : 'otherOlder', performance.now(), () =>
      api.page(room, before),
    );
    if (older === null) return;
    audit.check(api, room, loaded, before, older);
    loaded += older.length;
    page = older;
  }
  if (counts) counts.completed++;
}

export interface PhaseResult {
  readonly offeredPerSecond: number;
  readonly window: Window;
  readonly opens: number;
  readonly completed: number;
  /** Opens still running when the drain time ran out (their calls still out have no latency). */
  readonly unfinished: number;
  readonly kinds: Readonly<Record<OpenKind, LatencySummary & { calls: number; errors: number }>>;
  readonly serverCpuMicrosPerOpen: number;
  readonly eventLoopP99Ms: number | null;
}

/**
 * Room opens at `ratePerSecond` (open loop), each by a random user into the hot room
 * (`hotShare`) or another room of theirs; only opens scheduled after `warmupMs` are measured, and
 * the window closes once they have all finished.
 */
export async function runOpenPhase(options: {
  readonly users: readonly OpenUser[];
  readonly hotShare: number;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly drainMs: number;
  /** After the window: how long to wait for opens still running, so the next phase starts clean. */
  readonly settleMs: number;
  readonly rng: Rng;
  readonly sampler: Sampler;
  readonly metricsUrl: string | null;
  readonly audit: PageAudit;
}): Promise<PhaseResult> {
  const { users, rng, sampler, audit } = options;
  let current: OpenCounts | null = null;
  let inFlight = 0;
  const fire = (scheduledAt: number): void => {
    const user = rng.pick(users);
    const room = user.others.length === 0 || rng.next() < options.hotShare ? user.hot : rng.pick(user.others);
    const counts = current;
    if (counts) counts.opens++;
    inFlight++;
    void openRoom(user.api, room, scheduledAt, counts, audit).finally(() => inFlight--);
  };
  const startAt = performance.now();
  const measured = (async () => {
    await sleep(options.warmupMs);
    const from = await sampler.mark();
    // Resets the server's event-loop histogram; not awaited, a busy server answers late.
    void scrapeServerMetrics(options.metricsUrl);
    const counts = new OpenCounts();
    current = counts;
    return { from, counts };
  })();
  await runOpenLoop({
    rng,
    ratePerSecond: options.ratePerSecond,
    startAt,
    durationMs: options.durationMs,
    fire,
  });
  const { from, counts } = await measured;
  current = null;
  const drainUntil = performance.now() + options.drainMs;
  while (inFlight > 0 && performance.now() < drainUntil) await sleep(5);
  const window = windowBetween(from, await sampler.mark());
  const metrics = await scrapeServerMetrics(options.metricsUrl);
  const unfinished = inFlight;
  const settleUntil = performance.now() + options.settleMs;
  while (inFlight > 0 && performance.now() < settleUntil) await sleep(20);
  const kinds = Object.fromEntries(
    [...counts.kinds].map(([kind, s]) => [
      kind,
      { ...s.latency.summary(), calls: s.calls, errors: s.errors },
    ]),
  ) as PhaseResult['kinds'];
  return {
    offeredPerSecond: options.ratePerSecond,
    window,
    opens: counts.opens,
    completed: counts.completed,
    unfinished,
    kinds,
    serverCpuMicrosPerOpen: counts.opens > 0 ? (window.serverCpuSeconds * 1e6) / counts.opens : 0,
    eventLoopP99Ms: metrics?.eventLoopP99Ms ?? null,
  };
}
