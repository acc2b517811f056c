import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, PASSWORD } from '../src/testing/create-test-server.js';
import type { Reply, Session, TestServer } from '../src/testing/create-test-server.js';

interface UserJson {
  _id: string;
  username: string;
  name: string;
  active: boolean;
  roles: string[];
  nickname: string;
  createdAt: string;
  emails?: { address: string; verified: boolean }[];
}
type UserReply = Reply<{ success: boolean; user: UserJson }>;
type ListReply = Reply<{ users: UserJson[]; count: number; offset: number; total: number }>;
type Preferences = Record<string, unknown>;
type Cases = [errorType: string, inputs: Record<string, unknown>[]][];

const MIN_LENGTH = 'error-password-policy-not-met-minLength';
const LAST_ADMIN = 'error-action-not-allowed';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Rocket.Chat's error envelope: `{ success: false, errorType, error: '<reason> [<errorType>]' }`. */
function expectError(reply: Reply, status: number, errorType: string, input?: unknown): void {
  const context = `${input === undefined ? '' : `${JSON.stringify(input)} → `}${reply.raw}`;
  expect(reply.status, context).toBe(status);
  expect(reply.body, context).toMatchObject({ success: false, errorType });
  expect(String(reply.body.error), context).toMatch(new RegExp(`\\[${errorType}\\]$`));
}
const expectForbidden = (reply: Reply) => expectError(reply, 403, 'error-unauthorized');
function expectNotLoggedIn(reply: Reply): void {
  expect(reply.status, reply.raw).toBe(401);
  expect(reply.body).toMatchObject({ success: false, status: 'error' });
}

