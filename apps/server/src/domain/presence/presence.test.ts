import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestServer, type Session, type TestServer } from '../../testing/create-test-server.js';
import type { Signal, UserStatusChange } from '../events/events.js';
import type { BusListener, EventBus } from '../ports/event-bus.js';
import type { Actor } from '../shared/actor.js';
import type { DeviceId, UserId } from '../shared/ids.js';
import type { User, UserStatus } from '../users/user.js';
import { createPresence, type Presence, type PresenceConfig } from './presence.js';
import { aUser } from '../../store/contract/factories.js';

/** Short timings, so that the real clock and real timers run the whole story in milliseconds. */
const TIMINGS: PresenceConfig = {
  presenceFlushMs: 30,
  offlineGraceMs: 120,
  snapshotEveryMs: 60,
  snapshotExpiryMs: 180,
};

/**
 * Buses of several processes joined like NATS joins them: a process hears its own signals at once
 * and the others' a moment later. A crashed process neither sends nor hears.
 */
function network() {
  interface Node {
    readonly bus: EventBus;
    readonly listeners: Set<BusListener>;
    crashed: boolean;
  }
  const nodes: Node[] = [];
  /** Every signal sent, by whom. */
  const sent: { from: string; signal: Signal }[] = [];
  return {
    sent,
    userStatusSignals: () =>
      sent.flatMap(({ signal }) => (signal.type === 'user-status' ? [signal.statuses] : [])),
    join(): EventBus {
      const listeners = new Set<BusListener>();
      const bus: EventBus = {
        processId: randomUUID(),
        publish: () => undefined,
        signal(signal) {
          if (node.crashed) return;
          sent.push({ from: bus.processId, signal });
          for (const listener of listeners) listener.signal(signal);
          for (const other of nodes) {
            if (other === node) continue;
            setImmediate(() => {
              if (!other.crashed) for (const listener of other.listeners) listener.signal(signal);
            });
          }
        },
        subscribe(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        close: () => Promise.resolve(),
      };
      const node: Node = { bus, listeners, crashed: false };
      nodes.push(node);
      return bus;
    },
    crash(bus: EventBus): void {
      const node = nodes.find((n) => n.bus === bus);
      if (node) node.crashed = true;
    },
  };
}

describe('presence', () => {
  let server: TestServer;
  let alice: Session, bob: Session;
  const running: Presence[] = [];

  beforeAll(async () => {
    server = await createTestServer();
    ({ alice, bob } = server);
  });
  afterAll(() => server.close());
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
    // Each story starts from offline users with no chosen status.
    for (const { userId } of [alice, bob]) {
      await server.parley.store.users.update(
        userId as UserId,
        { status: 'offline', statusDefault: 'online', statusText: '' },
        Date.now(),
      );
    }
  });

  function process(bus: EventBus, config: PresenceConfig = TIMINGS): Presence {
    const { store, settings, authz } = server.parley.ctx;
    const presence = createPresence({
      store,
      bus,
      clock: { now: () => Date.now() },
      settings,
      authz,
      config,
      onError: (error) => {
        throw error;
      },
    });
    presence.start();
    running.push(presence);
    return presence;
  }

  const id = (session: Session) => session.userId as UserId;
  const actorOf = (session: Session): Actor => ({
    userId: id(session),
    username: session.username,
    roles: ['user'],
    deviceId: 'device' as DeviceId,
    tokenHash: 'hash',
  });
  const stored = async (session: Session): Promise<UserStatus | undefined> =>
    (await server.parley.store.users.byId(id(session)))?.status;
  const settlesAt = (session: Session, status: UserStatus) =>
    vi.waitFor(async () => expect(await stored(session)).toBe(status), { timeout: 2000, interval: 10 });
  const announced = (net: ReturnType<typeof network>, session: Session): UserStatus[] =>
    net
      .userStatusSignals()
      .flat()
      .filter((change: UserStatusChange) => change.userId === id(session))
      .map((change) => change.status);

  const withoutRepeats = <T>(list: readonly T[]): T[] => list.filter((item, i) => item !== list[i - 1]);

  describe('on one process', () => {
    it('shows a user online when a connection opens, away when all are idle, online again on activity', async () => {
      const net = network();
      const a = process(net.join());
      a.connectionOpened(id(alice), 'c1');
      await settlesAt(alice, 'online');
      a.connectionOpened(id(alice), 'c2');
      a.connectionIdle(id(alice), 'c1', true);
      await a.flush();
      expect(await stored(alice)).toBe('online');
      a.connectionIdle(id(alice), 'c2', true);
      await settlesAt(alice, 'away');
      expect(a.connectionStatus(id(alice))).toBe('away');
      a.connectionIdle(id(alice), 'c1', false);
      await settlesAt(alice, 'online');
      expect(announced(net, alice)).toEqual(['online', 'away', 'online']);
    });

    it('says what changed in the user-status signal: name, status text and roles', async () => {
      const net = network();
      const a = process(net.join());
      a.connectionOpened(id(bob), 'c1');
      await settlesAt(bob, 'online');
      expect(net.userStatusSignals()).toEqual([
        [
          {
            userId: id(bob),
            username: 'bob',
            name: 'Bob',
            status: 'online',
            statusText: '',
            roles: ['user'],
          },
        ],
      ]);
    });

    it('goes offline only once the grace period after the last connection has passed', async () => {
      const net = network();
      const a = process(net.join());
      a.connectionOpened(id(alice), 'c1');
      await settlesAt(alice, 'online');
      const closedAt = Date.now();
      a.connectionClosed(id(alice), 'c1');
      await sleep(TIMINGS.offlineGraceMs / 2);
      await a.flush();
      expect(await stored(alice)).toBe('online');
      expect(a.connectionStatus(id(alice))).toBe('online');
      await settlesAt(alice, 'offline');
      expect(Date.now() - closedAt).toBeGreaterThanOrEqual(TIMINGS.offlineGraceMs);
      expect(announced(net, alice)).toEqual(['online', 'offline']);
    });

    it('announces nothing when the user reconnects inside the grace period', async () => {
      const net = network();
      const a = process(net.join());
      a.connectionOpened(id(alice), 'c1');
      await settlesAt(alice, 'online');
      a.connectionClosed(id(alice), 'c1');
      await sleep(TIMINGS.presenceFlushMs * 2);
      a.connectionOpened(id(alice), 'c2');
      await sleep(TIMINGS.offlineGraceMs * 2);
      expect(await stored(alice)).toBe('online');
      expect(announced(net, alice)).toEqual(['online']);
    });

    it('announces nothing for online → offline → online inside one window, even without a grace period', async () => {
      const net = network();
      const a = process(net.join(), { ...TIMINGS, offlineGraceMs: 0 });
      a.connectionOpened(id(alice), 'c1');
      await settlesAt(alice, 'online');
      a.connectionClosed(id(alice), 'c1');
      a.connectionOpened(id(alice), 'c2');
      // A connection that comes and goes within one window is never seen either.
      a.connectionOpened(id(bob), 'c3');
      a.connectionClosed(id(bob), 'c3');
      await sleep(TIMINGS.presenceFlushMs * 4);
      expect(announced(net, alice)).toEqual(['online']);
      expect(announced(net, bob)).toEqual([]);
      expect(await stored(bob)).toBe('offline');
    });

    it('ignores idleness and closes of connections it never saw open', async () => {
      const net = network();
      const a = process(net.join());
      a.connectionIdle(id(alice), 'nope', true);
      a.connectionClosed(id(alice), 'nope');
      await sleep(TIMINGS.presenceFlushMs * 3);
      expect(net.sent.filter(({ signal }) => signal.type !== 'presence' || signal.users.length > 0)).toEqual(
        [],
      );
    });

    it('marks its users offline when it stops and no other process is running', async () => {
      const net = network();
      const a = process(net.join());
      a.connectionOpened(id(alice), 'c1');
      await settlesAt(alice, 'online');
      await a.stop();
      expect(await stored(alice)).toBe('offline');
      expect(announced(net, alice)).toEqual(['online', 'offline']);
    });
  });

  describe('the status the user chose', () => {
    it('shows busy while connected, whatever the connections say', async () => {
      const a = process(network().join());
      a.connectionOpened(id(alice), 'c1');
      await settlesAt(alice, 'online');
      await a.setDefaultStatus(actorOf(alice), 'busy');
      expect(await stored(alice)).toBe('busy');
      a.connectionIdle(id(alice), 'c1', true);
      await a.flush();
      expect(await stored(alice)).toBe('busy');
      expect(a.connectionStatus(id(alice))).toBe('away');
    });

    it('treats online as automatic: the connections decide again', async () => {
      const a = process(network().join());
      a.connectionOpened(id(alice), 'c1');
      a.connectionIdle(id(alice), 'c1', true);
      await a.setDefaultStatus(actorOf(alice), 'busy');
      await a.flush();
      expect(await stored(alice)).toBe('busy');
      await a.setDefaultStatus(actorOf(alice), 'online');
      expect(await stored(alice)).toBe('away');
      expect((await server.parley.store.users.byId(id(alice)))?.statusDefault).toBe('online');
    });

    it('shows a user who chose offline (invisible) as offline while connected', async () => {
      const net = network();
      const a = process(net.join());
      a.connectionOpened(id(alice), 'c1');
      await settlesAt(alice, 'online');
      await a.setDefaultStatus(actorOf(alice), 'offline');
      expect(await stored(alice)).toBe('offline');
      a.connectionOpened(id(alice), 'c2');
      await a.flush();
      expect(await stored(alice)).toBe('offline');
      expect(announced(net, alice)).toEqual(['online', 'offline']);
    });

    it('keeps a disconnected user offline after UserPresence:setDefaultStatus, and shows the choice on connecting', async () => {
      const a = process(network().join());
      await a.setDefaultStatus(actorOf(alice), 'away');
      expect(await stored(alice)).toBe('offline');
      a.connectionOpened(id(alice), 'c1');
      await settlesAt(alice, 'away');
    });

    it('refuses an unknown status with error-invalid-status', async () => {
      const a = process(network().join());
      await expect(a.setDefaultStatus(actorOf(alice), 'sleeping')).rejects.toMatchObject({
        code: 'error-invalid-status',
      });
    });
  });

  describe('over several processes', () => {
    it('keeps a user online while any process holds a connection', async () => {
      const net = network();
      const a = process(net.join());
      const b = process(net.join());
      a.connectionOpened(id(alice), 'a1');
      b.connectionOpened(id(alice), 'b1');
      await settlesAt(alice, 'online');
      await vi.waitFor(() => expect(a.connectionStatus(id(alice))).toBe('online'));
      a.connectionClosed(id(alice), 'a1');
      await sleep(TIMINGS.offlineGraceMs + TIMINGS.presenceFlushMs * 3);
      expect(await stored(alice)).toBe('online');
      expect(a.connectionStatus(id(alice))).toBe('online');
      b.connectionClosed(id(alice), 'b1');
      await settlesAt(alice, 'offline');
      await vi.waitFor(() => expect(a.connectionStatus(id(alice))).toBe('offline'));
      // Both processes saw alice arrive at once, so both may have announced it.
      expect(withoutRepeats(announced(net, alice))).toEqual(['online', 'offline']);
    });

    it('shows online if any process says online, else away if any says away', async () => {
      const net = network();
      const a = process(net.join());
      const b = process(net.join());
      a.connectionOpened(id(alice), 'a1');
      a.connectionIdle(id(alice), 'a1', true);
      await settlesAt(alice, 'away');
      b.connectionOpened(id(alice), 'b1');
      await settlesAt(alice, 'online');
      b.connectionClosed(id(alice), 'b1');
      await settlesAt(alice, 'away');
      expect(announced(net, alice)).toEqual(['away', 'online', 'away']);
    });

    it('lets the process that saw the change write it: the other finds nothing to do', async () => {
      const net = network();
      const a = process(net.join());
      const b = process(net.join());
      const writes = vi.spyOn(server.parley.store, 'transaction');
      try {
        b.connectionOpened(id(bob), 'b1');
        await settlesAt(bob, 'online');
        await vi.waitFor(() => expect(a.connectionStatus(id(bob))).toBe('online'));
        await sleep(TIMINGS.presenceFlushMs * 3);
        expect(writes).toHaveBeenCalledTimes(1);
        expect(net.userStatusSignals()).toHaveLength(1);
      } finally {
        writes.mockRestore();
      }
    });

    it('announces a change once even when the process that saw it is slow to write it', async () => {
      const net = network();
      const a = process(net.join());
      const b = process(net.join());
      const transaction = server.parley.store.transaction.bind(server.parley.store);
      // b's write takes several windows: a must not take its turn meanwhile.
      const writes = vi.spyOn(server.parley.store, 'transaction').mockImplementationOnce(async (fn) => {
        await sleep(TIMINGS.presenceFlushMs * 4);
        return transaction(fn);
      });
      try {
        b.connectionOpened(id(bob), 'b1');
        await settlesAt(bob, 'online');
        await vi.waitFor(() => expect(a.connectionStatus(id(bob))).toBe('online'));
        await sleep(TIMINGS.presenceFlushMs * 3);
        expect(writes).toHaveBeenCalledTimes(1);
        expect(net.userStatusSignals()).toHaveLength(1);
      } finally {
        writes.mockRestore();
      }
    });

    it('tells a process that starts late who is connected elsewhere, without waiting for the next snapshot', async () => {
      const net = network();
      const a = process(net.join(), { ...TIMINGS, snapshotEveryMs: 60_000 });
      a.connectionOpened(id(alice), 'a1');
      await settlesAt(alice, 'online');
      const late = process(net.join(), { ...TIMINGS, snapshotEveryMs: 60_000 });
      await vi.waitFor(() => expect(late.connectionStatus(id(alice))).toBe('online'), { timeout: 500 });
    });

    it('forgets the users of a process that died once its snapshot expires', async () => {
      const net = network();
      const a = process(net.join());
      const bBus = net.join();
      const b = process(bBus);
      b.connectionOpened(id(alice), 'b1');
      await settlesAt(alice, 'online');
      await vi.waitFor(() => expect(a.connectionStatus(id(alice))).toBe('online'));
      // Long enough for b to have heard a: stopping alone, it would mark its users offline itself.
      await sleep(TIMINGS.presenceFlushMs * 3);
      net.crash(bBus);
      await b.stop();
      const diedAt = Date.now();
      await sleep(TIMINGS.snapshotExpiryMs! / 2);
      expect(a.connectionStatus(id(alice))).toBe('online');
      await settlesAt(alice, 'offline');
      expect(Date.now() - diedAt).toBeGreaterThanOrEqual(
        TIMINGS.snapshotExpiryMs! - TIMINGS.snapshotEveryMs!,
      );
      expect(a.connectionStatus(id(alice))).toBe('offline');
    });

    it('keeps the users of a living process that is just quiet: its snapshots confirm them', async () => {
      const net = network();
      const a = process(net.join());
      const b = process(net.join());
      b.connectionOpened(id(alice), 'b1');
      await settlesAt(alice, 'online');
      await sleep(TIMINGS.snapshotExpiryMs! * 2);
      expect(a.connectionStatus(id(alice))).toBe('online');
      expect(await stored(alice)).toBe('online');
    });
  });

  describe('coalescing', () => {
    const COUNT = 1000;
    let crowd: User[] = [];

    beforeAll(async () => {
      const now = Date.now();
      crowd = Array.from({ length: COUNT }, (_, i) =>
        aUser({
          id: `crowd-${i}` as UserId,
          username: `crowd${i}`,
          name: `Crowd ${i}`,
          createdAt: now,
          updatedAt: now,
        }),
      );
      await server.parley.store.transaction(async (tx) => {
        for (const user of crowd) await tx.users.insert(user);
      });
    });

    it('turns 1,000 logins within one window into one batch of writes and one user-status signal', async () => {
      const net = network();
      const a = process(net.join(), { ...TIMINGS, presenceFlushMs: 200 });
      const writes = vi.spyOn(server.parley.store, 'transaction');
      try {
        for (const user of crowd) a.connectionOpened(user.id, `c-${user.id}`);
        await vi.waitFor(() => expect(net.userStatusSignals()).toHaveLength(1), { timeout: 5000 });
        await sleep(300);
        const [statuses] = net.userStatusSignals();
        expect(statuses).toHaveLength(COUNT);
        expect(new Set(statuses?.map((s) => s.status))).toEqual(new Set(['online']));
        expect(writes).toHaveBeenCalledTimes(1);
        const deltas = net.sent.filter(({ signal }) => signal.type === 'presence' && !signal.full);
        expect(deltas).toHaveLength(1);
        const online = await server.parley.store.users.byIds(crowd.map((u) => u.id));
        expect(online.every((u) => u.status === 'online')).toBe(true);
      } finally {
        writes.mockRestore();
      }
    });
  });
});
