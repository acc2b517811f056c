import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatasetPlan, PlannedRoom } from '../dataset/plan.js';
import { bodyPool } from '../dataset/words.js';
import { ActionRecorder, ActionWindow, type RequestSummary } from '../load/action-stats.js';
import { Agenda } from '../load/agenda.js';
import { LatencyHistogram, type LatencySummary } from '../load/latency.js';
import { WindowCounts } from '../load/ledger.js';
import { Rng } from '../load/rng.js';
import { OnlineLedger, SimulatedUser } from '../load/simulated-user.js';
import type { Cores } from '../system/pinning.js';
import { Sampler, windowBetween, type Sample, type Window } from '../system/sampler.js';
import { scrapeServerMetrics } from '../system/server-metrics.js';
import type { RunningServer } from '../targets/running-server.js';
import { sendGates, validity } from './gates.js';
import {
  firstWait,
  heartbeat,
  perform,
  pickAction,
  PRESENCE_EVERY_MS,
  thinkTime,
  type Office,
} from './office-actions.js';

/** §6.6's request gates (REST calls and DDP methods together), beside `sendGates`. */
export const REQUEST_GATES = { p99Ms: 100, meanMs: 20 } as const;

export interface CapacityShape {
  /** User counts to climb through, in order; the first is where the run starts. */
  readonly levels: readonly number[];
  /** Halvings of the gap between the largest count that held and the smallest that broke. */
  readonly bisections: number;
  /** Counts are multiples of this; bisecting stops at a gap this small. */
  readonly resolution: number;
  /** After the population changed, before measuring: connections and queues settle. */
  readonly warmupMs: number;
  readonly windowMs: number;
  /** The count found is held once more for this long, for its figures (0: no final window). */
  readonly finalWindowMs: number;
  readonly connectPerSecond: number;
  /** A window that broke a gate while other processes took the machine is measured once more. */
  readonly retryInvalid: boolean;
  /** At the end, how long to wait for answers and deliveries still on their way. */
  readonly drainMs: number;
}

export interface CapacityWindow {
  /** The user count asked for, and how many were online when the window began. */
  readonly level: number;
  readonly users: number;
  readonly window: Window;
  readonly actionsPerSecond: number;
  readonly sends: number;
  readonly acceptedPerSecond: number;
  readonly deliveries: number;
  readonly deliveriesPerSecond: number;
  /** Send→receive, from the scheduled time (coordinated-omission safe), and from the write. */
  readonly sendReceive: LatencySummary;
  readonly sendReceiveFromSent: LatencySummary;
  /** Every REST call and method answer, from its scheduled time. */
  readonly requests: LatencySummary;
  readonly requestKinds: Readonly<Record<string, RequestSummary>>;
  readonly actions: Readonly<Record<string, number>>;
  readonly reconnect: LatencySummary;
  readonly errors: number;
  readonly errorShare: number;
  readonly errorSamples: readonly string[];
  readonly skippedActions: number;
  /** User-stream events (subscriptions-changed, rooms-changed, notifications) per second, about. */
  readonly userEventsPerSecond: number;
  readonly eventLoopP99Ms: number | null;
  readonly gatesFailed: readonly string[];
  readonly invalidReasons: readonly string[];
  /** Every gate held. */
  readonly held: boolean;
}

export interface CapacityResult {
  readonly ceiling: number;
  readonly windows: readonly CapacityWindow[];
  /** The largest count that held a whole window, or null. */
  readonly best: CapacityWindow | null;
  /** The final window at `best`'s count, when the shape has one. */
  readonly final: CapacityWindow | null;
  readonly connect: LatencySummary;
  readonly connectFailures: readonly string[];
  readonly totals: ReturnType<ActionWindow['summary']> & { readonly errorSamples: readonly string[] };
  readonly lost: number;
  readonly duplicated: number;
  readonly refused: number;
  readonly unanswered: number;
  /** Deliveries given up on by sockets that left with them still on their way (not in `lost`). */
  readonly abandoned: number;
  readonly unexpectedCloses: number;
  readonly editsWithoutOwnMessage: number;
  readonly generatorErrors: number;
  readonly firstGeneratorError: string | null;
  readonly samples: readonly Sample[];
}

interface Entry {
  readonly user: SimulatedUser;
  readonly generation: number;
  readonly presence: boolean;
}

/**
 * S1's capacity loop (§6.4, after Mattermost's coordinator): simulated users are added in steps
 * while every §6.6 gate holds over a window, and the gap between the last count that held and the
 * first that broke is bisected. Users act open-loop: each action is scheduled from the previous
 * schedule, never from an answer.
 */
