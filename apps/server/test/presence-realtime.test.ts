import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashToken, newToken } from '../src/domain/auth/tokens.js';
import type { Signal } from '../src/domain/events/events.js';
import type { DeviceId } from '../src/domain/shared/ids.js';
import { createBusModeServer, onEachBackendAndBusMode, type BusMode } from '../src/testing/bus-modes.js';
import type { Backend } from '../src/testing/databases.js';
import { PASSWORD, type Session, type TestServer } from '../src/testing/create-test-server.js';
import type { TestDdpClient } from '../src/testing/ddp-client.js';
import { aUser } from '../src/store/contract/factories.js';

// Rocket.Chat's numbers for statuses on `user-status` and `stream-user-presence`.
const OFFLINE = 0;
const ONLINE = 1;
const AWAY = 2;
const BUSY = 3;

const GRACE_MS = 200;
const IDLE_MS = 400;
const TIMINGS = {
  PARLEY_PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS),
  PARLEY_PRESENCE_FLUSH_MS: '20',
  PARLEY_PRESENCE_IDLE_MS: String(IDLE_MS),
};

/** One status frame as the watcher heard it, with when. */
interface Heard {
  readonly at: number;
  readonly stream: 'stream-notify-logged' | 'stream-user-presence';
  readonly userId: string;
  readonly username: string;
  readonly status: number;
  readonly statusText: string;
  /** `user-status` only: the name and roles Rocket.Chat's clients show. */
  readonly name?: string;
  readonly roles?: readonly string[];
}

/**
 * Records every `user-status` (`[[uid, username, status, statusText, name, roles]]`) and
 * `stream-user-presence` (`[[username, status, statusText]]`, the uid in the event name) frame
 * `client` receives, stamped on arrival.
 */
function recordStatuses(client: TestDdpClient): Heard[] {
  const heard: Heard[] = [];
  client.socket.on('message', (data) => {
    const frame = JSON.parse((data as Buffer).toString('utf8')) as {
      msg?: string;
      collection?: string;
      fields?: { eventName?: string; args?: unknown[] };
    };
    if (frame.msg !== 'changed' || !frame.fields?.args) return;
    const at = Date.now();
    const eventName = frame.fields.eventName ?? '';
    if (frame.collection === 'stream-notify-logged' && eventName === 'user-status') {
      for (const entry of frame.fields.args as [string, string, number, string, string, string[]][]) {
        const [userId, username, status, statusText, name, roles] = entry;
        heard.push({ at, stream: frame.collection, userId, username, status, statusText, name, roles });
      }
    } else if (frame.collection === 'stream-user-presence') {
      for (const [username, status, statusText] of frame.fields.args as [string, number, string][])
        heard.push({ at, stream: frame.collection, userId: eventName, username, status, statusText });
    }
  });
  return heard;
}

/**
 * Users inserted straight into the store, each with a login token: `users.create` hashes a
 * password per user, too slow for a crowd (and for nine users in each of four modes).
 */
async function insertUsers(s: TestServer, usernames: readonly string[]): Promise<Session[]> {
  const now = Date.now();
  const crowd = usernames.map((username) => {
    const user = aUser({
      username,
      name: username[0]?.toUpperCase() + username.slice(1),
      email: null,
      createdAt: now,
      updatedAt: now,
    });
    return { user, token: newToken() };
  });
  await s.parley.store.transaction(async (tx) => {
    for (const { user, token } of crowd) {
      await tx.users.insert(user);
      await tx.tokens.insert({
        hash: hashToken(token),
        userId: user.id,
        deviceId: `device-${user.id}` as DeviceId,
        kind: 'login',
        name: null,
        lastTokenPart: token.slice(-6),
        bypassTwoFactor: false,
        createdAt: now,
      });
    }
  });
  return crowd.map(({ user, token }) => ({
    userId: user.id,
    username: user.username,
    authToken: token,
    password: PASSWORD,
  }));
}

/** One user per story, so that each story's frames are its own. */
const CAST = ['dave', 'erin', 'frank', 'gina', 'hank', 'ivan', 'judy', 'kate', 'leo'] as const;

