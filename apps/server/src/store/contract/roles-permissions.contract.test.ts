import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/permissions/role.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aPermission, aRole, byCodeUnit, LAST_DATE_MS, T0 } from './factories.js';

await onEachBackend('RoleRepo and PermissionRepo', (backend) => {
  let database: TestDatabase;
  let store: KyselyStore;

  beforeEach(async () => {
    database = await freshDatabase(backend);
    store = createStore(database.target);
    await store.migrateToLatest();
  });

  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  describe('roles', () => {
    it('upsert inserts a role, then replaces every field of it', async () => {
      const first: Role = {
        id: 'support-lead',
        name: 'Support Lead',
        scope: 'Users',
        description: 'Leads support',
        protected: false,
        mandatory2fa: false,
        updatedAt: T0,
      };
      await store.roles.upsert(first);
      const inserted = await store.roles.byId(first.id);
      const second: Role = {
        ...first,
        name: 'Responsable du support',
        scope: 'Subscriptions',
        description: 'Dirige le support ✨',
        protected: true,
        mandatory2fa: true,
        updatedAt: LAST_DATE_MS,
      };

      await store.roles.upsert(second);

      expect(inserted).toStrictEqual(first);
      expect(await store.roles.byId(first.id)).toStrictEqual(second);
      expect(await store.roles.list()).toStrictEqual([second]);
    });

    it('byId answers null for an unknown id and does not match names', async () => {
      await store.roles.upsert(aRole({ id: 'r1', name: 'Moderators' }));

      expect(await store.roles.byId('nope')).toBeNull();
      expect(await store.roles.byId('Moderators')).toBeNull();
    });

    it('byIdOrName matches the id, or the name in any case', async () => {
      const custom = aRole({ id: 'xK3pQ9rT2mW8vN4bZ', name: 'Support Lead' });
      await store.roles.upsert(custom);
      await store.roles.upsert(aRole({ id: 'admin' }));

      expect(await store.roles.byIdOrName('xK3pQ9rT2mW8vN4bZ')).toStrictEqual(custom);
      expect(await store.roles.byIdOrName('Support Lead')).toStrictEqual(custom);
      expect(await store.roles.byIdOrName('sUPPORT lEAD')).toStrictEqual(custom);
      expect(await store.roles.byIdOrName('Support')).toBeNull();
      expect(await store.roles.byIdOrName('nobody')).toBeNull();
    });

    it('list returns every role ordered by id', async () => {
      const roles = [
        aRole({ id: 'user' }),
        aRole({ id: 'admin' }),
        aRole({ id: 'Bot' }),
        aRole({ id: 'moderator' }),
      ];
      for (const role of roles) await store.roles.upsert(role);

      expect(await store.roles.list()).toStrictEqual([...roles].sort((a, b) => byCodeUnit(a.id, b.id)));
    });

    it('updatedSince returns only roles changed strictly after the instant', async () => {
      const early = aRole({ id: 'a-early', updatedAt: T0 + 100 });
      const middle = aRole({ id: 'b-middle', updatedAt: T0 + 200 });
      const late = aRole({ id: 'c-late', updatedAt: T0 + 300 });
      for (const role of [late, early, middle]) await store.roles.upsert(role);

      expect(await store.roles.updatedSince(T0 + 200)).toStrictEqual([late]);
      expect(await store.roles.updatedSince(T0 + 199)).toStrictEqual([middle, late]);
      expect(await store.roles.updatedSince(T0 + 300)).toEqual([]);
      expect(await store.roles.updatedSince(0)).toStrictEqual([early, middle, late]);
    });

    it('updatedSince sees a role again once an upsert moves its updatedAt', async () => {
      const early = aRole({ id: 'early', updatedAt: T0 + 100 });
      await store.roles.upsert(early);
      const touched = { ...early, description: 'changed', updatedAt: T0 + 500 };

      await store.roles.upsert(touched);

      expect(await store.roles.updatedSince(T0 + 400)).toStrictEqual([touched]);
    });
  });

  describe('permissions', () => {
    it('insertIfAbsent inserts a permission that byId round-trips', async () => {
      const permission = aPermission({
        id: 'view-room-administration',
        roles: ['admin', 'livechat-monitor'],
      });
      await store.permissions.insertIfAbsent(permission);

      expect(await store.permissions.byId(permission.id)).toStrictEqual(permission);
      expect(await store.permissions.byId('nope')).toBeNull();
    });

    it("insertIfAbsent never overwrites an admin's change", async () => {
      const seeded = aPermission({ id: 'create-c', roles: ['admin', 'user', 'bot'], updatedAt: T0 });
      await store.permissions.insertIfAbsent(seeded);
      await store.permissions.setRoles('create-c', ['admin'], T0 + 100);

      await store.permissions.insertIfAbsent({ ...seeded, updatedAt: T0 + 200 });

      expect(await store.permissions.byId('create-c')).toStrictEqual({
        id: 'create-c',
        roles: ['admin'],
        updatedAt: T0 + 100,
      });
    });

    it('setRoles replaces the roles and updatedAt, keeping their order, and may empty them', async () => {
      await store.permissions.insertIfAbsent(aPermission({ id: 'delete-message', roles: ['admin'] }));
      await store.permissions.insertIfAbsent(aPermission({ id: 'edit-message', roles: ['admin'] }));

      await store.permissions.setRoles('delete-message', ['owner', 'admin', 'moderator'], T0 + 10);
      await store.permissions.setRoles('edit-message', [], LAST_DATE_MS);

      expect(await store.permissions.byId('delete-message')).toStrictEqual({
        id: 'delete-message',
        roles: ['owner', 'admin', 'moderator'],
        updatedAt: T0 + 10,
      });
      expect(await store.permissions.byId('edit-message')).toStrictEqual({
        id: 'edit-message',
        roles: [],
        updatedAt: LAST_DATE_MS,
      });
    });

    it('setRoles on an unknown id creates nothing', async () => {
      await store.permissions.setRoles('no-such-permission', ['admin'], T0);

      expect(await store.permissions.byId('no-such-permission')).toBeNull();
      expect(await store.permissions.list()).toEqual([]);
    });

    it('list returns every permission ordered by id', async () => {
      const permissions = [aPermission({ id: 'view-logs' }), aPermission({ id: 'add-user-to-any-c-room' })];
      for (const permission of permissions) await store.permissions.insertIfAbsent(permission);

      expect(await store.permissions.list()).toStrictEqual([permissions[1], permissions[0]]);
    });

    it('updatedSince returns only permissions changed strictly after the instant', async () => {
      await store.permissions.insertIfAbsent(aPermission({ id: 'p-a', updatedAt: T0 + 100 }));
      await store.permissions.insertIfAbsent(aPermission({ id: 'p-b', updatedAt: T0 + 200 }));
      await store.permissions.insertIfAbsent(aPermission({ id: 'p-c', updatedAt: T0 + 300 }));
      await store.permissions.setRoles('p-a', ['user'], T0 + 400);

      const since = async (t: number) => (await store.permissions.updatedSince(t)).map((p) => p.id);

      expect(await since(T0 + 200)).toEqual(['p-a', 'p-c']);
      expect(await since(T0 + 199)).toEqual(['p-a', 'p-b', 'p-c']);
      expect(await since(T0 + 400)).toEqual([]);
      expect((await store.permissions.updatedSince(T0 + 300))[0]).toStrictEqual({
        id: 'p-a',
        roles: ['user'],
        updatedAt: T0 + 400,
      });
    });
  });
});
