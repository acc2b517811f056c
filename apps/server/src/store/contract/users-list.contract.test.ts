import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserSortField } from '../../domain/ports/store.js';
import type { User } from '../../domain/users/user.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aUser, byCodeUnit, T0 } from './factories.js';

/**
 * Usernames whose case-insensitive order differs from their binary order, and names, creation
 * times and last logins with ties, so that a sort on the wrong column or without the id tie-break shows.
 */
function theCast(): User[] {
  return [
    aUser({ username: 'Dave', name: 'mmm', createdAt: T0 + 3, lastLogin: T0 + 30 }),
    aUser({ username: 'alice', name: 'bbb', createdAt: T0 + 1, lastLogin: T0 + 30 }),
    aUser({ username: 'Carol', name: 'mmm', createdAt: T0 + 3, lastLogin: T0 + 10 }),
    aUser({ username: 'bob', name: 'zzz', createdAt: T0 + 2, lastLogin: T0 + 20 }),
    aUser({ username: 'erin', name: 'mmm', createdAt: T0 + 3, lastLogin: T0 + 10 }),
  ];
}

const SORT_KEY: Record<UserSortField, (u: User) => string | number> = {
  username: (u) => u.username.toLowerCase(),
  name: (u) => u.name,
  createdAt: (u) => u.createdAt,
  lastLogin: (u) => u.lastLogin ?? 0,
};

function sortedIds(users: readonly User[], field: UserSortField, direction: 1 | -1): string[] {
  const key = SORT_KEY[field];
  return [...users]
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const byKey = ka < kb ? -1 : ka > kb ? 1 : 0;
      return direction * byKey || byCodeUnit(a.id, b.id);
    })
    .map((u) => u.id);
}

const ids = (users: readonly User[]): string[] => users.map((u) => u.id);

