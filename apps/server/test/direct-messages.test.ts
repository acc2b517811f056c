import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type Session, type TestServer } from '../src/testing/create-test-server.js';

interface Room {
  _id: string;
  rid: string;
  t: string;
  name?: string;
  uids: string[];
  usernames: string[];
  usersCount: number;
  msgs: number;
}
interface Sub {
  rid: string;
  name: string;
  open: boolean;
  unread: number;
  alert: boolean;
  ls?: string;
}
interface Failure {
  success: false;
  error: string;
  errorType: string;
}

/** A clock that never repeats a millisecond, so that message order and last-seen times are exact. */
function tickingClock() {
  let t = Date.now();
  return { now: () => ++t };
}

await onEachBackend('direct messages: im.* and dm.*', (backend) => {
  let server: TestServer;
  let dave: Session;
  let erin: Session;

  beforeAll(async () => {
    server = await createTestServer({ backend, clock: tickingClock() });
    dave = await server.makeUser('dave');
    erin = await server.makeUser('erin');
  });
  afterAll(() => server.close());

  const create = (who: Session, body: unknown) =>
    server.as(who).post<{ room: Room } & Failure>('/api/v1/im.create', body);
  const subscriptionOf = async (who: Session, rid: string): Promise<Sub | null> =>
    (await server.as(who).get<{ subscription: Sub | null }>('/api/v1/subscriptions.getOne', { roomId: rid }))
      .body.subscription;
  const send = async (who: Session, rid: string, msg: string): Promise<string> => {
    const reply = await server
      .as(who)
      .post<{ message: { _id: string } }>('/api/v1/chat.sendMessage', { message: { rid, msg } });
    expect(reply.status, reply.raw).toBe(200);
    return reply.body.message._id;
  };
  const setPermission = async (id: string, roles: string[]) => {
    const reply = await server
      .as(server.carol)
      .post('/api/v1/permissions.update', { permissions: [{ _id: id, roles }] });
    expect(reply.status, reply.raw).toBe(200);
  };
  const imCount = async (who: Session) =>
    (await server.as(who).get<{ total: number }>('/api/v1/im.list')).body.total;

  describe('POST /api/v1/im.create', () => {
    it('creates the 1:1 DM whose id is the two user ids sorted and concatenated', async () => {
      const { alice, bob } = server;
      const reply = await create(alice, { username: 'bob' });
      expect(reply.status, reply.raw).toBe(200);
      const room = reply.body.room;
      const expectedId = [alice.userId, bob.userId].sort().join('');
      expect(room).toMatchObject({ _id: expectedId, rid: expectedId, t: 'd', usersCount: 2, msgs: 0 });
      expect(room.name).toBeUndefined();
      expect([...room.uids]).toEqual([alice.userId, bob.userId].sort());
      expect([...room.usernames].sort()).toEqual(['alice', 'bob']);

      expect(await subscriptionOf(alice, room._id)).toMatchObject({ name: 'bob', open: true });
      // As in Rocket.Chat, the other side of a 1:1 DM sees it once a message arrives.
      expect(await subscriptionOf(bob, room._id)).toMatchObject({ name: 'alice', open: false });
    });

    it('returns the existing DM on a second call, from either side and under dm.create', async () => {
      const { alice, bob } = server;
      const first = await create(alice, { username: 'bob' });
      const again = await create(alice, { username: '@BOB' });
      const fromBob = await create(bob, { username: 'alice' });
      const alias = await server.as(alice).post<{ room: Room }>('/api/v1/dm.create', { username: 'bob' });
      for (const reply of [again, fromBob, alias]) {
        expect(reply.status, reply.raw).toBe(200);
        expect(reply.body.room._id).toBe(first.body.room._id);
      }
      expect(again.body.room.usersCount).toBe(2);
      // bob opened it by asking for it.
      expect((await subscriptionOf(bob, first.body.room._id))?.open).toBe(true);
    });

    it('allows a DM with yourself', async () => {
      const reply = await create(dave, { username: 'dave' });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.room).toMatchObject({
        t: 'd',
        usersCount: 1,
        uids: [dave.userId],
        usernames: ['dave'],
      });
      expect(await subscriptionOf(dave, reply.body.room._id)).toMatchObject({ name: 'dave', open: true });
      expect((await create(dave, { username: 'dave' })).body.room._id).toBe(reply.body.room._id);
    });

    it('creates a group DM from comma-separated usernames, every member subscribed and open', async () => {
      const { alice, bob } = server;
      const reply = await create(alice, { usernames: 'bob, dave' });
      expect(reply.status, reply.raw).toBe(200);
      const room = reply.body.room;
      expect(room._id).not.toContain(alice.userId);
      expect(room.usersCount).toBe(3);
      expect([...room.uids].sort()).toEqual([alice.userId, bob.userId, dave.userId].sort());
      expect(await subscriptionOf(alice, room._id)).toMatchObject({ name: 'bob, dave', open: true });
      expect(await subscriptionOf(bob, room._id)).toMatchObject({ name: 'alice, dave', open: true });
      expect(await subscriptionOf(dave, room._id)).toMatchObject({ name: 'alice, bob', open: true });
      // Same members in another order: the same room.
      expect((await create(dave, { usernames: 'bob,alice' })).body.room._id).toBe(room._id);
    });

    it('with excludeSelf, creates the DM between the named users only', async () => {
      const reply = await create(server.alice, { usernames: 'dave,erin', excludeSelf: true });
      expect(reply.status, reply.raw).toBe(200);
      expect([...reply.body.room.uids].sort()).toEqual([dave.userId, erin.userId].sort());
      expect(await subscriptionOf(server.alice, reply.body.room._id)).toBeNull();
    });

    it('refuses without create-d with 403 and creates nothing', async () => {
      await setPermission('create-d', ['admin', 'bot', 'app']);
      try {
        const before = await imCount(erin);
        const reply = await create(erin, { username: 'bob' });
        expect(reply.status).toBe(403);
        expect(reply.body.errorType).toBe('error-unauthorized');
        expect(await imCount(erin)).toBe(before);
      } finally {
        await setPermission('create-d', ['admin', 'user', 'federated-external', 'bot', 'app']);
      }
    });

    it('refuses a target who may not read DMs (view-d-room)', async () => {
      await setPermission('view-d-room', ['admin', 'bot', 'app', 'guest']);
      try {
        const reply = await create(server.carol, { username: 'erin' });
        expect(reply.status).toBe(400);
        expect(reply.body.errorType).toBe('error-not-allowed');
      } finally {
        await setPermission('view-d-room', ['admin', 'user', 'federated-external', 'bot', 'app', 'guest']);
      }
    });

    it('refuses unknown and deactivated users with 400 error-invalid-user, creating nothing', async () => {
      const frank = await server.makeUser('frank');
      const off = await server
        .as(server.carol)
        .post('/api/v1/users.setActiveStatus', { userId: frank.userId, activeStatus: false });
      expect(off.status, off.raw).toBe(200);
      const before = await imCount(erin);
      for (const body of [{ username: 'nobody' }, { usernames: 'bob,nobody' }, { username: 'frank' }]) {
        const reply = await create(erin, body);
        expect(reply.status, JSON.stringify(body)).toBe(400);
        expect(reply.body.errorType).toBe('error-invalid-user');
      }
      expect(await imCount(erin)).toBe(before);
    });

    it('refuses malformed input with 400', async () => {
      const many = Array.from({ length: 500 }, (_, i) => `user${i}`).join(',');
      const cases: [unknown, string][] = [
        [{}, 'invalid-params'],
        [{ username: '' }, 'invalid-params'],
        [{ usernames: ' , ,' }, 'invalid-params'],
        [{ username: 42 }, 'invalid-params'],
        [{ username: ['bob'] }, 'invalid-params'],
        [{ username: 'x'.repeat(10_000) }, 'invalid-params'],
        [{ username: 'bob', excludeSelf: 'yes' }, 'invalid-params'],
        [{ usernames: many }, 'error-direct-message-max-user-exceeded'],
        [{ usernames: 'a,b,c,d,e,f,g,h' }, 'error-direct-message-max-user-exceeded'],
        [{ username: 'bob', excludeSelf: true }, 'error-invalid-user'],
      ];
      for (const [body, code] of cases) {
        const reply = await create(server.alice, body);
        expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(400);
        expect(reply.body.errorType, JSON.stringify(body).slice(0, 80)).toBe(code);
      }
      const raw = await server.as(server.alice).raw('POST', '/api/v1/im.create', '{"username":');
      expect(raw.status).toBe(400);
    });

    it('needs a login', async () => {
      expect((await server.anonymous.post('/api/v1/im.create', { username: 'bob' })).status).toBe(401);
    });
  });

  describe('reading a DM: im.list, im.history, im.messages, im.members, im.counters', () => {
    let rid: string;
    beforeAll(async () => {
      rid = (await create(server.alice, { username: 'bob' })).body.room._id;
      await send(server.alice, rid, 'hi bob');
      await send(server.bob, rid, 'hi alice');
    });

    it('lists the caller’s DMs under im.list and dm.list', async () => {
      for (const path of ['/api/v1/im.list', '/api/v1/dm.list']) {
        const reply = await server
          .as(server.bob)
          .get<{ ims: Room[]; count: number; offset: number; total: number }>(path, { count: '10' });
        expect(reply.status, reply.raw).toBe(200);
        expect(reply.body.ims.map((r) => r._id)).toContain(rid);
        expect(reply.body.ims.every((r) => r.t === 'd')).toBe(true);
        expect(reply.body).toMatchObject({ offset: 0, count: reply.body.ims.length });
        expect(reply.body.total).toBeGreaterThanOrEqual(reply.body.count);
      }
      const paged = await server.as(server.alice).get<{ ims: Room[]; total: number }>('/api/v1/im.list', {
        count: '1',
        offset: '0',
      });
      expect(paged.body.ims).toHaveLength(1);
      expect(paged.body.total).toBeGreaterThan(1);
    });

    it('shows history newest first, and a page of messages by roomId or username', async () => {
      const history = await server
        .as(server.alice)
        .get<{ messages: { msg: string }[] }>('/api/v1/im.history', { roomId: rid });
      expect(history.status, history.raw).toBe(200);
      expect(history.body.messages.map((m) => m.msg)).toEqual(['hi alice', 'hi bob']);

      const byName = await server
        .as(server.alice)
        .get<{ messages: { msg: string }[]; total: number; count: number }>('/api/v1/dm.messages', {
          username: 'bob',
          count: '1',
        });
      expect(byName.status, byName.raw).toBe(200);
      expect(byName.body).toMatchObject({ total: 2, count: 1, offset: 0 });
      expect(byName.body.messages[0]?.msg).toBe('hi alice');
    });

    it('lists the members and the caller’s counters', async () => {
      const members = await server
        .as(server.bob)
        .get<{ members: { username: string }[]; total: number }>('/api/v1/im.members', { roomId: rid });
      expect(members.status, members.raw).toBe(200);
      expect(members.body.members.map((m) => m.username)).toEqual(['alice', 'bob']);
      expect(members.body.total).toBe(2);

      const counters = await server.as(server.alice).get('/api/v1/im.counters', { roomId: rid });
      expect(counters.status, counters.raw).toBe(200);
      expect(counters.body).toMatchObject({ joined: true, members: 2, msgs: 2, unreads: 1 });
    });

    it('hides the DM from a non-member: error-room-not-found everywhere', async () => {
      const attempts = [
        server.as(erin).get<Failure>('/api/v1/im.history', { roomId: rid }),
        server.as(erin).get<Failure>('/api/v1/im.messages', { roomId: rid }),
        server.as(erin).get<Failure>('/api/v1/im.members', { roomId: rid }),
        server.as(erin).get<Failure>('/api/v1/im.counters', { roomId: rid }),
        server.as(erin).post<Failure>('/api/v1/im.open', { roomId: rid }),
        server.as(erin).post<Failure>('/api/v1/im.close', { roomId: rid }),
        server.as(erin).get<Failure>('/api/v1/im.messages', { username: 'nobody' }),
        server.as(erin).get<Failure>('/api/v1/im.history', { roomId: 'GENERAL' }),
      ];
      for (const reply of await Promise.all(attempts)) {
        expect(reply.status, reply.raw).toBe(400);
        expect(reply.body.errorType).toBe('error-room-not-found');
      }
    });

    it('refuses another member’s counters without view-room-administration', async () => {
      const reply = await server
        .as(server.alice)
        .get<Failure>('/api/v1/im.counters', { roomId: rid, userId: server.bob.userId });
      expect(reply.status).toBe(403);
      expect(reply.body.errorType).toBe('error-unauthorized');
    });

    it('refuses malformed reads with 400', async () => {
      const cases: [string, Record<string, string>][] = [
        ['/api/v1/im.history', {}],
        ['/api/v1/im.history', { roomId: rid, latest: 'not a date' }],
        ['/api/v1/im.history', { roomId: rid, count: '-1' }],
        ['/api/v1/im.messages', {}],
        ['/api/v1/im.members', { roomId: 'x'.repeat(500) }],
        ['/api/v1/im.list', { offset: 'abc' }],
      ];
      for (const [path, query] of cases) {
        const reply = await server.as(server.alice).get(path, query);
        expect(reply.status, `${path} ${JSON.stringify(query)}`).toBe(400);
      }
    });
  });

  describe('POST /api/v1/im.open and im.close', () => {
    it('hides and shows the DM in the caller’s sidebar; closing a closed DM fails', async () => {
      const rid = (await create(server.alice, { username: 'erin' })).body.room._id;
      const close = await server.as(server.alice).post('/api/v1/im.close', { roomId: rid });
      expect(close.status, close.raw).toBe(200);
      expect((await subscriptionOf(server.alice, rid))?.open).toBe(false);

      const again = await server.as(server.alice).post<Failure>('/api/v1/dm.close', { roomId: rid });
      expect(again.status).toBe(400);
      expect(again.body.errorType).toBe('error-not-allowed');

      const open = await server.as(server.alice).post('/api/v1/dm.open', { username: 'erin' });
      expect(open.status, open.raw).toBe(200);
      expect((await subscriptionOf(server.alice, rid))?.open).toBe(true);
      // erin's side is untouched.
      expect((await subscriptionOf(erin, rid))?.open).toBe(false);
    });

    it('needs a roomId or username', async () => {
      const reply = await server.as(server.alice).post<Failure>('/api/v1/im.open', {});
      expect(reply.status).toBe(400);
      expect(reply.body.errorType).toBe('error-room-param-not-provided');
    });
  });

  describe('POST /api/v1/subscriptions.unread', () => {
    let rid: string;
    let first: string;
    let mine: string;
    beforeAll(async () => {
      rid = (await create(dave, { username: 'erin' })).body.room._id;
      first = await send(dave, rid, 'one');
      await send(dave, rid, 'two');
      mine = await send(erin, rid, 'three');
      await send(dave, rid, 'four');
      expect((await server.as(erin).post('/api/v1/subscriptions.read', { rid })).status).toBe(200);
    });

    it('marks the room unread from a message on', async () => {
      const reply = await server
        .as(erin)
        .post('/api/v1/subscriptions.unread', { firstUnreadMessage: { _id: first } });
      expect(reply.status, reply.raw).toBe(200);
      // one, two and four; erin's own "three" is not unread to her.
      expect(await subscriptionOf(erin, rid)).toMatchObject({ unread: 3, alert: true, open: true });
    });

    it('with roomId, marks the newest message unread', async () => {
      expect((await server.as(erin).post('/api/v1/subscriptions.read', { rid })).status).toBe(200);
      const reply = await server.as(erin).post('/api/v1/subscriptions.unread', { roomId: rid });
      expect(reply.status, reply.raw).toBe(200);
      expect(await subscriptionOf(erin, rid)).toMatchObject({ unread: 1, alert: true });
    });

    it('refuses one’s own message, and changes nothing', async () => {
      expect((await server.as(erin).post('/api/v1/subscriptions.read', { rid })).status).toBe(200);
      const reply = await server
        .as(erin)
        .post<Failure>('/api/v1/subscriptions.unread', { firstUnreadMessage: { _id: mine } });
      expect(reply.status).toBe(400);
      expect(reply.body.errorType).toBe('error-action-not-allowed');
      expect(await subscriptionOf(erin, rid)).toMatchObject({ unread: 0, alert: false });
    });

    it('hides rooms and messages the caller is not in', async () => {
      const byMessage = await server
        .as(server.bob)
        .post<Failure>('/api/v1/subscriptions.unread', { firstUnreadMessage: { _id: first } });
      expect(byMessage.status).toBe(400);
      expect(byMessage.body.errorType).toBe('error-message-not-found');
      const byRoom = await server
        .as(server.bob)
        .post<Failure>('/api/v1/subscriptions.unread', { roomId: rid });
      expect(byRoom.status).toBe(400);
      expect(byRoom.body.errorType).toBe('error-room-not-found');
    });

    it('refuses a room without messages and malformed bodies with 400', async () => {
      const empty = (await create(erin, { username: 'erin' })).body.room._id;
      const none = await server.as(erin).post<Failure>('/api/v1/subscriptions.unread', { roomId: empty });
      expect(none.status).toBe(400);
      expect(none.body.errorType).toBe('error-no-message-for-unread');
      for (const body of [{}, { roomId: '' }, { firstUnreadMessage: {} }, { firstUnreadMessage: 'x' }]) {
        const reply = await server.as(erin).post('/api/v1/subscriptions.unread', body);
        expect(reply.status, JSON.stringify(body)).toBe(400);
      }
    });
  });
});