// With NATS, REST goes to one process and the sockets are on another: every frame crossed NATS.
await onEachBackendAndBusMode('presence over DDP', (backend, mode) => {
  let s: TestServer;
  let watcher: TestDdpClient;
  let heard: Heard[];
  const cast = new Map<string, Session>();

  beforeAll(async () => {
    s = await createBusModeServer(mode, { backend, listen: true, env: TIMINGS });
    for (const session of await insertUsers(s, CAST)) cast.set(session.username, session);
    watcher = await s.ddp(s.carol);
    heard = recordStatuses(watcher);
    expect((await watcher.sub('stream-notify-logged', 'user-status')).msg).toBe('ready');
    for (const session of cast.values())
      expect((await watcher.sub('stream-user-presence', session.userId)).msg).toBe('ready');
  });
  afterAll(() => s.close());

  /** The story's user, whose `stream-user-presence` the watcher follows too. */
  function member(username: (typeof CAST)[number]): Session {
    const session = cast.get(username);
    if (!session) throw new Error(`${username} is not in the cast`);
    return session;
  }

  const statusesOf = (session: Session, stream: Heard['stream'] = 'stream-notify-logged') =>
    heard.filter((h) => h.userId === session.userId && h.stream === stream);

  /**
   * Waits until the watcher has heard `statuses` (at least) for the user, in this order, on both
   * streams; returns the `user-status` frames. A silent connection turns away after `IDLE_MS`, so
   * more may follow.
   */
  async function expectHeard(session: Session, statuses: readonly number[]): Promise<Heard[]> {
    return vi.waitFor(
      () => {
        const logged = statusesOf(session);
        const presence = statusesOf(session, 'stream-user-presence');
        expect(logged.slice(0, statuses.length).map((h) => h.status)).toEqual(statuses);
        expect(presence.slice(0, statuses.length).map((h) => h.status)).toEqual(statuses);
        return logged.slice(0, statuses.length);
      },
      { timeout: 3000, interval: 10 },
    );
  }

  const restStatus = async (session: Session) => {
    const reply = await s
      .as(s.carol)
      .get<{ status: string; message: string }>('/api/v1/users.getStatus', { userId: session.userId });
    expect(reply.status, reply.raw).toBe(200);
    return reply.body;
  };

  it('shows a user who logs in over DDP as online (1) on user-status and stream-user-presence', async () => {
    const dave = member('dave');
    await s.ddp(dave);
    const [online] = await expectHeard(dave, [ONLINE]);
    expect(online).toMatchObject({
      userId: dave.userId,
      username: 'dave',
      statusText: '',
      name: 'Dave',
      roles: ['user'],
    });
    expect(statusesOf(dave, 'stream-user-presence')[0]).toMatchObject({ username: 'dave', statusText: '' });
    expect((await restStatus(dave)).status).toBe('online');
  });

  it('shows away (2) after UserPresence:away, online again after any method or UserPresence:online', async () => {
    const erin = member('erin');
    const socket = await s.ddp(erin);
    await expectHeard(erin, [ONLINE]);
    expect(await socket.ok('UserPresence:away')).toBe(true);
    await expectHeard(erin, [ONLINE, AWAY]);
    // Any method call is activity.
    await socket.ok('subscriptions/get');
    await expectHeard(erin, [ONLINE, AWAY, ONLINE]);
    await socket.ok('UserPresence:away');
    await expectHeard(erin, [ONLINE, AWAY, ONLINE, AWAY]);
    expect(await socket.ok('UserPresence:online')).toBe(true);
    await expectHeard(erin, [ONLINE, AWAY, ONLINE, AWAY, ONLINE]);
  });

  it('shows busy (3) after UserPresence:setDefaultStatus, also over REST, and only while connected', async () => {
    const frank = member('frank');
    const socket = await s.ddp(frank);
    await expectHeard(frank, [ONLINE]);
    expect(await socket.ok('UserPresence:setDefaultStatus', 'busy')).toBe(true);
    await expectHeard(frank, [ONLINE, BUSY]);
    const reply = await s.as(frank).get<{ status: string }>('/api/v1/users.getStatus');
    expect(reply.body.status).toBe('busy');
    // An idle connection does not change a chosen status.
    await socket.ok('UserPresence:away');
    await sleep(100);
    expect(statusesOf(frank).map((h) => h.status)).toEqual([ONLINE, BUSY]);
    // Gone, the user is offline; back, busy again.
    await socket.close();
    await expectHeard(frank, [ONLINE, BUSY, OFFLINE]);
    await s.ddp(frank);
    await expectHeard(frank, [ONLINE, BUSY, OFFLINE, BUSY]);
  });

  it('turns a connection that calls no method away after PARLEY_PRESENCE_IDLE_MS', async () => {
    const gina = member('gina');
    const loggedInBy = Date.now();
    await s.ddp(gina);
    const [online, away] = await expectHeard(gina, [ONLINE, AWAY]);
    expect(online?.at).toBeLessThan(loggedInBy + IDLE_MS);
    // The login itself is the last activity: `IDLE_MS` after it at the earliest.
    expect(away?.at).toBeGreaterThanOrEqual(loggedInBy + IDLE_MS);
    expect((await restStatus(gina)).status).toBe('away');
  });

  it('shows offline (0) only once the grace period after the last socket closed has passed', async () => {
    const hank = member('hank');
    const socket = await s.ddp(hank);
    await expectHeard(hank, [ONLINE]);
    const closing = Date.now();
    await socket.close();
    const offline = await vi.waitFor(
      () => {
        const found = statusesOf(hank).find((h) => h.status === OFFLINE);
        expect(found).toBeDefined();
        return found as Heard;
      },
      { timeout: 3000, interval: 10 },
    );
    expect(offline.at - closing).toBeGreaterThanOrEqual(GRACE_MS);
    expect(statusesOf(hank).at(-1)?.status).toBe(OFFLINE);
    expect((await restStatus(hank)).status).toBe('offline');
  });

  it('announces nothing offline when the user reconnects within the grace period', async () => {
    const ivan = member('ivan');
    const first = await s.ddp(ivan);
    await expectHeard(ivan, [ONLINE]);
    await first.close();
    await s.ddp(ivan);
    await sleep(GRACE_MS + 150);
    expect(statusesOf(ivan).map((h) => h.status)).not.toContain(OFFLINE);
    expect(statusesOf(ivan, 'stream-user-presence').map((h) => h.status)).not.toContain(OFFLINE);
    expect((await restStatus(ivan)).status).not.toBe('offline');
  });

  it('keeps a user with two sockets online when one closes, offline once both have', async () => {
    const judy = member('judy');
    const one = await s.ddp(judy);
    const two = await s.ddp(judy);
    await expectHeard(judy, [ONLINE]);
    await one.close();
    await sleep(GRACE_MS + 150);
    expect(statusesOf(judy).map((h) => h.status)).not.toContain(OFFLINE);
    expect((await restStatus(judy)).status).not.toBe('offline');
    await two.close();
    await vi.waitFor(() => expect(statusesOf(judy).at(-1)?.status).toBe(OFFLINE), {
      timeout: 3000,
      interval: 10,
    });
  });

  it('carries the message of REST users.setStatus as statusText, with or without a new status', async () => {
    const kate = member('kate');
    const socket = await s.ddp(kate);
    await expectHeard(kate, [ONLINE]);
    const set = await s.as(kate).post('/api/v1/users.setStatus', { status: 'busy', message: 'in a meeting' });
    expect(set.status, set.raw).toBe(200);
    const [, busy] = await expectHeard(kate, [ONLINE, BUSY]);
    expect(busy).toMatchObject({ username: 'kate', statusText: 'in a meeting', name: 'Kate' });
    expect(statusesOf(kate, 'stream-user-presence')[1]).toMatchObject({
      username: 'kate',
      statusText: 'in a meeting',
    });
    // The message alone: the same status, announced again for the new text.
    await s.as(kate).post('/api/v1/users.setStatus', { message: 'back at 3' });
    const [, , again] = await expectHeard(kate, [ONLINE, BUSY, BUSY]);
    expect(again?.statusText).toBe('back at 3');
    await socket.ok('UserPresence:setDefaultStatus', 'online');
    const [, , , auto] = await expectHeard(kate, [ONLINE, BUSY, BUSY, ONLINE]);
    expect(auto?.statusText).toBe('back at 3');
  });

  it('ends a deactivated user offline: their sessions end with the account', async () => {
    const leo = member('leo');
    const socket = await s.ddp(leo);
    await expectHeard(leo, [ONLINE]);
    const reply = await s
      .as(s.carol)
      .post('/api/v1/users.setActiveStatus', { userId: leo.userId, activeStatus: false });
    expect(reply.status, reply.raw).toBe(200);
    await vi.waitFor(() => expect(statusesOf(leo).at(-1)?.status).toBe(OFFLINE), {
      timeout: 3000,
      interval: 10,
    });
    expect((await restStatus(leo)).status).toBe('offline');
    // The socket stays open, logged out.
    expect((await socket.call('UserPresence:online')).error).toMatchObject({ error: 'error-not-allowed' });
  });

  describe('a storm of logins', () => {
    stormOfLogins(backend, mode);
  });
});