await onEachBackend('UserRepo: list and global roles', (backend) => {
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

  async function insertAll(users: readonly User[]): Promise<void> {
    for (const user of users) await store.users.insert(user);
  }

  describe('list', () => {
    it('sorts by username case-insensitively when no sort is given', async () => {
      await insertAll(theCast());

      const page = await store.users.list({ offset: 0, count: 10 });

      expect(page.items.map((u) => u.username)).toEqual(['alice', 'bob', 'Carol', 'Dave', 'erin']);
      expect(page.total).toBe(5);
    });

    it('pages with offset and count while total counts every match', async () => {
      await insertAll(theCast());

      const middle = await store.users.list({ offset: 1, count: 2 });
      const last = await store.users.list({ offset: 4, count: 10 });
      const beyond = await store.users.list({ offset: 10, count: 10 });

      expect(middle.items.map((u) => u.username)).toEqual(['bob', 'Carol']);
      expect(middle.total).toBe(5);
      expect(last.items.map((u) => u.username)).toEqual(['erin']);
      expect(beyond).toEqual({ items: [], total: 5 });
    });

    it('returns whole users, roles included', async () => {
      const alice = aUser({ username: 'alice', roles: ['admin', 'user'], preferences: { theme: 'dark' } });
      await insertAll([alice]);

      expect((await store.users.list({ offset: 0, count: 10 })).items).toStrictEqual([alice]);
    });

    const sorts = (['username', 'name', 'createdAt', 'lastLogin'] as const).flatMap((field) =>
      ([1, -1] as const).map((direction) => ({ field, direction })),
    );
    it.each(sorts)('sorts by $field in direction $direction, ties broken by id', async (sort) => {
      const cast = theCast();
      await insertAll(cast);

      const page = await store.users.list({ offset: 0, count: 10, sort });

      expect(ids(page.items)).toEqual(sortedIds(cast, sort.field, sort.direction));
    });

    it('keeps the order stable across pages when sorting on a tied field', async () => {
      const cast = theCast();
      await insertAll(cast);
      const sort = { field: 'name', direction: 1 } as const;

      const pages = [];
      for (let offset = 0; offset < 5; offset += 2) {
        pages.push(...(await store.users.list({ offset, count: 2, sort })).items);
      }

      expect(ids(pages)).toEqual(sortedIds(cast, 'name', 1));
    });

    // Rocket.Chat sorts in MongoDB, where a missing lastLogin is the smallest value. Both dialects
    // must agree; SQLite puts NULL first ascending by default, PostgreSQL puts it last.
    it('sorts users who never logged in first ascending and last descending, as MongoDB does', async () => {
      const never1 = aUser({ lastLogin: null });
      const recent = aUser({ lastLogin: T0 + 10 });
      const never2 = aUser({ lastLogin: null });
      const earlier = aUser({ lastLogin: T0 + 5 });
      await insertAll([never1, recent, never2, earlier]);
      const never = [never1.id, never2.id].sort(byCodeUnit);

      const ascending = await store.users.list({
        offset: 0,
        count: 10,
        sort: { field: 'lastLogin', direction: 1 },
      });
      const descending = await store.users.list({
        offset: 0,
        count: 10,
        sort: { field: 'lastLogin', direction: -1 },
      });

      expect(ids(ascending.items)).toEqual([...never, earlier.id, recent.id]);
      expect(ids(descending.items)).toEqual([recent.id, earlier.id, ...never]);
    });

    it('filters by role, counting only the users who hold it', async () => {
      const alice = aUser({ username: 'alice', roles: ['admin', 'user'] });
      const bob = aUser({ username: 'bob', roles: ['user'] });
      const carol = aUser({ username: 'carol', roles: ['admin'] });
      await insertAll([carol, bob, alice]);

      const admins = await store.users.list({ offset: 0, count: 10, role: 'admin' });
      const firstAdmin = await store.users.list({ offset: 0, count: 1, role: 'admin' });
      const nobody = await store.users.list({ offset: 0, count: 10, role: 'livechat-agent' });

      expect(ids(admins.items)).toEqual([alice.id, carol.id]);
      expect(admins.total).toBe(2);
      expect(ids(firstAdmin.items)).toEqual([alice.id]);
      expect(firstAdmin.total).toBe(2);
      expect(nobody).toEqual({ items: [], total: 0 });
    });

    it('filters by a case-insensitive substring of username, name or email', async () => {
      const alice = aUser({ username: 'alice', name: 'Alice Liddell', email: 'alice@wonder.land' });
      const bob = aUser({ username: 'bob', name: 'Robert', email: 'bob@example.test', roles: ['admin'] });
      const carol = aUser({ username: 'carol', name: 'Carol', email: 'carol@WONDER.land', roles: ['admin'] });
      await insertAll([alice, bob, carol]);

      const byEmail = await store.users.list({ offset: 0, count: 10, text: 'wonder' });
      const byName = await store.users.list({ offset: 0, count: 10, text: 'BERT' });
      const byUsername = await store.users.list({ offset: 0, count: 10, text: 'LIC' });
      const withRole = await store.users.list({ offset: 0, count: 10, text: 'WoNdEr', role: 'admin' });

      expect({ items: ids(byEmail.items), total: byEmail.total }).toEqual({
        items: [alice.id, carol.id],
        total: 2,
      });
      expect(ids(byName.items)).toEqual([bob.id]);
      expect(ids(byUsername.items)).toEqual([alice.id]);
      expect({ items: ids(withRole.items), total: withRole.total }).toEqual({ items: [carol.id], total: 1 });
    });
  });

  describe('addRole and removeRole', () => {
    it('addRole grants the role and sets updatedAt', async () => {
      const alice = aUser({ roles: ['user'] });
      await insertAll([alice]);

      await store.users.addRole(alice.id, 'admin', T0 + 100);

      expect(await store.users.byId(alice.id)).toMatchObject({
        roles: ['admin', 'user'],
        updatedAt: T0 + 100,
      });
      expect(ids((await store.users.list({ offset: 0, count: 10, role: 'admin' })).items)).toEqual([
        alice.id,
      ]);
    });

    it('addRole is idempotent', async () => {
      const alice = aUser({ roles: ['user'] });
      await insertAll([alice]);

      await store.users.addRole(alice.id, 'admin', T0 + 100);
      await store.users.addRole(alice.id, 'admin', T0 + 200);
      await store.users.addRole(alice.id, 'user', T0 + 300);

      expect(await store.users.byId(alice.id)).toMatchObject({
        roles: ['admin', 'user'],
        updatedAt: T0 + 300,
      });
      expect(await store.users.countWithRole('admin')).toBe(1);
    });

    it('removeRole takes away only that role of only that user, and sets updatedAt', async () => {
      const alice = aUser({ roles: ['admin', 'moderator', 'user'] });
      const bob = aUser({ roles: ['admin', 'user'] });
      await insertAll([alice, bob]);

      await store.users.removeRole(alice.id, 'admin', T0 + 100);

      expect(await store.users.byId(alice.id)).toMatchObject({
        roles: ['moderator', 'user'],
        updatedAt: T0 + 100,
      });
      expect(await store.users.byId(bob.id)).toStrictEqual(bob);
    });

    it('removeRole of a role the user lacks changes no roles', async () => {
      const alice = aUser({ roles: ['user'] });
      await insertAll([alice]);

      await store.users.removeRole(alice.id, 'admin', T0 + 100);

      expect((await store.users.byId(alice.id))?.roles).toEqual(['user']);
    });
  });

  describe('countWithRole', () => {
    it('counts only active users who hold the role', async () => {
      await insertAll([
        aUser({ roles: ['admin', 'user'] }),
        aUser({ roles: ['admin'], active: false }),
        aUser({ roles: ['admin'] }),
        aUser({ roles: ['user'] }),
      ]);

      expect(await store.users.countWithRole('admin')).toBe(2);
      expect(await store.users.countWithRole('user')).toBe(2);
      expect(await store.users.countWithRole('livechat-agent')).toBe(0);
    });

    it('follows deactivation and reactivation', async () => {
      const alice = aUser({ roles: ['admin'] });
      await insertAll([alice, aUser({ roles: ['admin'] })]);

      await store.users.update(alice.id, { active: false }, T0 + 1);
      const whileInactive = await store.users.countWithRole('admin');
      await store.users.update(alice.id, { active: true }, T0 + 2);

      expect(whileInactive).toBe(1);
      expect(await store.users.countWithRole('admin')).toBe(2);
    });
  });
});