await onEachBackend('users', (backend) => {
  let server: TestServer;
  let carol: Session, alice: Session, bob: Session;
  beforeAll(async () => {
    server = await createTestServer({ backend });
    ({ carol, alice, bob } = server);
  });
  afterAll(() => server.close());

  /** `users.info` as carol the admin, who may see everything. */
  const lookUp = (query: Record<string, string>): Promise<UserReply> =>
    server.as(carol).get('/api/v1/users.info', query);
  const exists = async (username: string) => (await lookUp({ username })).status === 200;
  const canLogIn = async (user: string, password = PASSWORD) =>
    (await server.anonymous.post('/api/v1/login', { user, password })).status === 200;
  const isSignedIn = async (session: Session) => (await server.as(session).get('/api/v1/me')).status === 200;
  /** A second session of the same user, as from another device. */
  const logInAgain = async (session: Session): Promise<Session> => {
    const body = { user: session.username, password: PASSWORD };
    const reply = await server.anonymous.post<{ data: { authToken: string } }>('/api/v1/login', body);
    return { ...session, authToken: reply.body.data.authToken };
  };
  const create = (as: Session, username: unknown, extra: object = {}): Promise<UserReply> => {
    const email = `${String(username)}@example.test`;
    const body = { username, name: 'Someone', email, password: PASSWORD, ...extra };
    return server.as(as).post('/api/v1/users.create', body);
  };

  /** Sets the roles of each named permission for the length of `run`, then puts them back. */
  async function withPermissions(changes: Record<string, string[]>, run: () => Promise<void>): Promise<void> {
    type Permission = { _id: string; roles: string[] };
    const all = await server.as(carol).get<{ update: Permission[] }>('/api/v1/permissions.listAll');
    const before = all.body.update.filter((p) => p._id in changes).map(({ _id, roles }) => ({ _id, roles }));
    const set = async (permissions: Permission[]) =>
      expect((await server.as(carol).post('/api/v1/permissions.update', { permissions })).status).toBe(200);
    await set(Object.entries(changes).map(([_id, roles]) => ({ _id, roles })));
    await run().finally(() => set(before));
  }

  /** Sets a setting for the length of `run`, then sets it to `restore`. */
  async function withSetting(id: string, value: unknown, restore: unknown, run: () => Promise<void>) {
    await server.setSetting(id, value);
    await run().finally(() => server.setSetting(id, restore));
  }

  describe('POST /api/v1/users.create', () => {
    it('creates an account that can log in, and answers with the full user', async () => {
      const name = 'Dora Zoë 李 🐉';
      const reply = await create(carol, 'dora', { name, verified: true, requirePasswordChange: true });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.success).toBe(true);
      expect(reply.body.user).toMatchObject({ username: 'dora', name, active: true, roles: ['user'] });
      expect(reply.body.user).toMatchObject({ type: 'user', requirePasswordChange: true });
      expect(reply.body.user.emails).toEqual([{ address: 'dora@example.test', verified: true }]);
      expect(Date.parse(reply.body.user.createdAt)).not.toBeNaN();
      expect(reply.raw).not.toMatch(/password(Hash)?"/i);
      expect((await lookUp({ username: 'dora' })).body.user).toEqual(reply.body.user);
      expect(await canLogIn('dora')).toBe(true);
    });

    it('counts password length in characters, not UTF-16 units, against the minimum of 8', async () => {
      for (const password of ['short', '😀'.repeat(7)]) {
        expectError(await create(carol, 'emil', { password }), 400, MIN_LENGTH, password);
      }
      expect(await exists('emil')).toBe(false);
      expect((await create(carol, 'emil', { password: '😀'.repeat(8) })).status).toBe(200);
      expect(await canLogIn('emil', '😀'.repeat(8))).toBe(true);
    });

    it('needs create-user, and assign-roles too for any role but user', async () => {
      expectForbidden(await create(alice, 'gus'));
      expectNotLoggedIn(await server.anonymous.post('/api/v1/users.create', { username: 'gus' }));
      await withPermissions({ 'create-user': ['admin', 'user'] }, async () => {
        expectForbidden(await create(alice, 'gus', { roles: ['user', 'bot'] }));
        expect(await exists('gus')).toBe(false);
        const plain = await create(alice, 'gus', { roles: ['user'] });
        expect(plain.status, plain.raw).toBe(200);
        expect(plain.body.user.roles).toEqual(['user']);
      });
      const byAdmin = await create(carol, 'gwen', { roles: ['user', 'bot'] });
      expect(byAdmin.status, byAdmin.raw).toBe(200);
      expect([...byAdmin.body.user.roles].sort()).toEqual(['bot', 'user']);
    });

    it('does not let assign-roles alone create an administrator: that needs assign-admin-role', async () => {
      const roles = ['admin', 'user'];
      await withPermissions({ 'create-user': roles, 'assign-roles': roles }, async () => {
        const reply = await create(alice, 'hal', { roles: ['user', 'admin'] });
        try {
          expectForbidden(reply);
          expect(await exists('hal')).toBe(false);
        } finally {
          await server.as(carol).post('/api/v1/users.delete', { username: 'hal' });
        }
      });
    });

    it('refuses a username or email already taken, whatever its case, with error-field-unavailable', async () => {
      const byName = await create(carol, 'ALICE', { email: 'alice2@example.test' });
      expectError(byName, 400, 'error-field-unavailable');
      expect(byName.body).toMatchObject({ details: { field: 'Username' } });
      const byEmail = await create(carol, 'alice2', { email: 'Alice@EXAMPLE.test' });
      expectError(byEmail, 400, 'error-field-unavailable');
      expect(byEmail.body).toMatchObject({ details: { field: 'Email' } });
      expect(await exists('alice2')).toBe(false);
    });

    it('refuses invalid, blocked, unicode and too-long usernames with 400', async () => {
      const cases: [string, unknown[]][] = [
        ['error-invalid-username', ['   ', 'bad name', 'ünïcødé', 'a/b']],
        ['error-blocked-username', ['administrator', 'System', 'user']],
        ['invalid-params', ['x'.repeat(65), '', 42, null]],
      ];
      for (const [errorType, usernames] of cases) {
        for (const username of usernames) {
          expectError(await create(carol, username, { name: 'Nobody' }), 400, errorType, username);
        }
      }
      const list: ListReply = await server.as(carol).get('/api/v1/users.list', { count: '0' });
      expect(list.body.users.map((u) => u.name)).not.toContain('Nobody');
    });

    it('refuses unknown roles, bad names, emails and passwords, and wrong types with 400', async () => {
      const cases: Cases = [
        ['error-invalid-roleId', [{ roles: ['no-such-role'] }, { roles: ['user', 'Admin'] }]],
        ['error-invalid-name', [{ name: 'bell\u0007' }, { name: '  ' }]],
        ['error-invalid-email', [{ email: 'not-an-email' }, { email: 'two@@example.test' }]],
        ['invalid-params', [{ name: '' }, { email: undefined }, { password: undefined }, { active: 'yes' }]],
        ['invalid-params', [{ password: 'p'.repeat(1025) }, { roles: 'admin' }, { roles: [''] }]],
      ];
      for (const [errorType, changes] of cases) {
        for (const change of changes)
          expectError(await create(carol, 'ivan', change), 400, errorType, change);
      }
      expectError(await server.as(carol).post('/api/v1/users.create', {}), 400, 'invalid-params');
      expect(await exists('ivan')).toBe(false);
    });
  });

  describe('POST /api/v1/users.register', () => {
    const signUp = (username: string, extra: object = {}): Promise<UserReply> => {
      const body = { username, email: `${username}@example.test`, pass: PASSWORD, name: 'New Person' };
      return server.anonymous.post('/api/v1/users.register', { ...body, ...extra });
    };
    const secretMode = (run: () => Promise<void>) =>
      withSetting('Accounts_RegistrationForm', 'Secret URL', 'Disabled', async () => {
        await server.setSetting('Accounts_RegistrationForm_SecretURL', 's3cret-hash');
        await run();
      });

    it("is refused while registration is disabled, as by default, with Rocket.Chat's error code", async () => {
      expectError(await signUp('jade'), 400, 'error-user-registration-disabled');
      expect(await exists('jade')).toBe(false);
    });

    it('signs anyone up with the user role when the form is Public', async () => {
      await withSetting('Accounts_RegistrationForm', 'Public', 'Disabled', async () => {
        const reply = await signUp('jade');
        expect(reply.status, reply.raw).toBe(200);
        const expected = { username: 'jade', name: 'New Person', roles: ['user'], active: true };
        expect(reply.body.user).toMatchObject(expected);
        expect(reply.body.user.emails).toEqual([{ address: 'jade@example.test', verified: false }]);
        expect(await canLogIn('jade')).toBe(true);
      });
    });

    it('in Secret URL mode signs up only callers who know the secret', async () => {
      await secretMode(async () => {
        for (const secret of [{}, { secretURL: 'wrong' }, { secretURL: '' }]) {
          expectError(await signUp('kai', secret), 400, 'error-user-registration-secret', secret);
        }
        expect(await exists('kai')).toBe(false);
        expect((await signUp('kai', { secretURL: 's3cret-hash' })).status).toBe(200);
        expect(await canLogIn('kai')).toBe(true);
      });
    });

    it("accepts the secret under Rocket.Chat's own body field, `secret`", async () => {
      await secretMode(async () => {
        const reply = await signUp('kira', { secret: 's3cret-hash' });
        expect(reply.status, reply.raw).toBe(200);
        expect(await exists('kira')).toBe(true);
      });
    });

    it('validates the new account like users.create', async () => {
      await withSetting('Accounts_RegistrationForm', 'Public', 'Disabled', async () => {
        expectError(await signUp('BOB'), 400, 'error-field-unavailable');
        expectError(await signUp('leo', { email: 'BOB@example.test' }), 400, 'error-field-unavailable');
        expectError(await signUp('leo', { pass: 'short' }), 400, MIN_LENGTH);
        expectError(await signUp('system'), 400, 'error-blocked-username');
        expectError(await signUp('léo'), 400, 'error-invalid-username');
        expectError(await signUp('leo', { email: undefined }), 400, 'invalid-params');
        expectError(await signUp('leo', { pass: 12345678 }), 400, 'invalid-params');
        expect(await exists('leo')).toBe(false);
      });
    });
  });

  describe('GET /api/v1/users.info', () => {
    it('finds a user by userId or by username, showing emails only to themself and to admins', async () => {
      const byId: UserReply = await server.as(alice).get('/api/v1/users.info', { userId: bob.userId });
      expect(byId.status, byId.raw).toBe(200);
      expect(byId.body.user).toMatchObject({ _id: bob.userId, username: 'bob', name: 'Bob', active: true });
      expect((await server.as(alice).get('/api/v1/users.info', { username: 'bob' })).body).toEqual(byId.body);
      const own: UserReply = await server.as(alice).get('/api/v1/users.info', { username: 'alice' });
      expect(own.body.user.emails).toEqual([{ address: 'alice@example.test', verified: true }]);
      expect(byId.body.user).not.toHaveProperty('emails');
      expect(byId.body.user).not.toHaveProperty('requirePasswordChange');
      const byAdmin = (await lookUp({ username: 'bob' })).body.user;
      expect(byAdmin.emails).toEqual([{ address: 'bob@example.test', verified: true }]);
    });

    it('answers 400 for an unknown user or a missing key, and 401 when not logged in', async () => {
      expectError(await lookUp({ userId: 'no-such-id' }), 400, 'error-invalid-user');
      expectError(await lookUp({ username: 'ghöst' }), 400, 'error-invalid-user');
      expectError(await lookUp({}), 400, 'error-user-param-not-provided');
      expectError(await lookUp({ username: 'x'.repeat(65) }), 400, 'invalid-params');
      expectNotLoggedIn(await server.anonymous.get('/api/v1/users.info', { username: 'bob' }));
    });
  });

  describe('GET /api/v1/users.list', () => {
    const list = (as: Session, query: Record<string, string>): Promise<ListReply> =>
      server.as(as).get('/api/v1/users.list', query);

    it('pages through users by username, ascending or with sort={"username":-1}, with count, offset and total', async () => {
      const all = await list(carol, { count: '0' });
      expect(all.status, all.raw).toBe(200);
      const names = all.body.users.map((u) => u.username);
      expect(all.body).toMatchObject({ count: names.length, offset: 0, total: names.length });
      expect(names).toEqual(expect.arrayContaining(['alice', 'bob', 'carol']));
      expect(names).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
      const first = await list(carol, { count: '2', offset: '0' });
      expect(first.body).toMatchObject({ count: 2, offset: 0, total: names.length });
      expect(first.body.users.map((u) => u.username)).toEqual(names.slice(0, 2));
      const last = await list(carol, { count: '2', offset: String(names.length - 1) });
      expect(last.body).toMatchObject({ count: 1, offset: names.length - 1, total: names.length });
      expect(last.body.users.map((u) => u.username)).toEqual(names.slice(-1));
      const descending = await list(carol, { count: '0', sort: '{"username":-1}' });
      expect(descending.body.users.map((u) => u.username)).toEqual([...names].reverse());
    });

    it('hides emails from ordinary users and shows them to admins', async () => {
      const seen = await list(alice, { count: '0' });
      expect(seen.status, seen.raw).toBe(200);
      expect(seen.body.users.length).toBeGreaterThan(3);
      for (const user of seen.body.users) expect(user).not.toHaveProperty('emails');
      const bobByAdmin = (await list(carol, { count: '0' })).body.users.find((u) => u.username === 'bob');
      expect(bobByAdmin?.emails).toEqual([{ address: 'bob@example.test', verified: true }]);
    });

    it('refuses a bad sort with error-invalid-sort, and bad paging with invalid-params', async () => {
      const pagings: Record<string, string>[] = [{ count: '-1' }, { count: 'ten' }, { offset: '-5' }];
      for (const paging of pagings) {
        expectError(await list(carol, paging), 400, 'invalid-params', paging);
      }
      const sorts = ['nope', '[]', '{"passwordHash":1}', '{"username":2}', '{"username":1,"name":1}'];
      for (const sort of [...sorts, '{"__proto__":1}', '{"toString":1}']) {
        expectError(await list(carol, { sort }), 400, 'error-invalid-sort', sort);
      }
    });

    it('refuses users without view-d-room with 403, and anonymous callers with 401', async () => {
      await withPermissions({ 'view-d-room': ['admin'] }, async () => {
        expectForbidden(await list(alice, {}));
      });
      expectNotLoggedIn(await server.anonymous.get('/api/v1/users.list'));
    });

    it('never returns more than API_Upper_Count_Limit users in one page', async () => {
      await withSetting('API_Upper_Count_Limit', 2, 100, async () => {
        for (const count of ['3', '99999', '100000']) {
          const reply = await list(carol, { count });
          expect(reply.body.users.length, `count=${count}`).toBe(2);
          expect(reply.body.count).toBe(2);
        }
      });
    });
  });

  describe('POST /api/v1/users.update', () => {
    const update = (as: Session, userId: string, data: Record<string, unknown>): Promise<UserReply> =>
      server.as(as).post('/api/v1/users.update', { userId, data });

    it('lets an admin edit the profile, and answers with the saved user', async () => {
      const ivy = await server.makeUser('ivy');
      const kept = { name: 'Ivy 🌿', username: 'ivy.green', bio: 'b' };
      const reply = await update(carol, ivy.userId, { ...kept, nickname: ' Ives ', statusText: ' out ' });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.user).toMatchObject({ ...kept, nickname: 'Ives', statusText: 'out' });
      const email = await update(carol, ivy.userId, { email: 'ivy@new.test' });
      expect(email.body.user.emails).toEqual([{ address: 'ivy@new.test', verified: false }]);
      expect((await lookUp({ userId: ivy.userId })).body.user).toEqual(email.body.user);
      expectError(await lookUp({ username: 'ivy' }), 400, 'error-invalid-user');
      expect(await canLogIn('ivy.green')).toBe(true);
    });

    it('sets a new password and ends every session of that user', async () => {
      const jack = await server.makeUser('jack');
      expect((await update(carol, jack.userId, { password: 'brand new secret' })).status).toBe(200);
      expect(await isSignedIn(jack)).toBe(false);
      expect(await canLogIn('jack')).toBe(false);
      expect(await canLogIn('jack', 'brand new secret')).toBe(true);
    });

    it('needs edit-other-user-info, plus a permission of its own for password, active state and roles', async () => {
      expectForbidden(await update(alice, bob.userId, { name: 'Bobby' }));
      const anonymous = await server.anonymous.post('/api/v1/users.update', { userId: bob.userId, data: {} });
      expectNotLoggedIn(anonymous);
      await withPermissions({ 'edit-other-user-info': ['admin', 'user'] }, async () => {
        const changes = [{ password: 'new secret' }, { active: false }, { roles: ['bot'] }, { active: true }];
        for (const data of changes) {
          expectForbidden(await update(alice, bob.userId, { name: 'Bobby', ...data }));
        }
        const unchanged = { name: 'Bob', active: true, roles: ['user'] };
        expect((await lookUp({ userId: bob.userId })).body.user).toMatchObject(unchanged);
        expect(await isSignedIn(bob)).toBe(true);
        const allowed = await update(alice, bob.userId, { nickname: 'bobcat' });
        expect(allowed.status, allowed.raw).toBe(200);
        expect(allowed.body.user.nickname).toBe('bobcat');
      });
    });

    it('does not let assign-roles alone make anyone an administrator: that needs assign-admin-role', async () => {
      const mole = await server.makeUser('mole');
      const roles = ['admin', 'user'];
      await withPermissions({ 'edit-other-user-info': roles, 'assign-roles': roles }, async () => {
        const reply = await update(mole, mole.userId, { roles: ['user', 'admin'] });
        try {
          expectForbidden(reply);
          expect((await lookUp({ userId: mole.userId })).body.user.roles).toEqual(['user']);
        } finally {
          await update(carol, mole.userId, { roles: ['user'] });
        }
      });
    });

    it('refuses bad input with 400 and leaves the user as it was', async () => {
      const kim = await server.makeUser('kim');
      const before = (await lookUp({ userId: kim.userId })).body.user;
      const cases: Cases = [
        ['error-field-unavailable', [{ username: 'BOB' }, { email: 'Bob@Example.test' }]],
        ['error-invalid-username', [{ username: 'bad name' }, { username: 'ünï' }]],
        ['error-blocked-username', [{ username: 'administrator' }]],
        ['error-invalid-email', [{ email: 'kim-at-nowhere' }]],
        ['error-invalid-name', [{ name: 'kim\u0000' }]],
        [MIN_LENGTH, [{ password: 'short' }]],
        ['error-invalid-roleId', [{ name: 'Changed', roles: ['no-such-role'] }]],
        ['invalid-params', [{ name: 42 }, { bio: 'x'.repeat(261) }, { roles: 'admin' }, { active: 'false' }]],
      ];
      for (const [errorType, changes] of cases) {
        for (const data of changes) expectError(await update(carol, kim.userId, data), 400, errorType, data);
      }
      expectError(await update(carol, 'no-such-id', { name: 'X' }), 400, 'error-invalid-user');
      for (const body of [{ userId: kim.userId }, { userId: '', data: {} }, { data: {} }]) {
        expectError(await server.as(carol).post('/api/v1/users.update', body), 400, 'invalid-params', body);
      }
      expect((await lookUp({ userId: kim.userId })).body.user).toEqual(before);
      expect(await isSignedIn(kim)).toBe(true);
    });

    it('will not demote or deactivate the last active admin, but will demote one of two', async () => {
      for (const data of [{ roles: ['user'] }, { active: false }]) {
        expectError(await update(carol, carol.userId, data), 400, LAST_ADMIN, data);
      }
      const stillAdmin = (await lookUp({ username: 'carol' })).body.user;
      expect(stillAdmin.active).toBe(true);
      expect(stillAdmin.roles).toContain('admin');
      expect(await isSignedIn(carol)).toBe(true);
      const lena = await server.makeUser('lena', { roles: ['admin', 'user'] });
      const demoted = await update(carol, lena.userId, { roles: ['user'] });
      expect(demoted.status, demoted.raw).toBe(200);
      expect(demoted.body.user.roles).toEqual(['user']);
    });
  });

  describe('POST /api/v1/users.delete', () => {
    const remove = (as: Session, body: Record<string, unknown>) =>
      server.as(as).post('/api/v1/users.delete', body);

    it('deletes a user by userId or by username; their sessions end and the name is free again', async () => {
      const mona = await server.makeUser('mona');
      const nico = await server.makeUser('nico');
      const reply = await remove(carol, { userId: mona.userId });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body).toEqual({ success: true });
      expect((await remove(carol, { username: 'nico' })).status).toBe(200);
      for (const gone of [mona, nico]) {
        expect(await isSignedIn(gone)).toBe(false);
        expectError(await lookUp({ userId: gone.userId }), 400, 'error-invalid-user');
      }
      expect(await canLogIn('mona')).toBe(false);
      expect((await server.makeUser('mona')).userId).not.toBe(mona.userId);
    });

    it('needs delete-user, protects the last admin, and refuses unknown users and malformed keys', async () => {
      expectForbidden(await remove(alice, { userId: bob.userId }));
      expectNotLoggedIn(await server.anonymous.post('/api/v1/users.delete', { username: 'bob' }));
      expect(await isSignedIn(bob)).toBe(true);
      expectError(await remove(carol, { userId: carol.userId }), 400, LAST_ADMIN);
      expect(await isSignedIn(carol)).toBe(true);
      expectError(await remove(carol, { userId: 'no-such-id' }), 400, 'error-invalid-user');
      expectError(await remove(carol, { username: 'nöbody' }), 400, 'error-invalid-user');
      expectError(await remove(carol, {}), 400, 'error-user-param-not-provided');
      expectError(await remove(carol, { userId: 7 }), 400, 'invalid-params');
    });
  });

  describe('POST /api/v1/users.setActiveStatus', () => {
    const setActive = (as: Session, userId: string, activeStatus: unknown) =>
      server.as(as).post('/api/v1/users.setActiveStatus', { userId, activeStatus });

    it('deactivates a user, ending every session and personal access token; reactivated, they can log in', async () => {
      const olga = await server.makeUser('olga');
      const pat = await server
        .as(olga)
        .post<{ token: string }>('/api/v1/users.generatePersonalAccessToken', { tokenName: 'ci' });
      expect(pat.status, pat.raw).toBe(200);
      const script: Session = { ...olga, authToken: pat.body.token };
      expect(await isSignedIn(script)).toBe(true);
      const off = await setActive(carol, olga.userId, false);
      expect(off.status, off.raw).toBe(200);
      expect(off.body).toEqual({ success: true, user: { _id: olga.userId, active: false } });
      expect((await lookUp({ userId: olga.userId })).body.user.active).toBe(false);
      expect(await isSignedIn(olga)).toBe(false);
      expect(await isSignedIn(script)).toBe(false);
      expect(await canLogIn('olga')).toBe(false);
      const on = await setActive(carol, olga.userId, true);
      expect(on.body).toEqual({ success: true, user: { _id: olga.userId, active: true } });
      expect(await canLogIn('olga')).toBe(true);
      expect(await isSignedIn(olga)).toBe(false);
      expect(await isSignedIn(script)).toBe(false);
    });

    it('needs edit-other-user-active-status, protects the last admin, and refuses bad input', async () => {
      expectForbidden(await setActive(alice, bob.userId, false));
      expectNotLoggedIn(await server.anonymous.post('/api/v1/users.setActiveStatus', { userId: 'x' }));
      expectError(await setActive(carol, carol.userId, false), 400, LAST_ADMIN);
      expect(await isSignedIn(carol)).toBe(true);
      expectError(await setActive(carol, 'no-such-id', false), 400, 'error-invalid-user');
      expectError(await setActive(carol, bob.userId, 'false'), 400, 'invalid-params');
      expectError(await setActive(carol, bob.userId, undefined), 400, 'invalid-params');
      expect(await isSignedIn(bob)).toBe(true);
    });
  });

  describe('POST /api/v1/users.updateOwnBasicInfo', () => {
    const updateOwn = (as: Session, data: Record<string, unknown>): Promise<UserReply> =>
      server.as(as).post('/api/v1/users.updateOwnBasicInfo', { data });

    it('saves name, username, nickname, bio and status text without asking for the password', async () => {
      const pia = await server.makeUser('pia');
      const kept = { name: 'Pía 🌸', username: 'pia.new', bio: '😀'.repeat(260), statusText: 'away' };
      const reply = await updateOwn(pia, { ...kept, nickname: ' Pi ' });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.user).toMatchObject({ ...kept, nickname: 'Pi', _id: pia.userId });
      expect((await lookUp({ userId: pia.userId })).body.user).toEqual(reply.body.user);
      expect(await isSignedIn(pia)).toBe(true);
    });

    it('changes the email only with the current password, plain or as its sha-256 digest', async () => {
      const quinn = await server.makeUser('quinn');
      for (const currentPassword of [undefined, '', 'wrong password', sha256('wrong password')]) {
        const reply = await updateOwn(quinn, { email: 'q@new.test', currentPassword });
        expectError(reply, 400, 'error-invalid-password', currentPassword);
      }
      const emailOf = async () => (await lookUp({ username: 'quinn' })).body.user.emails;
      expect(await emailOf()).toEqual([{ address: 'quinn@example.test', verified: true }]);
      const plain = await updateOwn(quinn, { email: 'q@new.test', currentPassword: PASSWORD });
      expect(plain.body.user.emails).toEqual([{ address: 'q@new.test', verified: false }]);
      const digest = await updateOwn(quinn, { email: 'q@newer.test', currentPassword: sha256(PASSWORD) });
      expect(digest.status, digest.raw).toBe(200);
      expect(await emailOf()).toEqual([{ address: 'q@newer.test', verified: false }]);
    });

    it('sets a new password, ending the other sessions but keeping this one', async () => {
      const ralf = await server.makeUser('ralf');
      const phone = await logInAgain(ralf);
      const reply = await updateOwn(ralf, { newPassword: 'new secret', currentPassword: sha256(PASSWORD) });
      expect(reply.status, reply.raw).toBe(200);
      expect(await isSignedIn(ralf)).toBe(true);
      expect(await isSignedIn(phone)).toBe(false);
      expect(await canLogIn('ralf', 'new secret')).toBe(true);
      expect(await canLogIn('ralf')).toBe(false);
    });

    it('refuses a new password without the right current one, or equal to it', async () => {
      const sven = await server.makeUser('sven');
      const phone = await logInAgain(sven);
      expectError(await updateOwn(sven, { newPassword: 'better secret' }), 400, 'error-invalid-password');
      const same = await updateOwn(sven, { newPassword: PASSWORD, currentPassword: PASSWORD });
      expectError(same, 400, 'error-password-same-as-current');
      expect(await isSignedIn(phone)).toBe(true);
      expect(await canLogIn('sven')).toBe(true);
    });

    it('refuses what the Accounts_Allow* settings forbid with 403 error-not-allowed', async () => {
      const tom = await server.makeUser('tom');
      const before = (await lookUp({ userId: tom.userId })).body.user;
      const cases: [string, Record<string, unknown>][] = [
        ['Accounts_AllowUserProfileChange', { bio: 'new bio' }],
        ['Accounts_AllowRealNameChange', { name: 'Thomas' }],
        ['Accounts_AllowUsernameChange', { username: 'thomas' }],
        ['Accounts_AllowEmailChange', { email: 'tom@new.test', currentPassword: PASSWORD }],
        ['Accounts_AllowPasswordChange', { newPassword: 'better secret', currentPassword: PASSWORD }],
        ['Accounts_AllowUserStatusMessageChange', { statusText: 'out' }],
      ];
      for (const [setting, data] of cases) {
        await withSetting(setting, false, true, async () => {
          expectError(await updateOwn(tom, data), 403, 'error-not-allowed', setting);
        });
      }
      expect((await lookUp({ userId: tom.userId })).body.user).toEqual(before);
      expect(await canLogIn('tom')).toBe(true);
    });

    it('refuses bad input with 400 and changes nothing', async () => {
      const uma = await server.makeUser('uma');
      const before = (await lookUp({ userId: uma.userId })).body.user;
      const currentPassword = PASSWORD;
      const cases: Cases = [
        ['error-field-unavailable', [{ username: 'BOB' }, { email: 'BOB@example.test', currentPassword }]],
        ['error-invalid-username', [{ username: 'not valid!' }, { username: 'ünï' }]],
        ['error-blocked-username', [{ username: 'Administrator' }]],
        ['error-invalid-email', [{ email: 'nope', currentPassword }]],
        ['error-invalid-name', [{ name: '\u0001' }]],
        [MIN_LENGTH, [{ newPassword: 'short', currentPassword }]],
        ['invalid-params', [{ name: '' }, { bio: '😀'.repeat(261) }, { nickname: 'n'.repeat(121) }]],
        ['invalid-params', [{ statusText: [] }, { currentPassword: 42, newPassword: 'better secret' }]],
      ];
      for (const [errorType, changes] of cases) {
        for (const data of changes) expectError(await updateOwn(uma, data), 400, errorType, data);
      }
      expectError(await server.as(uma).post('/api/v1/users.updateOwnBasicInfo', {}), 400, 'invalid-params');
      expect((await lookUp({ userId: uma.userId })).body.user).toEqual(before);
      expectNotLoggedIn(await server.anonymous.post('/api/v1/users.updateOwnBasicInfo', { data: {} }));
    });
  });

  describe('GET /api/v1/users.getPreferences and POST /api/v1/users.setPreferences', () => {
    type PreferencesReply = Reply<{ preferences: Preferences }>;
    type SavedReply = Reply<{ user: { _id: string; settings: { preferences: Preferences } } }>;
    const getPreferences = (as: Session): Promise<PreferencesReply> =>
      server.as(as).get('/api/v1/users.getPreferences');
    const preferencesOf = async (as: Session) => (await getPreferences(as)).body.preferences;
    const setPreferences = (as: Session, body: Record<string, unknown>): Promise<SavedReply> =>
      server.as(as).post('/api/v1/users.setPreferences', body);

    it("starts from Rocket.Chat's defaults, then saves known preferences over them", async () => {
      const walt = await server.makeUser('walt');
      const fresh = await getPreferences(walt);
      expect(fresh.status, fresh.raw).toBe(200);
      const defaults = { sendOnEnter: 'normal', idleTimeLimit: 300, useEmojis: true, featuresPreview: [] };
      expect(fresh.body.preferences).toMatchObject(defaults);
      expect(fresh.body.preferences.sidebarSectionsOrder).toContain('Direct_Messages');
      const saved = { sendOnEnter: 'desktop', idleTimeLimit: 600, featuresPreview: ['ünï'] };
      const reply = await setPreferences(walt, { data: saved });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.user._id).toBe(walt.userId);
      expect(reply.body.user.settings.preferences).toMatchObject({ ...saved, useEmojis: true });
      expect((await setPreferences(walt, { data: { useEmojis: false } })).status).toBe(200);
      expect(await preferencesOf(walt)).toMatchObject({ ...saved, useEmojis: false });
      const me = await server.as(walt).get<{ settings: { preferences: Preferences } }>('/api/v1/me');
      expect(me.body.settings.preferences).toEqual(await preferencesOf(walt));
    });

    it('refuses unknown keys, wrong types, out-of-range values and empty data, saving nothing', async () => {
      const xena = await server.makeUser('xena');
      const before = await preferencesOf(xena);
      const badKeys: unknown[] = [
        {},
        { nope: true },
        { constructor: {} },
        { useEmojis: false, nope: 1 },
        'useEmojis',
      ];
      const badTypes = [{ useEmojis: 'yes' }, { useEmojis: null }, { sidebarSectionsOrder: 'Unread' }];
      const outOfRange = [{ idleTimeLimit: -1 }, { idleTimeLimit: 1e7 }, { sendOnEnter: 'x'.repeat(101) }];
      for (const data of [...badKeys, ...badTypes, ...outOfRange, { featuresPreview: [1] }]) {
        expectError(await setPreferences(xena, { data }), 400, 'invalid-params', data);
      }
      const proto = '{"data":{"__proto__":{"useEmojis":false}}}';
      const polluting = await server.as(xena).raw('POST', '/api/v1/users.setPreferences', proto);
      expectError(polluting, 400, 'invalid-params');
      expect(await preferencesOf(xena)).toEqual(before);
    });

    it("needs a login, and edit-other-user-info for another user's preferences", async () => {
      expectNotLoggedIn(await server.anonymous.get('/api/v1/users.getPreferences'));
      const body = { data: { useEmojis: false } };
      expectNotLoggedIn(await server.anonymous.post('/api/v1/users.setPreferences', body));
      const yuri = await server.makeUser('yuri');
      const change = { userId: yuri.userId, data: { hideRoles: true } };
      expectForbidden(await setPreferences(alice, change));
      expect((await preferencesOf(yuri)).hideRoles).toBe(false);
      expect((await setPreferences(carol, change)).body.user._id).toBe(yuri.userId);
      expect((await preferencesOf(yuri)).hideRoles).toBe(true);
      expect((await preferencesOf(carol)).hideRoles).toBe(false);
      const unknown = await setPreferences(carol, { ...change, userId: 'no-such-id' });
      expectError(unknown, 400, 'error-invalid-user');
    });
  });
});
