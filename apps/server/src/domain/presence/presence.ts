import type { ConnectionStatus, Signal, UserStatusChange } from '../events/events.js';
import type { Authorizer } from '../permissions/authorizer.js';
import type { EventBus } from '../ports/event-bus.js';
import type { Store } from '../ports/store.js';
import type { SettingsCache } from '../settings/settings-cache.js';
import type { Actor } from '../shared/actor.js';
import type { Clock } from '../shared/clock.js';
import type { UserId } from '../shared/ids.js';
import { effectiveStatus, strongest } from './connection-status.js';
import { LocalConnections } from './local-connections.js';
import {
  getStatus,
  listPresence,
  type PresenceList,
  type PresenceQuery,
  type QueryDeps,
  type StatusView,
} from './presence-queries.js';
import { RemoteSnapshots } from './remote-snapshots.js';
import {
  setDefaultStatus,
  setStatus,
  statusChangeOf,
  type SetStatusInput,
  type StatusDeps,
  type UserKey,
} from './status-actions.js';

/** What the DDP gateway tells presence about this process's connections. */
export interface PresenceHooks {
  /** A DDP connection of this process logged in as userId. */
  connectionOpened(userId: UserId, connectionId: string): void;
  /** It closed or logged out. */
  connectionClosed(userId: UserId, connectionId: string): void;
  /** It became idle (no method call for idleAfterMs) or active again; also set by UserPresence:away/online. */
  connectionIdle(userId: UserId, connectionId: string, idle: boolean): void;
}

export interface PresenceConfig {
  /** A user whose last connection here closed stays as they were this long, so a reconnect does not flap. */
  readonly offlineGraceMs: number;
  /** Changes are gathered this long, then written and announced in one batch. */
  readonly presenceFlushMs: number;
  /** How often each process repeats its full snapshot (default 10 s). */
  readonly snapshotEveryMs?: number;
  /** Another process's entry that no snapshot has confirmed for this long is forgotten (default 3 snapshots). */
  readonly snapshotExpiryMs?: number;
}

export interface PresenceOptions {
  readonly store: Store;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly settings: SettingsCache;
  readonly authz: Authorizer;
  readonly config: PresenceConfig;
  readonly onError: (error: unknown) => void;
}

