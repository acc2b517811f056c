import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type Session, type TestServer } from '../src/testing/create-test-server.js';

interface PermissionItem {
  _id: string;
  roles: string[];
  _updatedAt: string;
}
interface RoleItem {
  _id: string;
  name: string;
  scope: string;
  description: string;
  protected: boolean;
  mandatory2fa: boolean;
  _updatedAt: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await onEachBackend('permissions and roles', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ backend });
  });
  afterAll(() => server.close());

  const listAll = (query?: Record<string, string>) =>
    server
      .as(server.alice)
      .get<{ update: PermissionItem[]; remove: PermissionItem[] }>('/api/v1/permissions.listAll', query);
  const rolesOf = async (permission: string) =>
    (await listAll()).body.update.find((p) => p._id === permission)?.roles;
  const updatePermissions = (session: Session, permissions: { _id: string; roles: string[] }[]) =>
    server
      .as(session)
      .post<{ permissions: PermissionItem[]; success: boolean }>('/api/v1/permissions.update', {
        permissions,
      });
  const rolesOfUser = async (session: Session) =>
    (await server.as(session).get<{ roles: string[] }>('/api/v1/me')).body.roles;

  describe('GET /api/v1/permissions.listAll', () => {
    it('lists every permission with its roles to any logged-in user', async () => {
      const reply = await listAll();
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ success: true, remove: [] });
      expect(reply.body.update.length).toBeGreaterThan(100);
      const access = reply.body.update.find((p) => p._id === 'access-permissions');
      expect(access).toEqual({
        _id: 'access-permissions',
        roles: ['admin'],
        _updatedAt: expect.any(String) as unknown,
      });
      expect(new Date(access?._updatedAt ?? '').toISOString()).toBe(access?._updatedAt);
      expect(reply.body.update.find((p) => p._id === 'create-personal-access-tokens')?.roles).toEqual([
        'admin',
        'user',
      ]);
    });

    it('lists only the permissions changed after updatedSince', async () => {
      const since = new Date().toISOString();
      await pause(5);
      expect(
        (await updatePermissions(server.carol, [{ _id: 'view-statistics', roles: ['admin'] }])).status,
      ).toBe(200);
      const reply = await listAll({ updatedSince: since });
      expect(reply.status).toBe(200);
      expect(reply.body.update.map((p) => p._id)).toEqual(['view-statistics']);
      expect(reply.body.remove).toEqual([]);
      const future = await listAll({ updatedSince: new Date(Date.now() + 60_000).toISOString() });
      expect(future.body.update).toEqual([]);
    });

    it('refuses an invalid updatedSince with 400 error-updatedSince-param-invalid', async () => {
      const reply = await listAll({ updatedSince: 'yesterday-ish' });
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ success: false, errorType: 'error-updatedSince-param-invalid' });
    });

    it('answers 401 without credentials', async () => {
      expect((await server.anonymous.get('/api/v1/permissions.listAll')).status).toBe(401);
    });
  });

  describe('POST /api/v1/permissions.update', () => {
    it('sets the roles of a permission and returns the permission list', async () => {
      const reply = await updatePermissions(server.carol, [
        { _id: 'view-statistics', roles: ['admin', 'bot'] },
      ]);
      expect(reply.status).toBe(200);
      expect(reply.body.success).toBe(true);
      expect(reply.body.permissions.find((p) => p._id === 'view-statistics')?.roles).toEqual([
        'admin',
        'bot',
      ]);
      expect(await rolesOf('view-statistics')).toEqual(['admin', 'bot']);
      await updatePermissions(server.carol, [{ _id: 'view-statistics', roles: ['admin'] }]);
    });

    it('refuses a caller without access-permissions with 403 and changes nothing', async () => {
      const reply = await updatePermissions(server.alice, [
        { _id: 'access-permissions', roles: ['admin', 'user'] },
      ]);
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ success: false, errorType: 'error-unauthorized' });
      expect(await rolesOf('access-permissions')).toEqual(['admin']);
    });

    it('refuses an unknown permission with 400 error-invalid-permission', async () => {
      const reply = await updatePermissions(server.carol, [{ _id: 'fly-to-the-moon', roles: ['admin'] }]);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ success: false, errorType: 'error-invalid-permission' });
      expect((await listAll()).body.update.some((p) => p._id === 'fly-to-the-moon')).toBe(false);
    });

    it('refuses an unknown role with 400 error-invalid-roleId and writes none of the batch', async () => {
      const reply = await updatePermissions(server.carol, [
        { _id: 'view-statistics', roles: ['admin', 'user'] },
        { _id: 'view-privileged-setting', roles: ['admin', 'no-such-role'] },
      ]);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ success: false, errorType: 'error-invalid-roleId' });
      expect(await rolesOf('view-statistics')).toEqual(['admin']);
      expect(await rolesOf('view-privileged-setting')).toEqual(['admin']);
    });

    it('refuses an empty or malformed list with 400', async () => {
      for (const body of [{}, { permissions: [] }, { permissions: [{ _id: 'view-statistics' }] }]) {
        const reply = await server.as(server.carol).post('/api/v1/permissions.update', body);
        expect(reply.status, JSON.stringify(body)).toBe(400);
      }
    });

    it('takes effect on the next request: granting role user view-privileged-setting lets alice read a private setting', async () => {
      const privateSetting = '/api/v1/settings/API_Default_Count';
      expect((await server.as(server.alice).get(privateSetting)).status).toBe(403);
      await updatePermissions(server.carol, [{ _id: 'view-privileged-setting', roles: ['admin', 'user'] }]);
      try {
        const reply = await server.as(server.alice).get(privateSetting);
        expect(reply.status).toBe(200);
        expect(reply.body).toMatchObject({ _id: 'API_Default_Count', value: 50 });
      } finally {
        await updatePermissions(server.carol, [{ _id: 'view-privileged-setting', roles: ['admin'] }]);
      }
      expect((await server.as(server.alice).get(privateSetting)).status).toBe(403);
    });
  });

  describe('GET /api/v1/roles.list', () => {
    it('lists the built-in roles with their scope to any logged-in user', async () => {
      const reply = await server
        .as(server.bob)
        .get<{ roles: RoleItem[]; success: boolean }>('/api/v1/roles.list');
      expect(reply.status).toBe(200);
      expect(reply.body.success).toBe(true);
      const ids = reply.body.roles.map((r) => r._id);
      for (const id of [
        'admin',
        'moderator',
        'leader',
        'owner',
        'user',
        'bot',
        'app',
        'guest',
        'anonymous',
      ]) {
        expect(ids).toContain(id);
      }
      const admin = reply.body.roles.find((r) => r._id === 'admin');
      expect(admin).toEqual({
        _id: 'admin',
        name: 'admin',
        scope: 'Users',
        description: 'Admin',
        protected: true,
        mandatory2fa: false,
        _updatedAt: expect.any(String) as unknown,
      });
      expect(reply.body.roles.find((r) => r._id === 'owner')?.scope).toBe('Subscriptions');
    });

    it('answers 401 without credentials', async () => {
      expect((await server.anonymous.get('/api/v1/roles.list')).status).toBe(401);
    });
  });

  describe('GET /api/v1/roles.sync', () => {
    it('returns the roles changed since updatedSince under roles.update', async () => {
      const all = await server
        .as(server.alice)
        .get<{ roles: { update: RoleItem[]; remove: RoleItem[] } }>('/api/v1/roles.sync', {
          updatedSince: '2000-01-01T00:00:00.000Z',
        });
      expect(all.status).toBe(200);
      expect(all.body.roles.remove).toEqual([]);
      expect(all.body.roles.update.map((r) => r._id)).toContain('admin');
      const none = await server
        .as(server.alice)
        .get<{ roles: { update: RoleItem[] } }>('/api/v1/roles.sync', {
          updatedSince: new Date(Date.now() + 60_000).toISOString(),
        });
      expect(none.status).toBe(200);
      expect(none.body.roles.update).toEqual([]);
    });

    it('requires a valid updatedSince', async () => {
      for (const query of [undefined, { updatedSince: 'not-a-date' }]) {
        const reply = await server.as(server.alice).get('/api/v1/roles.sync', query);
        expect(reply.status, JSON.stringify(query)).toBe(400);
        expect(reply.body).toMatchObject({ success: false, errorType: 'error-updatedSince-param-invalid' });
      }
    });
  });

  describe('POST /api/v1/roles.addUserToRole and roles.removeUserFromRole', () => {
    const add = (session: Session, body: Record<string, unknown>) =>
      server.as(session).post<{ role: RoleItem }>('/api/v1/roles.addUserToRole', body);
    const remove = (session: Session, body: Record<string, unknown>) =>
      server.as(session).post<{ role: RoleItem }>('/api/v1/roles.removeUserFromRole', body);

    it('gives and takes a role by roleName, with immediate effect on permissions', async () => {
      const dave = await server.makeUser('dave');
      expect((await server.as(dave).get('/api/v1/settings/API_Default_Count')).status).toBe(403);
      const added = await add(server.carol, { roleName: 'admin', username: 'dave' });
      expect(added.status).toBe(200);
      expect(added.body).toMatchObject({
        success: true,
        role: { _id: 'admin', name: 'admin', scope: 'Users' },
      });
      expect(await rolesOfUser(dave)).toEqual(expect.arrayContaining(['admin', 'user']));
      // Same token, next request: the new role counts at once.
      expect((await server.as(dave).get('/api/v1/settings/API_Default_Count')).status).toBe(200);

      const removed = await remove(server.carol, { roleName: 'admin', username: 'dave' });
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ success: true, role: { _id: 'admin' } });
      expect(await rolesOfUser(dave)).not.toContain('admin');
      expect((await server.as(dave).get('/api/v1/settings/API_Default_Count')).status).toBe(403);
    });

    it('gives and takes a role by roleId', async () => {
      const erin = await server.makeUser('erin');
      expect((await add(server.carol, { roleId: 'bot', username: 'erin' })).status).toBe(200);
      expect(await rolesOfUser(erin)).toContain('bot');
      expect((await remove(server.carol, { roleId: 'bot', username: 'erin' })).status).toBe(200);
      expect(await rolesOfUser(erin)).not.toContain('bot');
    });

    it('refuses a caller without access-permissions with 403', async () => {
      for (const reply of [
        await add(server.alice, { roleName: 'admin', username: 'alice' }),
        await remove(server.alice, { roleName: 'user', username: 'bob' }),
      ]) {
        expect(reply.status).toBe(403);
        expect(reply.body).toMatchObject({ success: false, errorType: 'error-unauthorized' });
      }
      expect(await rolesOfUser(server.alice)).toEqual(['user']);
      expect(await rolesOfUser(server.bob)).toEqual(['user']);
    });

    it('refuses to add a role the user already holds, or remove one they lack', async () => {
      const already = await add(server.carol, { roleName: 'user', username: 'alice' });
      expect(already.status).toBe(400);
      expect(already.body).toMatchObject({ success: false, errorType: 'error-user-already-in-role' });
      const notIn = await remove(server.carol, { roleName: 'bot', username: 'alice' });
      expect(notIn.status).toBe(400);
      expect(notIn.body).toMatchObject({ success: false, errorType: 'error-user-not-in-role' });
    });

    it('refuses an unknown role, an unknown user, and a body naming no role with 400', async () => {
      for (const call of [add, remove]) {
        const role = await call(server.carol, { roleName: 'no-such-role', username: 'alice' });
        expect(role.status).toBe(400);
        expect(role.body).toMatchObject({ success: false, errorType: 'error-invalid-roleId' });
        const user = await call(server.carol, { roleName: 'bot', username: 'nobody-here' });
        expect(user.status).toBe(400);
        expect(user.body).toMatchObject({ success: false, errorType: 'error-invalid-user' });
        const neither = await call(server.carol, { username: 'alice' });
        expect(neither.status).toBe(400);
        expect(neither.body).toMatchObject({ success: false });
      }
    });

    it('refuses a room-scoped role such as owner with error-invalid-role-scope', async () => {
      for (const call of [add, remove]) {
        const reply = await call(server.carol, { roleName: 'owner', username: 'alice' });
        expect(reply.status).toBe(400);
        expect(reply.body).toMatchObject({ success: false, errorType: 'error-invalid-role-scope' });
      }
      expect(await rolesOfUser(server.alice)).toEqual(['user']);
    });

    it("refuses to take the last admin's admin role with error-action-not-allowed", async () => {
      const admins = await server.as(server.carol).get<{ total: number }>('/api/v1/roles.getUsersInRole', {
        role: 'admin',
      });
      expect(admins.body.total).toBe(1);
      const reply = await remove(server.carol, { roleName: 'admin', username: 'carol' });
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ success: false, errorType: 'error-action-not-allowed' });
      expect(await rolesOfUser(server.carol)).toContain('admin');
    });
  });

  describe('GET /api/v1/roles.getUsersInRole', () => {
    it('pages through the holders of a role with the total', async () => {
      const names = ['gina', 'hank', 'ivan'];
      for (const name of names) {
        await server.makeUser(name);
        const added = await server
          .as(server.carol)
          .post('/api/v1/roles.addUserToRole', { roleName: 'livechat-manager', username: name });
        expect(added.status).toBe(200);
      }
      type Page = { users: { _id: string; username: string }[]; total: number; success: boolean };
      const first = await server
        .as(server.carol)
        .get<Page>('/api/v1/roles.getUsersInRole', { role: 'livechat-manager', count: '2' });
      expect(first.status).toBe(200);
      expect(first.body.success).toBe(true);
      expect(first.body.total).toBe(3);
      expect(first.body.users).toHaveLength(2);
      const second = await server
        .as(server.carol)
        .get<Page>('/api/v1/roles.getUsersInRole', { role: 'livechat-manager', count: '2', offset: '2' });
      expect(second.body.total).toBe(3);
      expect(second.body.users).toHaveLength(1);
      const seen = [...first.body.users, ...second.body.users].map((u) => u.username).sort();
      expect(seen).toEqual(names);
      expect(first.raw).not.toMatch(/passwordHash|\$argon2/);
    });

    it('refuses an unknown role with 400 error-invalid-roleId and a missing one with 400', async () => {
      const unknown = await server
        .as(server.carol)
        .get('/api/v1/roles.getUsersInRole', { role: 'no-such-role' });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ success: false, errorType: 'error-invalid-roleId' });
      expect((await server.as(server.carol).get('/api/v1/roles.getUsersInRole')).status).toBe(400);
    });

    it('refuses a caller without access-permissions with 403', async () => {
      const reply = await server.as(server.alice).get('/api/v1/roles.getUsersInRole', { role: 'admin' });
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ success: false });
    });
  });
});
