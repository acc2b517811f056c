import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Signal } from '../src/domain/events/events.js';
import type { Presence } from '../src/domain/presence/presence.js';
import type { Actor } from '../src/domain/shared/actor.js';
import type { DeviceId, UserId } from '../src/domain/shared/ids.js';
import { presenceMethods } from '../src/realtime/methods/presence-methods.js';
import type { MethodContext } from '../src/realtime/methods/method.js';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer } from '../src/testing/create-test-server.js';
import type { Client, Reply, Session, TestServer } from '../src/testing/create-test-server.js';

interface PresenceUserJson {
  _id: string;
  username: string;
  name: string;
  status: string;
  utcOffset: number;
  statusText?: string;
}
// Type aliases, not interfaces: `expectError` takes them as `Reply<Record<string, unknown>>`.
type StatusJson = { _id: string; status: string; message: string; connectionStatus?: string };
type PresenceJson = { presence: string; connectionStatus?: string; lastLogin?: string };
type ListJson = { users: PresenceUserJson[]; full: boolean };

function expectError(reply: Reply, status: number, errorType: string): void {
  expect(reply.status, reply.raw).toBe(status);
  expect(reply.body, reply.raw).toMatchObject({ success: false, errorType });
  expect(String(reply.body.error), reply.raw).toMatch(new RegExp(`\\[${errorType}\\]$`));
}

/**
 * The four routes of the real server. Connections are played straight into the server's own
 * presence (`connectionOpened` with made-up connection ids), so that no socket is needed; the
 * DDP side is `presence-realtime.test.ts`.
 */