export async function runCapacityLoop(options: {
  readonly server: RunningServer;
  readonly plan: DatasetPlan;
  readonly shape: CapacityShape;
  readonly cores: Cores;
  readonly seed: number;
  readonly log: (line: string) => void;
}): Promise<CapacityResult> {
  const { server, plan, shape, log } = options;
  const ceiling = plan.users.length;
  const roomsOf: PlannedRoom[][] = plan.users.map(() => []);
  for (const room of plan.rooms) for (const member of room.members) roomsOf[member]?.push(room);

  const actions = new ActionRecorder();
  const online = new OnlineLedger(actions);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const users = plan.users.map(
    (user, i) => new SimulatedUser({ user, rooms: roomsOf[i] ?? [], httpUrl: server.httpUrl, agent }),
  );
  const rng = new Rng(options.seed, 21);
  const office: Office = {
    plan,
    wsUrl: server.wsUrl,
    online,
    actions,
    users,
    pool: bodyPool(options.seed),
    usernames: plan.users.map((u) => u.username),
    rng,
    counters: {
      unexpectedCloses: 0,
      editsWithoutOwnMessage: 0,
      generatorErrors: 0,
      firstGeneratorError: null,
    },
  };
  const agenda = new Agenda<Entry>((entry, at) => {
    const { user } = entry;
    if (entry.generation !== user.generation) return;
    if (entry.presence) {
      void heartbeat(office, user, at);
      agenda.add(at + PRESENCE_EVERY_MS, entry);
      return;
    }
    void perform(office, user, pickAction(rng), at);
    agenda.add(at + thinkTime(rng), entry);
  });

  const joined = new Set<SimulatedUser>();
  const connectLatency = new LatencyHistogram();
  const connectFailures: string[] = [];
  /** Users join in plan order, at most `connectPerSecond`; the last to join leave first. */
  const resize = async (target: number): Promise<void> => {
    if (target < joined.size) {
      const leaving = [...joined].sort((a, b) => b.user.index - a.user.index).slice(0, joined.size - target);
      log(`  ${leaving.length} users leave`);
      await Promise.all(
        leaving.map((user) => {
          joined.delete(user);
          user.generation++;
          return user.disconnect(online, 2_000);
        }),
      );
      return;
    }
    const joining = users.filter((u) => !joined.has(u)).slice(0, target - joined.size);
    if (joining.length === 0) return;
    log(`  ${joining.length} users join at ${shape.connectPerSecond}/s`);
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < joining.length; i = next++) {
        const wait = started + (i * 1000) / shape.connectPerSecond - performance.now();
        if (wait > 0) await sleep(wait);
        const user = joining[i] as SimulatedUser;
        const t0 = performance.now();
        try {
          await user.connect(server.wsUrl, online);
        } catch (error) {
          connectFailures.push(
            `user ${user.user.index}: ${error instanceof Error ? error.message : String(error)}`,
          );
          continue;
        }
        const now = performance.now();
        connectLatency.recordMs(now - t0);
        joined.add(user);
        user.generation++;
        agenda.add(now + firstWait(rng), { user, generation: user.generation, presence: false });
        agenda.add(now + rng.next() * PRESENCE_EVERY_MS, {
          user,
          generation: user.generation,
          presence: true,
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(200, joining.length) }, worker));
  };

  const userEvents = () => {
    let events = 0;
    for (const user of joined) events += user.client?.otherEvents ?? 0;
    return events;
  };

  const sampler = new Sampler(server, options.cores);
  sampler.start();
  const measure = async (level: number, durationMs: number): Promise<CapacityWindow> => {
    await sleep(shape.warmupMs);
    const users = joined.size;
    const from = await sampler.mark();
    // Resets the server's event-loop histogram; not awaited, a busy server answers late.
    void scrapeServerMetrics(server.metricsUrl);
    const counts = new WindowCounts();
    const window = new ActionWindow();
    online.ledger.window = counts;
    actions.window = window;
    const eventsBefore = userEvents();
    await sleep(durationMs);
    online.ledger.window = null;
    actions.window = null;
    const eventsAfter = userEvents();
    const to = await sampler.mark();
    const metrics = await scrapeServerMetrics(server.metricsUrl);
    return windowResult({
      level,
      users,
      window: windowBetween(from, to),
      counts,
      actions: window,
      userEvents: Math.max(0, eventsAfter - eventsBefore),
      eventLoopP99Ms: metrics?.eventLoopP99Ms ?? null,
    });
  };

  const windows: CapacityWindow[] = [];
  const tryLevel = async (level: number, durationMs: number): Promise<CapacityWindow> => {
    log(`${level} users: ${durationMs / 1000} s window`);
    await resize(level);
    let result = await measure(level, durationMs);
    report(result, log);
    if (!result.held && result.invalidReasons.length > 0 && shape.retryInvalid) {
      log('  measured again: the window was not valid');
      windows.push(result);
      result = await measure(level, durationMs);
      report(result, log);
    }
    windows.push(result);
    return result;
  };

  const { best, final } = await searchCapacity({ ...shape, ceiling }, tryLevel);

  agenda.stop();
  const drainUntil = performance.now() + shape.drainMs;
  const ledger = online.ledger;
  while ((ledger.unanswered() > 0 || ledger.outstanding() > 0) && performance.now() < drainUntil)
    await sleep(100);
  sampler.stop();
  const tally = ledger.tally();
  for (const user of joined) user.client?.close();
  agent.destroy();
  return {
    ceiling,
    windows,
    best,
    final,
    connect: connectLatency.summary(),
    connectFailures: connectFailures.slice(0, 20),
    totals: { ...actions.total.summary(), errorSamples: actions.total.errorSamples },
    lost: Math.max(0, tally.lost - online.abandoned),
    duplicated: tally.duplicated,
    refused: tally.refused,
    unanswered: tally.unanswered,
    abandoned: online.abandoned,
    ...office.counters,
    samples: sampler.samples,
  };
}

