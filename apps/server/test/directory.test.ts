import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type Session, type TestServer } from '../src/testing/create-test-server.js';

interface Page<T> {
  result: T[];
  count: number;
  offset: number;
  total: number;
}
interface DirUser {
  _id: string;
  username: string;
  name: string;
  createdAt: string;
  emails?: { address: string }[];
}
interface DirRoom {
  _id: string;
  name: string;
  t: string;
}
interface Spotlight {
  users: { _id: string; username: string; name: string; status: string; statusText: string }[];
  rooms: DirRoom[];
}
interface Failure {
  error: string;
  errorType: string;
}

await onEachBackend('directory and spotlight', (backend) => {
  let server: TestServer;
  let li: Session;

  beforeAll(async () => {
    server = await createTestServer({ backend });
    const { alice, carol } = server;
    li = await server.makeUser('li', { name: '李小龙' });
    const gone = await server.makeUser('gone', { name: 'Gone Away' });
    await server
      .as(carol)
      .post('/api/v1/users.setActiveStatus', { userId: gone.userId, activeStatus: false });
    // Rocket.Chat lets an admin widen channel names to any letters, CJK included.
    await server.setSetting('UTF8_Channel_Names_Validation', '[\\p{L}\\p{N}_.-]+');
    for (const [kind, name] of [
      ['channels', 'design-team'],
      ['channels', 'Design-Ops'],
      ['channels', '设计团队'],
      ['groups', 'design-secrets'],
    ] as const) {
      const reply = await server.as(alice).post(`/api/v1/${kind}.create`, { name });
      if (reply.status !== 200) throw new Error(reply.raw);
    }
  });
  afterAll(() => server.close());

  const directory = (who: Session, query: unknown, extra: Record<string, string> = {}) =>
    server.as(who).get<Page<DirUser & DirRoom> & Failure>('/api/v1/directory', {
      query: typeof query === 'string' ? query : JSON.stringify(query),
      ...extra,
    });
  const setPermission = async (id: string, roles: string[]) => {
    const reply = await server
      .as(server.carol)
      .post('/api/v1/permissions.update', { permissions: [{ _id: id, roles }] });
    expect(reply.status, reply.raw).toBe(200);
  };
  const ALL_USERS = ['admin', 'owner', 'moderator', 'user', 'federated-external'];
  const VIEW_C_ROOM = ['admin', 'user', 'federated-external', 'bot', 'app', 'anonymous'];

  describe('GET /api/v1/directory (channels)', () => {
    it('finds public channels by a case-insensitive substring, and the caller’s private groups', async () => {
      const forBob = await directory(server.bob, { text: 'DESIGN', type: 'channels', workspace: 'local' });
      expect(forBob.status, forBob.raw).toBe(200);
      expect(forBob.body.result.map((r) => r.name).sort()).toEqual(['Design-Ops', 'design-team']);
      expect(forBob.body).toMatchObject({ count: 2, offset: 0, total: 2 });

      const forAlice = await directory(server.alice, { text: 'design', type: 'channels' });
      expect(forAlice.body.result.map((r) => r.name).sort()).toEqual([
        'Design-Ops',
        'design-secrets',
        'design-team',
      ]);
    });

    it('finds a channel named in Chinese', async () => {
      const reply = await directory(server.bob, { text: '设计', type: 'channels' });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.result.map((r) => r.name)).toEqual(['设计团队']);
    });

    it('sorts and pages', async () => {
      const reply = await directory(
        server.bob,
        { text: 'design', type: 'channels' },
        { sort: '{"name":-1}', count: '1', offset: '1' },
      );
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body).toMatchObject({ count: 1, offset: 1, total: 2 });
      expect(reply.body.result[0]?.name).toBe('Design-Ops');
    });

    it('refuses without view-c-room with 403', async () => {
      await setPermission('view-c-room', ['admin']);
      try {
        const reply = await directory(server.bob, { text: '', type: 'channels' });
        expect(reply.status).toBe(403);
        expect(reply.body.errorType).toBe('error-unauthorized');
      } finally {
        await setPermission('view-c-room', VIEW_C_ROOM);
      }
    });

    it('finds no teams (Parley has none)', async () => {
      const reply = await directory(server.bob, { text: '', type: 'teams' });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body).toMatchObject({ result: [], total: 0 });
    });
  });

  describe('GET /api/v1/directory (users)', () => {
    it('finds active users by username or name, never the caller, emails hidden', async () => {
      const reply = await directory(server.bob, { text: 'a', type: 'users' }, { sort: '{"username":1}' });
      expect(reply.status, reply.raw).toBe(200);
      const names = reply.body.result.map((u) => u.username);
      expect(names).toEqual(['alice', 'carol']);
      expect(reply.body.result[0]).toEqual({
        _id: server.alice.userId,
        username: 'alice',
        name: 'Alice',
        createdAt: expect.any(String) as string,
      });
    });

    it('finds a user by a Chinese name', async () => {
      const reply = await directory(server.bob, { text: '小龙', type: 'users' });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.result.map((u) => u._id)).toEqual([li.userId]);
      expect(reply.body.result[0]?.name).toBe('李小龙');
    });

    it('does not search emails, and leaves out deactivated users', async () => {
      expect((await directory(server.bob, { text: 'example.test', type: 'users' })).body.total).toBe(0);
      expect((await directory(server.bob, { text: 'gone', type: 'users' })).body.total).toBe(0);
    });

    it('shows emails to holders of view-full-other-user-info', async () => {
      const reply = await directory(server.carol, { text: 'alice', type: 'users' });
      expect(reply.body.result[0]?.emails).toEqual([{ address: 'alice@example.test', verified: true }]);
    });

    it('refuses without view-outside-room with 403', async () => {
      await setPermission('view-outside-room', ['admin']);
      try {
        const reply = await directory(server.bob, { text: 'a', type: 'users' });
        expect(reply.status).toBe(403);
        expect(reply.body.errorType).toBe('error-unauthorized');
      } finally {
        await setPermission('view-outside-room', ALL_USERS);
      }
    });
  });

  describe('GET /api/v1/directory: bad input', () => {
    it('answers 400 for malformed queries and sorts', async () => {
      const cases: [unknown, Record<string, string>, string][] = [
        ['{not json', {}, 'invalid-params'],
        ['[1]', {}, 'invalid-params'],
        [{ text: 'a' }, {}, 'invalid-params'],
        [{ text: 'a', type: 'rooms' }, {}, 'invalid-params'],
        [{ text: 42, type: 'users' }, {}, 'invalid-params'],
        [{ text: 'a', type: 'users', workspace: 'mars' }, {}, 'invalid-params'],
        [{ text: 'x'.repeat(300), type: 'users' }, {}, 'invalid-params'],
        [{ text: 'a\u0000', type: 'users' }, {}, 'invalid-params'],
        [{ text: 'a', type: 'users' }, { sort: '{"email":1}' }, 'error-invalid-sort'],
        [{ text: 'a', type: 'channels' }, { sort: '{"name":1,"ts":1}' }, 'error-invalid-sort'],
        [{ text: 'a', type: 'channels' }, { sort: '{"name":2}' }, 'error-invalid-sort'],
        [{ text: 'a', type: 'channels' }, { count: '-5' }, 'invalid-params'],
        ['x'.repeat(3000), {}, 'invalid-params'],
      ];
      for (const [query, extra, code] of cases) {
        const reply = await directory(server.bob, query, extra);
        const label = `${JSON.stringify(query).slice(0, 60)} ${JSON.stringify(extra)}`;
        expect(reply.status, label).toBe(400);
        expect(reply.body.errorType, label).toBe(code);
      }
    });

    it('needs a login', async () => {
      const reply = await server.anonymous.get('/api/v1/directory', {
        query: JSON.stringify({ text: '', type: 'users' }),
      });
      expect(reply.status).toBe(401);
    });
  });

  describe('GET /api/v1/spotlight', () => {
    const spotlight = (who: Session, query: string) =>
      server.as(who).get<Spotlight & Failure>('/api/v1/spotlight', { query });

    it('searches users with @, rooms with #, and both with plain text', async () => {
      const users = await spotlight(server.bob, '@ali');
      expect(users.status, users.raw).toBe(200);
      expect(users.body.users.map((u) => u.username)).toEqual(['alice']);
      expect(users.body.users[0]).toEqual({
        _id: server.alice.userId,
        username: 'alice',
        name: 'Alice',
        status: expect.any(String) as string,
        statusText: expect.any(String) as string,
      });
      expect(users.body.rooms).toEqual([]);

      const rooms = await spotlight(server.bob, '#design-t');
      expect(rooms.body.users).toEqual([]);
      expect(rooms.body.rooms.map((r) => r.name)).toEqual(['design-team']);

      const both = await spotlight(server.alice, 'ali');
      expect(both.body.users.map((u) => u.username)).toEqual(['alice']);
    });

    it('shows private groups only to their members, and CJK names', async () => {
      expect((await spotlight(server.bob, '#secrets')).body.rooms).toEqual([]);
      expect((await spotlight(server.alice, '#secrets')).body.rooms.map((r) => r.name)).toEqual([
        'design-secrets',
      ]);
      expect((await spotlight(server.bob, '设计')).body.rooms.map((r) => r.name)).toEqual(['设计团队']);
      expect((await spotlight(server.bob, '@小龙')).body.users.map((u) => u.username)).toEqual(['li']);
    });

    it('returns at most 10 of each', async () => {
      for (let i = 0; i < 11; i++) {
        const reply = await server.as(server.bob).post('/api/v1/channels.create', { name: `bulk-${i}` });
        expect(reply.status, reply.raw).toBe(200);
      }
      expect((await spotlight(server.alice, '#bulk')).body.rooms).toHaveLength(10);
    });

    it('finds no users without view-outside-room, and no foreign channels without view-c-room', async () => {
      await setPermission('view-outside-room', ['admin']);
      await setPermission('view-c-room', ['admin']);
      try {
        const reply = await spotlight(server.bob, 'design');
        expect(reply.status, reply.raw).toBe(200);
        expect(reply.body.users).toEqual([]);
        expect(reply.body.rooms).toEqual([]);
      } finally {
        await setPermission('view-outside-room', ALL_USERS);
        await setPermission('view-c-room', VIEW_C_ROOM);
      }
    });

    it('answers 400 for a missing, overlong or control-character query', async () => {
      const missing = await server.as(server.bob).get<Failure>('/api/v1/spotlight');
      expect(missing.status).toBe(400);
      for (const query of ['x'.repeat(300), 'a\u0001b']) {
        const reply = await spotlight(server.bob, query);
        expect(reply.status, query.slice(0, 20)).toBe(400);
        expect(reply.body.errorType).toBe('invalid-params');
      }
    });
  });
});