await onEachBackend('presence over REST', (backend) => {
  let server: TestServer;
  let carol: Session, alice: Session, bob: Session;
  let presence: Presence;
  /** The `user-status` signals on the server's bus (snapshots and the rest are left out). */
  const signals: Signal[] = [];
  let unsubscribe: () => void = () => undefined;

  beforeAll(async () => {
    server = await createTestServer({
      backend,
      // No grace: a closed connection is offline at the next flush.
      env: { PARLEY_PRESENCE_OFFLINE_GRACE_MS: '0', PARLEY_PRESENCE_FLUSH_MS: '10' },
    });
    ({ carol, alice, bob } = server);
    presence = server.parley.presence;
    unsubscribe = server.parley.bus.subscribe({
      events: () => undefined,
      signal: (signal) => {
        if (signal.type === 'user-status') signals.push(signal);
      },
    });
  });
  afterAll(async () => {
    unsubscribe();
    await server.close();
  });

  const as = (session: Session | null): Client => (session ? server.as(session) : server.anonymous);
  const id = (session: Session) => session.userId as UserId;
  const setStatus = (by: Session, body: unknown) => as(by).post('/api/v1/users.setStatus', body);
  const getStatus = (by: Session, query: Record<string, string> = {}) =>
    as(by).get<StatusJson>('/api/v1/users.getStatus', query);
  const getPresence = (by: Session, query: Record<string, string> = {}) =>
    as(by).get<PresenceJson>('/api/v1/users.getPresence', query);
  const list = (by: Session, query: Record<string, string> = {}) =>
    as(by).get<ListJson>('/api/v1/users.presence', query);

  /** Puts a user back to offline, automatic, no message. */
  async function reset(...sessions: Session[]): Promise<void> {
    for (const session of sessions) {
      const reply = await setStatus(carol, { userId: session.userId, status: 'online', message: '' });
      expect(reply.status, reply.raw).toBe(200);
      await server.parley.store.users.update(id(session), { status: 'offline' }, Date.now());
    }
  }

  async function withPermission(permission: string, roles: string[], run: () => Promise<void>) {
    const before = server.parley.ctx.authz.permission(permission)?.roles ?? [];
    const set = async (to: string[]) =>
      expect(
        (
          await server
            .as(carol)
            .post('/api/v1/permissions.update', { permissions: [{ _id: permission, roles: to }] })
        ).status,
      ).toBe(200);
    await set(roles);
    await run().finally(() => set([...before]));
  }

  describe('POST /api/v1/users.setStatus', () => {
    it('sets the caller’s status and message, and announces them', async () => {
      signals.length = 0;
      const reply = await setStatus(alice, { status: 'busy', message: 'in a meeting' });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body).toEqual({ success: true });
      expect((await getStatus(alice)).body).toMatchObject({ status: 'busy', message: 'in a meeting' });
      expect(signals).toEqual([
        {
          type: 'user-status',
          statuses: [
            {
              userId: id(alice),
              username: 'alice',
              name: 'Alice',
              status: 'busy',
              statusText: 'in a meeting',
              roles: ['user'],
            },
          ],
        },
      ]);
      const me = await server.parley.store.users.byId(id(alice));
      expect(me?.statusDefault).toBe('busy');
      await reset(alice);
    });

    it('changes only the message when no status is given, trimmed and cut at 120 characters', async () => {
      await setStatus(alice, { status: 'away' });
      const reply = await setStatus(alice, { message: `  ${'x'.repeat(130)}  ` });
      expect(reply.status, reply.raw).toBe(200);
      expect((await getStatus(alice)).body).toMatchObject({ status: 'away', message: 'x'.repeat(120) });
      await reset(alice);
    });

    it('shows the chosen status while connected, over what the connections say', async () => {
      presence.connectionOpened(id(bob), 'conn-1');
      presence.connectionIdle(id(bob), 'conn-1', true);
      await presence.flush();
      expect((await getStatus(bob)).body).toMatchObject({ status: 'away', connectionStatus: 'away' });
      await setStatus(bob, { status: 'busy' });
      expect((await getStatus(bob)).body).toMatchObject({ status: 'busy', connectionStatus: 'away' });
      await setStatus(bob, { status: 'online' });
      expect((await getStatus(bob)).body.status).toBe('away');
      presence.connectionClosed(id(bob), 'conn-1');
      await presence.flush();
      expect((await getStatus(bob)).body).toMatchObject({ status: 'offline', connectionStatus: 'offline' });
    });

    it('lets a holder of edit-other-user-info set another user’s status, by userId or username', async () => {
      expect(
        (await setStatus(carol, { userId: bob.userId, status: 'busy', message: 'on call' })).status,
      ).toBe(200);
      expect((await getStatus(carol, { userId: bob.userId })).body).toMatchObject({
        status: 'busy',
        message: 'on call',
      });
      expect((await setStatus(carol, { username: 'bob', status: 'away' })).status).toBe(200);
      expect((await getStatus(carol, { username: 'bob' })).body.status).toBe('away');
      await reset(bob);
    });

    it('refuses to set another user’s status without edit-other-user-info with 403', async () => {
      expectError(await setStatus(alice, { userId: bob.userId, status: 'busy' }), 403, 'error-unauthorized');
      await withPermission('edit-other-user-info', [], async () => {
        expectError(await setStatus(carol, { username: 'bob', status: 'busy' }), 403, 'error-unauthorized');
      });
      expect((await getStatus(carol, { userId: bob.userId })).body.status).toBe('offline');
      // Naming oneself needs no permission.
      expect((await setStatus(alice, { username: 'ALICE', status: 'away' })).status).toBe(200);
      await reset(alice);
    });

    it('answers 400 error-invalid-user for a user that does not exist', async () => {
      expectError(await setStatus(carol, { userId: 'nobody', status: 'busy' }), 400, 'error-invalid-user');
    });

    it('refuses an unknown status with Rocket.Chat’s 400 error-invalid-status, and writes nothing', async () => {
      const reply = await setStatus(alice, { status: 'invalid', message: 'should not stick' });
      expectError(reply, 400, 'error-invalid-status');
      expect(reply.body.error).toBe(
        'Valid status types include online, away, offline, and busy. [error-invalid-status]',
      );
      expect((await getStatus(alice)).body.message).toBe('');
    });

    it('refuses a body with neither status nor message, or with the wrong types, with 400', async () => {
      expectError(await setStatus(alice, {}), 400, 'invalid-params');
      expectError(await setStatus(alice, { status: 1 }), 400, 'invalid-params');
      expectError(await setStatus(alice, { message: ['x'] }), 400, 'invalid-params');
      expectError(await setStatus(alice, { status: 'x'.repeat(33) }), 400, 'invalid-params');
    });

    it('refuses any change while Accounts_AllowUserStatusMessageChange is off, with 400 error-not-allowed', async () => {
      await server.setSetting('Accounts_AllowUserStatusMessageChange', false);
      try {
        const reply = await setStatus(alice, { status: 'busy', message: '' });
        expectError(reply, 400, 'error-not-allowed');
        expect(reply.body.error).toBe('Change status is not allowed [error-not-allowed]');
      } finally {
        await server.setSetting('Accounts_AllowUserStatusMessageChange', true);
      }
      expect((await getStatus(alice)).body.status).toBe('offline');
    });

    it('lets a user choose offline (invisible) unless Accounts_AllowInvisibleStatusOption is off, then 400 error-status-not-allowed', async () => {
      expect((await setStatus(alice, { status: 'offline' })).status).toBe(200);
      expect((await server.parley.store.users.byId(id(alice)))?.statusDefault).toBe('offline');
      await reset(alice);
      await server.setSetting('Accounts_AllowInvisibleStatusOption', false);
      try {
        const reply = await setStatus(alice, { status: 'offline', message: 'hiding' });
        expectError(reply, 400, 'error-status-not-allowed');
        expect(reply.body.error).toBe('Invisible status is disabled [error-status-not-allowed]');
        expectError(
          await setStatus(carol, { userId: bob.userId, status: 'offline' }),
          400,
          'error-status-not-allowed',
        );
        // The other statuses are still allowed.
        expect((await setStatus(alice, { status: 'away' })).status).toBe(200);
      } finally {
        await server.setSetting('Accounts_AllowInvisibleStatusOption', true);
      }
      expect((await getStatus(alice)).body).toMatchObject({ status: 'away', message: '' });
      expect((await server.parley.store.users.byId(id(alice)))?.statusDefault).toBe('away');
      await reset(alice);
    });

    it('needs a logged-in caller', async () => {
      const reply = await as(null).post('/api/v1/users.setStatus', { status: 'busy' });
      expect(reply.status).toBe(401);
    });
  });

  describe('GET /api/v1/users.getStatus', () => {
    it('answers the caller with connectionStatus, following their connections', async () => {
      const before = await getStatus(alice);
      expect(before.status, before.raw).toBe(200);
      expect(before.body).toEqual({
        _id: alice.userId,
        status: 'offline',
        message: '',
        connectionStatus: 'offline',
        success: true,
      });
      presence.connectionOpened(id(alice), 'conn-2');
      await presence.flush();
      expect((await getStatus(alice)).body).toMatchObject({ status: 'online', connectionStatus: 'online' });
      presence.connectionClosed(id(alice), 'conn-2');
      await presence.flush();
      expect((await getStatus(alice)).body).toMatchObject({ status: 'offline', connectionStatus: 'offline' });
    });

    it('answers about another user without connectionStatus', async () => {
      const reply = await getStatus(alice, { username: 'bob' });
      expect(reply.body).toEqual({ _id: bob.userId, status: 'offline', message: '', success: true });
    });

    it('answers 400 error-invalid-user for an unknown user, and 401 without a caller', async () => {
      expectError(await getStatus(alice, { userId: 'nobody' }), 400, 'error-invalid-user');
      expect((await as(null).get('/api/v1/users.getStatus')).status).toBe(401);
    });
  });

  describe('GET /api/v1/users.getPresence', () => {
    it('answers the caller with presence, connectionStatus and lastLogin', async () => {
      const reply = await getPresence(alice);
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body).toMatchObject({ presence: 'offline', connectionStatus: 'offline', success: true });
      expect(Date.parse(reply.body.lastLogin ?? '')).not.toBeNaN();
    });

    it('answers about another user with the presence only', async () => {
      await setStatus(carol, { userId: bob.userId, status: 'busy' });
      const reply = await getPresence(alice, { userId: bob.userId });
      expect(reply.body).toEqual({ presence: 'busy', success: true });
      await reset(bob);
    });

    it('answers 400 error-invalid-user for an unknown user', async () => {
      expectError(await getPresence(alice, { username: 'nobody' }), 400, 'error-invalid-user');
    });
  });

  describe('GET /api/v1/users.presence', () => {
    it('lists every user who is not offline, with Rocket.Chat’s fields, as full', async () => {
      presence.connectionOpened(id(alice), 'conn-3');
      await presence.flush();
      await setStatus(carol, { userId: bob.userId, status: 'busy', message: 'deep work' });
      const reply = await list(carol);
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.full).toBe(true);
      const byName = new Map(reply.body.users.map((u) => [u.username, u]));
      expect(byName.get('alice')).toEqual({
        _id: alice.userId,
        username: 'alice',
        name: 'Alice',
        status: 'online',
        utcOffset: 0,
      });
      expect(byName.get('bob')).toMatchObject({ status: 'busy', statusText: 'deep work' });
      expect(byName.has('carol')).toBe(false);
      presence.connectionClosed(id(alice), 'conn-3');
      await presence.flush();
      await reset(bob);
      expect((await list(carol)).body.users).toEqual([]);
    });

    it('with ids, answers only those of them not offline, as partial', async () => {
      presence.connectionOpened(id(alice), 'conn-4');
      await presence.flush();
      const reply = await list(bob, { ids: `${alice.userId}, ${carol.userId},nobody` });
      expect(reply.body.full).toBe(false);
      expect(reply.body.users.map((u) => u._id)).toEqual([alice.userId]);
      presence.connectionClosed(id(alice), 'conn-4');
      await presence.flush();
    });

    it('with a recent from, answers the other users whose status changed since, offline ones included', async () => {
      const from = new Date(Date.now() - 1).toISOString();
      presence.connectionOpened(id(alice), 'conn-5');
      presence.connectionOpened(id(carol), 'conn-6');
      await presence.flush();
      presence.connectionClosed(id(alice), 'conn-5');
      await presence.flush();
      const reply = await list(carol, { from });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.full).toBe(false);
      expect(reply.body.users.map((u) => [u.username, u.status])).toEqual([['alice', 'offline']]);
      expect((await list(carol, { from: new Date(Date.now() + 1000).toISOString() })).body.users).toEqual([]);
      presence.connectionClosed(id(carol), 'conn-6');
      await presence.flush();
    });

    it('answers a from older than ten minutes with the full list', async () => {
      const reply = await list(alice, { from: new Date(Date.now() - 11 * 60_000).toISOString() });
      expect(reply.body).toMatchObject({ full: true, users: [] });
    });

    it('refuses a from that is not a date, and too many ids, with 400 invalid-params', async () => {
      expectError(await list(alice, { from: 'yesterday-ish' }), 400, 'invalid-params');
      const ids = Array.from({ length: 1001 }, (_, i) => `u${i}`).join(',');
      expectError(await list(alice, { ids }), 400, 'invalid-params');
    });

    it('needs a logged-in caller', async () => {
      const reply = await as(null).get('/api/v1/users.presence');
      expect(reply.status).toBe(401);
      expect(reply.body).toHaveProperty('message');
    });
  });

  describe('DDP UserPresence:* methods', () => {
    const methods = () => presenceMethods(presence);
    const actorOf = (session: Session): Actor => ({
      userId: id(session),
      username: session.username,
      roles: ['user'],
      deviceId: 'device' as DeviceId,
      tokenHash: 'hash',
    });
    function context(actor: Actor | null, connectionId: string | null) {
      const marks: boolean[] = [];
      const ctx: MethodContext = {
        actor,
        connectionId,
        address: '127.0.0.1',
        loggedIn: () => Promise.resolve(),
        loggedOut: () => undefined,
        markIdle: (idle) => void marks.push(idle),
      };
      return { ctx, marks };
    }
    const run = (name: string, ctx: MethodContext, params: unknown[]) => {
      const method = methods()[name];
      if (!method) throw new Error(`no method ${name}`);
      return method.run(ctx, params);
    };

    it('UserPresence:setDefaultStatus sets the chosen status, shown once connected', async () => {
      const { ctx } = context(actorOf(bob), 'conn-7');
      await expect(run('UserPresence:setDefaultStatus', ctx, ['away'])).resolves.toBe(true);
      expect((await server.parley.store.users.byId(id(bob)))?.statusDefault).toBe('away');
      expect((await getStatus(bob)).body.status).toBe('offline');
      presence.connectionOpened(id(bob), 'conn-7');
      await presence.flush();
      expect((await getStatus(bob)).body.status).toBe('away');
      presence.connectionClosed(id(bob), 'conn-7');
      await presence.flush();
      await reset(bob);
    });

    it('UserPresence:setDefaultStatus refuses an unknown status, a missing one, and anonymous callers', async () => {
      const { ctx } = context(actorOf(bob), 'conn-8');
      await expect(run('UserPresence:setDefaultStatus', ctx, ['napping'])).rejects.toMatchObject({
        code: 'error-invalid-status',
      });
      await expect(run('UserPresence:setDefaultStatus', ctx, [])).rejects.toMatchObject({
        meteor: { error: 'error-invalid-params' },
      });
      await expect(
        run('UserPresence:setDefaultStatus', context(null, 'c').ctx, ['away']),
      ).rejects.toMatchObject({
        meteor: { error: 'error-not-allowed' },
      });
    });

    it('UserPresence:setDefaultStatus refuses offline while Accounts_AllowInvisibleStatusOption is off', async () => {
      const { ctx } = context(actorOf(bob), 'conn-11');
      await server.setSetting('Accounts_AllowInvisibleStatusOption', false);
      try {
        await expect(run('UserPresence:setDefaultStatus', ctx, ['offline'])).rejects.toMatchObject({
          code: 'error-status-not-allowed',
        });
      } finally {
        await server.setSetting('Accounts_AllowInvisibleStatusOption', true);
      }
      expect((await server.parley.store.users.byId(id(bob)))?.statusDefault).toBe('online');
      await expect(run('UserPresence:setDefaultStatus', ctx, ['offline'])).resolves.toBe(true);
      expect((await server.parley.store.users.byId(id(bob)))?.statusDefault).toBe('offline');
      await reset(bob);
    });

    it('UserPresence:away and UserPresence:online mark this connection idle and active', async () => {
      const { ctx, marks } = context(actorOf(alice), 'conn-9');
      await expect(run('UserPresence:away', ctx, [])).resolves.toBe(true);
      await expect(run('UserPresence:online', ctx, [])).resolves.toBe(true);
      expect(marks).toEqual([true, false]);
      // Over REST there is no connection: nothing to mark.
      await expect(run('UserPresence:away', context(actorOf(alice), null).ctx, [])).resolves.toBe(false);
    });
  });

  describe('as a user sees another through presence', () => {
    it('shows users.info the status presence wrote', async () => {
      presence.connectionOpened(id(alice), 'conn-10');
      await presence.flush();
      const info = await server
        .as(bob)
        .get<{ user: { status: string } }>('/api/v1/users.info', { username: 'alice' });
      expect(info.body.user.status).toBe('online');
      presence.connectionClosed(id(alice), 'conn-10');
      await presence.flush();
      const after = await server
        .as(bob)
        .get<{ user: { status: string } }>('/api/v1/users.info', { username: 'alice' });
      expect(after.body.user.status).toBe('offline');
    });
  });
});