/**
 * Hundreds of users logging in at once (a server restart, the morning rush) are written and
 * announced in a few batches, not one by one. On a server of its own, with the default timings:
 * with `IDLE_MS`, a login queued that long behind the others would start out idle (idleness counts
 * from the method's arrival), and some users would be announced away rather than online.
 */
function stormOfLogins(backend: Backend, mode: BusMode): void {
  const COUNT = 300;
  let s: Awaited<ReturnType<typeof createBusModeServer>>;
  let crowd: Session[];

  beforeAll(async () => {
    s = await createBusModeServer(mode, { backend, listen: true });
    crowd = await insertUsers(
      s,
      Array.from({ length: COUNT }, (_, i) => `storm-${i}`),
    );
  });
  afterAll(() => s.close());

  it(`announces ${COUNT} logins, each user online exactly once, in a few user-status signals`, async () => {
    const watcher = await s.ddp(s.carol);
    const heard = recordStatuses(watcher);
    await watcher.sub('stream-notify-logged', 'user-status');
    const signals: Signal[] = [];
    const unsubscribe = s.sockets.parley.bus.subscribe({
      events: () => undefined,
      signal: (signal) => void (signal.type === 'user-status' && signals.push(signal)),
    });
    try {
      const sockets = await Promise.all(crowd.map(() => s.ddp()));
      const started = Date.now();
      await Promise.all(sockets.map((socket, i) => socket.login(crowd[i]?.authToken ?? '')));
      const loginsTook = Date.now() - started;
      const ids = new Set(crowd.map((c) => c.userId));
      const crowdHeard = () => heard.filter((h) => ids.has(h.userId));
      await vi.waitFor(() => expect(crowdHeard()).toHaveLength(COUNT), { timeout: 10_000, interval: 20 });
      // Longer than a window: a second announcement of anyone would have come by now.
      await sleep(300);
      expect(crowdHeard()).toHaveLength(COUNT);
      expect(new Set(crowdHeard().map((h) => h.userId)).size).toBe(COUNT);
      expect(crowdHeard().every((h) => h.status === ONLINE)).toBe(true);
      const crowdSignals = signals.filter((sig) =>
        sig.type === 'user-status' ? sig.statuses.some((st) => ids.has(st.userId)) : false,
      );
      expect(crowdSignals.length, `logins took ${loginsTook} ms`).toBeLessThanOrEqual(5);
      // REST (the other process, with NATS) lists them all.
      const listed = await s
        .as(s.carol)
        .get<{ users: { _id: string; status: string }[] }>('/api/v1/users.presence');
      const listedCrowd = listed.body.users.filter((u) => ids.has(u._id));
      expect(listedCrowd).toHaveLength(COUNT);
      expect(listedCrowd.every((u) => u.status === 'online')).toBe(true);
    } finally {
      unsubscribe();
    }
  });
}