export interface Presence extends PresenceHooks {
  /** Hears `presence` and `user-status` signals (`start` subscribes to the bus; extra calls are harmless). */
  onSignal(signal: Signal): void;
  /** The user's connections over every process: what `users.getStatus` calls `connectionStatus`. */
  connectionStatus(userId: UserId): ConnectionStatus;
  /** `users.setStatus`. */
  setStatus(actor: Actor, input: SetStatusInput): Promise<void>;
  /** DDP `UserPresence:setDefaultStatus`. */
  setDefaultStatus(actor: Actor, status: string): Promise<void>;
  /** `users.getStatus`, `users.getPresence`: the caller when `key` is absent. */
  getStatus(actor: Actor, key: UserKey | undefined): Promise<StatusView>;
  /** `users.presence`. */
  listPresence(actor: Actor, query: PresenceQuery): Promise<PresenceList>;
  start(): void;
  /** Writes and announces what is pending now, without waiting for the window to end. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

const SNAPSHOT_EVERY_MS = 10_000;
/** Users per signal, so that a big snapshot stays well under NATS's 1 MB message limit. */
const USERS_PER_SIGNAL = 2_000;
/** Users read or written per statement. */
const USERS_PER_QUERY = 500;
/** How far back `users.presence?from=` is answered from memory; Rocket.Chat's window is 10 min. */
const CHANGE_LOG_MS = 10 * 60_000;
/** Delay before retrying a batch the database refused. */
const RETRY_MS = 1_000;

type Present = Exclude<ConnectionStatus, 'offline'>;

/**
 * Who is online, over every Parley process.
 *
 * Each process knows its own connections (online if any is active, away if all are idle) and
 * broadcasts the users whose local status changed, at most once per `presenceFlushMs`, plus a full
 * snapshot every `snapshotEveryMs`. It keeps every other process's latest view; entries no
 * snapshot has confirmed for `snapshotExpiryMs` are forgotten (their process died). A user's
 * connection status is the best over all processes; the status others see follows from it and the
 * user's `statusDefault` (see `effectiveStatus`).
 *
 * **Who writes `users.status`.** Every process, for every user whose connection status changed in
 * its own view (by a local change, another process's signal, or an expiry), reads the user and
 * writes the status only when the stored one differs: so the process that saw the change writes,
 * and the others then find nothing to do (it broadcasts its change only after writing it). A process that acted on a stale view (it had not yet
 * heard another's signal) corrects itself once it hears it, since its view then changes again;
 * each process writes one batch at a time, so its corrected write comes after its stale one.
 * Writes are idempotent; a rare race can announce the same status twice, which clients absorb.
 *
 * **At start** nothing is reset: a process cannot know whether others hold the users that the
 * table shows online. After a crash of every process, such users stay online until they next
 * connect and leave. A process that stops while others run writes nothing either: the others
 * forget its users after `snapshotExpiryMs`, by which time most have reconnected to them. A
 * process that stops alone marks its users offline.
 */
export function createPresence(options: PresenceOptions): Presence {
  const { store, bus, clock, config, onError } = options;
  const processId = bus.processId;
  const snapshotEveryMs = config.snapshotEveryMs ?? SNAPSHOT_EVERY_MS;
  const expiryMs = config.snapshotExpiryMs ?? 3 * snapshotEveryMs;

  const connections = new LocalConnections();
  /** Users whose last connection here closed less than `offlineGraceMs` ago, as they were. */
  const lingering = new Map<UserId, { status: Present; timer: ReturnType<typeof setTimeout> }>();
  /** This process's view as last broadcast; absent means offline. */
  const published = new Map<UserId, Present>();
  const remote = new RemoteSnapshots();
  /** The connection status each user's stored status was last made to follow, here. */
  const judged = new Map<UserId, Present>();
  const dirtyLocal = new Set<UserId>();
  const dirtyRemote = new Set<UserId>();
  /** Last time each user's status was announced (by any process), for `users.presence?from=`. */
  const changedAt = new Map<UserId, number>();
  /** Users last announced in a status other than offline. */
  const announcedPresent = new Set<UserId>();

  let running = false;
  let startedAt = Number.POSITIVE_INFINITY;
  let snapshotSoon = false;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let snapshotTimer: ReturnType<typeof setInterval> | undefined;
  let unsubscribe: (() => void) | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after everything queued before it: flushes and status writes never interleave. */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  const localStatus = (userId: UserId): ConnectionStatus =>
    connections.has(userId) ? connections.statusOf(userId) : (lingering.get(userId)?.status ?? 'offline');

  const connectionStatus = (userId: UserId): ConnectionStatus =>
    strongest([localStatus(userId), remote.statusOf(userId)]);

  function scheduleFlush(delay = config.presenceFlushMs): void {
    if (!running || flushTimer !== undefined) return;
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      void flush();
    }, delay);
    flushTimer.unref();
  }

  function markLocal(userId: UserId): void {
    dirtyLocal.add(userId);
    scheduleFlush();
  }

  function stopLingering(userId: UserId): void {
    const entry = lingering.get(userId);
    if (!entry) return;
    clearTimeout(entry.timer);
    lingering.delete(userId);
  }

  function signalInChunks(users: readonly (readonly [UserId, ConnectionStatus])[], full: boolean): void {
    for (let i = 0; i < users.length; i += USERS_PER_SIGNAL) {
      bus.signal({ type: 'presence', processId, full, users: users.slice(i, i + USERS_PER_SIGNAL) });
    }
  }

  /** Everyone connected here. Sent even when empty: it tells the others this process is alive. */
  function sendSnapshot(): void {
    const users = [...published];
    if (users.length === 0) bus.signal({ type: 'presence', processId, full: true, users });
    else signalInChunks(users, true);
  }

  function announce(changes: readonly UserStatusChange[]): void {
    for (let i = 0; i < changes.length; i += USERS_PER_SIGNAL) {
      bus.signal({ type: 'user-status', statuses: changes.slice(i, i + USERS_PER_SIGNAL) });
    }
  }

  /** The local changes since the last broadcast, now recorded as broadcast. */
  function takeLocalDelta(): [UserId, ConnectionStatus][] {
    const delta: [UserId, ConnectionStatus][] = [];
    for (const userId of dirtyLocal) {
      const now = localStatus(userId);
      if (now === (published.get(userId) ?? 'offline')) continue;
      delta.push([userId, now]);
      if (now === 'offline') published.delete(userId);
      else published.set(userId, now);
    }
    dirtyLocal.clear();
    return delta;
  }

  /** Writes and announces the users whose stored status no longer follows their connections. */
  async function judge(candidates: Iterable<UserId>): Promise<void> {
    const changed = new Map<UserId, ConnectionStatus>();
    for (const userId of candidates) {
      const now = connectionStatus(userId);
      if (now !== (judged.get(userId) ?? 'offline')) changed.set(userId, now);
    }
    if (changed.size === 0) return;
    try {
      await writeStatuses(changed);
    } catch (error) {
      for (const userId of changed.keys()) dirtyRemote.add(userId);
      scheduleFlush(Math.max(config.presenceFlushMs, RETRY_MS));
      throw error;
    }
    for (const [userId, status] of changed) {
      if (status === 'offline') judged.delete(userId);
      else judged.set(userId, status);
    }
  }

  /**
   * A few reads and (if anything differs) one bulk write, then one signal. The write moves
   * `updatedAt` too, as Rocket.Chat's moves `_updatedAt`.
   */
  async function writeStatuses(connection: ReadonlyMap<UserId, ConnectionStatus>): Promise<void> {
    const ids = [...connection.keys()];
    const changes: UserStatusChange[] = [];
    for (let i = 0; i < ids.length; i += USERS_PER_QUERY) {
      for (const user of await store.users.byIds(ids.slice(i, i + USERS_PER_QUERY))) {
        const status = effectiveStatus(connection.get(user.id) ?? 'offline', user.statusDefault);
        if (status !== user.status) changes.push(statusChangeOf(user, status));
      }
    }
    if (changes.length === 0) return;
    await store.transaction((tx) =>
      tx.users.setStatuses(
        changes.map(({ userId, status }) => ({ id: userId, status })),
        clock.now(),
      ),
    );
    announce(changes);
  }

  async function flush(): Promise<void> {
    if (flushTimer !== undefined) {
      clearTimeout(flushTimer);
      flushTimer = undefined;
    }
    await exclusive(async () => {
      const delta = takeLocalDelta();
      const candidates = new Set<UserId>(delta.map(([userId]) => userId));
      for (const userId of dirtyRemote) candidates.add(userId);
      dirtyRemote.clear();
      try {
        await judge(candidates);
      } finally {
        // Only once written: a process hearing it then finds the statuses stored, with nothing to
        // announce. Sent before a slow write, it made the others announce the change a second time.
        signalInChunks(delta, false);
        if (snapshotSoon) {
          snapshotSoon = false;
          sendSnapshot();
        }
      }
    }).catch(onError);
  }

  function everySnapshot(): void {
    // Between flushes: like a delta (see `flush`), it must not show changes not yet stored.
    exclusive(() => Promise.resolve(sendSnapshot())).catch(onError);
    const now = clock.now();
    const gone = remote.expire(now - expiryMs);
    for (const userId of gone) dirtyRemote.add(userId);
    if (gone.length > 0) scheduleFlush();
    for (const [userId, at] of changedAt) if (at < now - CHANGE_LOG_MS) changedAt.delete(userId);
  }

  function onSignal(signal: Signal): void {
    if (signal.type === 'user-status') {
      const now = clock.now();
      for (const change of signal.statuses) {
        changedAt.set(change.userId, now);
        if (change.status === 'offline') announcedPresent.delete(change.userId);
        else announcedPresent.add(change.userId);
      }
      return;
    }
    if (signal.type !== 'presence' || signal.processId === processId) return;
    // A process heard of for the first time has just started: it gets our snapshot without waiting.
    if (!remote.knows(signal.processId)) snapshotSoon = true;
    for (const userId of remote.apply(signal, clock.now())) dirtyRemote.add(userId);
    if (dirtyRemote.size > 0 || snapshotSoon) scheduleFlush();
  }

  const statusDeps: StatusDeps = {
    store,
    settings: options.settings,
    authz: options.authz,
    clock,
    connectionStatus,
    exclusive,
    announce,
  };
  const queryDeps: QueryDeps = {
    store,
    clock,
    connectionStatus,
    changedSince(from) {
      if (from < startedAt) return null;
      const ids: UserId[] = [];
      for (const [userId, at] of changedAt) if (at > from) ids.push(userId);
      return ids;
    },
    *maybeNotOffline() {
      const seen = new Set<UserId>(announcedPresent);
      for (const userId of connections.users()) seen.add(userId);
      for (const userId of lingering.keys()) seen.add(userId);
      for (const userId of remote.users()) seen.add(userId);
      yield* seen;
    },
  };

  return {
    connectionOpened(userId, connectionId) {
      if (!running) return;
      connections.open(userId, connectionId);
      stopLingering(userId);
      markLocal(userId);
    },

    connectionClosed(userId, connectionId) {
      if (!running || !connections.has(userId)) return;
      if (connections.close(userId, connectionId)) {
        const was = published.get(userId);
        // Never announced (it came and went within one window): nothing to hold on to.
        if (was !== undefined && config.offlineGraceMs > 0) {
          const timer = setTimeout(() => {
            lingering.delete(userId);
            markLocal(userId);
          }, config.offlineGraceMs);
          timer.unref();
          lingering.set(userId, { status: was, timer });
        }
      }
      markLocal(userId);
    },

    connectionIdle(userId, connectionId, idle) {
      if (running && connections.setIdle(userId, connectionId, idle)) markLocal(userId);
    },

    onSignal,
    connectionStatus,
    setStatus: (actor, input) => setStatus(statusDeps, actor, input),
    setDefaultStatus: (actor, status) => setDefaultStatus(statusDeps, actor, status),
    getStatus: (actor, key) => getStatus(queryDeps, actor, key),
    listPresence: (actor, query) => listPresence(queryDeps, actor, query),

    start() {
      if (running) return;
      running = true;
      startedAt = clock.now();
      unsubscribe = bus.subscribe({ events: () => undefined, signal: onSignal });
      snapshotTimer = setInterval(everySnapshot, snapshotEveryMs);
      snapshotTimer.unref();
      // Says "I am here": the others answer with their snapshots at once.
      sendSnapshot();
    },

    flush,

    async stop() {
      if (!running) return;
      running = false;
      unsubscribe?.();
      clearInterval(snapshotTimer);
      clearTimeout(flushTimer);
      flushTimer = undefined;
      for (const { timer } of lingering.values()) clearTimeout(timer);
      const alone = remote.processCount === 0;
      const mine = new Set<UserId>([...published.keys(), ...connections.users(), ...lingering.keys()]);
      lingering.clear();
      connections.clear();
      dirtyLocal.clear();
      await exclusive(async () => {
        if (!alone) return;
        published.clear();
        await judge(mine);
      }).catch(onError);
    },
  };
}

export type { PresenceList, PresenceQuery, SetStatusInput, StatusView, UserKey };