/**
 * The search of the capacity loop, apart from what a window measures: climb through `levels` while
 * windows hold, halve the gap between the largest count that held and the smallest that broke
 * (`bisections` times, on multiples of `resolution`), then hold the count found once more.
 */
export async function searchCapacity<W extends { readonly level: number; readonly held: boolean }>(
  shape: Pick<CapacityShape, 'levels' | 'bisections' | 'resolution' | 'windowMs' | 'finalWindowMs'> & {
    readonly ceiling: number;
  },
  tryLevel: (level: number, durationMs: number) => Promise<W>,
): Promise<{ best: W | null; final: W | null }> {
  let best: W | null = null;
  let brokeAt: number | null = null;
  for (const wanted of shape.levels) {
    const level = Math.min(wanted, shape.ceiling);
    const result = await tryLevel(level, shape.windowMs);
    if (!result.held) {
      brokeAt = level;
      break;
    }
    best = result;
    if (level >= shape.ceiling) break;
  }
  for (let i = 0; i < shape.bisections && brokeAt !== null; i++) {
    const low = best?.level ?? 0;
    const middle = Math.round((low + brokeAt) / 2 / shape.resolution) * shape.resolution;
    if (middle <= low || middle >= brokeAt) break;
    const result = await tryLevel(middle, shape.windowMs);
    if (result.held) best = result;
    else brokeAt = middle;
  }
  const final =
    shape.finalWindowMs > 0 && best !== null ? await tryLevel(best.level, shape.finalWindowMs) : null;
  return { best, final };
}

function windowResult(measured: {
  level: number;
  users: number;
  window: Window;
  counts: WindowCounts;
  actions: ActionWindow;
  userEvents: number;
  eventLoopP99Ms: number | null;
}): CapacityWindow {
  const { window, counts, actions } = measured;
  const perSecond = (n: number) => (window.seconds > 0 ? n / window.seconds : 0);
  const sendReceive = counts.fromScheduled.summary();
  const requests = actions.all.summary();
  const errorShare = actions.errorShare();
  const gatesFailed = [
    ...sendGates({
      latency: sendReceive,
      errorShare,
      serverCpuPercent: window.serverCpuPercent,
      eventLoopP99Ms: measured.eventLoopP99Ms,
    }),
    ...requestGates(requests),
  ];
  const { requests: requestKinds, actions: started } = actions.summary();
  return {
    level: measured.level,
    users: measured.users,
    window,
    actionsPerSecond: perSecond(actions.actionsStarted),
    sends: counts.sends,
    acceptedPerSecond: perSecond(counts.acceptedSends),
    deliveries: counts.deliveries,
    deliveriesPerSecond: perSecond(counts.deliveries),
    sendReceive,
    sendReceiveFromSent: counts.fromSent.summary(),
    requests,
    requestKinds,
    actions: started,
    reconnect: actions.reconnect.summary(),
    errors: actions.failed,
    errorShare,
    errorSamples: actions.errorSamples,
    skippedActions: actions.skipped,
    userEventsPerSecond: perSecond(measured.userEvents),
    eventLoopP99Ms: measured.eventLoopP99Ms,
    gatesFailed,
    invalidReasons: validity(window),
    held: gatesFailed.length === 0,
  };
}

function requestGates(requests: LatencySummary): string[] {
  const failed: string[] = [];
  if (requests.count === 0) failed.push('no request measured');
  if (requests.p99Ms > REQUEST_GATES.p99Ms)
    failed.push(`request p99 ${requests.p99Ms} ms > ${REQUEST_GATES.p99Ms} ms`);
  if (requests.meanMs > REQUEST_GATES.meanMs)
    failed.push(`request mean ${requests.meanMs} ms > ${REQUEST_GATES.meanMs} ms`);
  return failed;
}

function report(w: CapacityWindow, log: (line: string) => void): void {
  const verdict = w.held ? 'held' : `broke: ${w.gatesFailed.join('; ')}`;
  log(
    `  ${w.users} users, ${w.actionsPerSecond.toFixed(0)} actions/s, ${w.acceptedPerSecond.toFixed(1)} msg/s, ` +
      `send→receive p50/p99 ${w.sendReceive.p50Ms}/${w.sendReceive.p99Ms} ms, requests p99 ${w.requests.p99Ms} ms ` +
      `mean ${w.requests.meanMs} ms, server CPU ${w.window.serverCpuPercent.toFixed(0)} %, ` +
      `generator CPU ${w.window.generatorCpuPercent.toFixed(0)} %: ${verdict}` +
      (w.invalidReasons.length > 0 ? ` (not valid: ${w.invalidReasons.join('; ')})` : ''),
  );
}
