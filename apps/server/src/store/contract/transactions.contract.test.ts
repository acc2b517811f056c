import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UniqueViolation, type Tx } from '../../domain/ports/store.js';
import type { User } from '../../domain/users/user.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aLoginToken, aPermission, aPersonalToken, aRole, aSetting, aUser, T0 } from './factories.js';
import { MIGRATION_NAMES } from '../migrations/index.js';

/** Everything the repos can read back, for comparing the database before and after. */
async function snapshot(repos: Tx, users: readonly User[], tokenHashes: readonly string[]) {
  return {
    users: await repos.users.list({ offset: 0, count: 100 }),
    byId: await Promise.all(users.map((u) => repos.users.byId(u.id))),
    tokens: await Promise.all(tokenHashes.map((h) => repos.tokens.byHash(h))),
    roles: await repos.roles.list(),
    permissions: await repos.permissions.list(),
    settings: await repos.settings.list(),
    meta: [await repos.meta.get('workspace_id'), await repos.meta.get('setup_token_hash')],
  };
}

await onEachBackend('Store', (backend) => {
  let database: TestDatabase;
  let store: KyselyStore;

  beforeEach(async () => {
    database = await freshDatabase(backend);
    store = createStore(database.target);
  });

  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  describe('transaction', () => {
    const alice = aUser({ username: 'alice', roles: ['user'] });
    const carol = aUser({ username: 'carol', roles: ['admin'] });
    const bob = aUser({ username: 'bob' });
    const aliceToken = aLoginToken(alice);
    const bobToken = aPersonalToken(bob, 'ci');

    beforeEach(async () => {
      await store.migrateToLatest();
      await store.users.insert(alice);
      await store.users.insert(carol);
      await store.tokens.insert(aliceToken);
      await store.roles.upsert(aRole({ id: 'admin' }));
      await store.permissions.insertIfAbsent(aPermission({ id: 'create-c', roles: ['user'] }));
      await store.settings.define(aSetting({ id: 'Site_Name', value: 'Parley' }));
      await store.meta.set('workspace_id', 'ws-1');
      await store.meta.set('setup_token_hash', 'h-1');
    });

    it("commits every repo's writes on success and returns the callback's value", async () => {
      const result = await store.transaction(async (tx) => {
        await tx.users.insert(bob);
        const seenInside = await tx.users.byUsername('BOB');
        await tx.users.addRole(bob.id, 'admin', T0 + 1);
        await tx.tokens.insert(bobToken);
        await tx.roles.upsert(aRole({ id: 'auditor' }));
        await tx.permissions.setRoles('create-c', ['admin'], T0 + 2);
        await tx.settings.setValue('Site_Name', 'Parlons', T0 + 3);
        await tx.meta.set('workspace_id', 'ws-2');
        return seenInside?.id;
      });

      expect(result).toBe(bob.id);
      expect((await store.users.byId(bob.id))?.roles).toEqual(['admin', 'user']);
      expect(await store.tokens.byHash(bobToken.hash)).toStrictEqual(bobToken);
      expect(await store.roles.byId('auditor')).not.toBeNull();
      expect((await store.permissions.byId('create-c'))?.roles).toEqual(['admin']);
      expect((await store.settings.byId('Site_Name'))?.value).toBe('Parlons');
      expect(await store.meta.get('workspace_id')).toBe('ws-2');
    });

    it('rolls back everything, in every repo, when the callback throws, and rethrows that error', async () => {
      const hashes = [aliceToken.hash, bobToken.hash];
      const before = await snapshot(store, [alice, bob, carol], hashes);
      const boom = new Error('boom');

      const outcome = store.transaction(async (tx) => {
        await tx.users.insert(bob);
        await tx.users.update(alice.id, { name: 'Changed', active: false }, T0 + 1);
        await tx.users.addRole(alice.id, 'admin', T0 + 2);
        await tx.users.removeRole(carol.id, 'admin', T0 + 3);
        await tx.tokens.insert(bobToken);
        await tx.tokens.deleteAllOfUser(alice.id);
        await tx.users.delete(carol.id);
        await tx.roles.upsert(aRole({ id: 'admin', description: 'changed' }));
        await tx.roles.upsert(aRole({ id: 'auditor' }));
        await tx.permissions.setRoles('create-c', [], T0 + 4);
        await tx.permissions.insertIfAbsent(aPermission({ id: 'view-logs' }));
        await tx.settings.setValue('Site_Name', 'Changed', T0 + 5);
        await tx.settings.define(aSetting({ id: 'New_Setting' }));
        await tx.meta.set('workspace_id', 'ws-2');
        await tx.meta.delete('setup_token_hash');
        throw boom;
      });

      await expect(outcome).rejects.toBe(boom);
      expect(await snapshot(store, [alice, bob, carol], hashes)).toStrictEqual(before);
      expect(before.users.total).toBe(2);
    });

    it('rolls back earlier writes when a unique violation aborts it, which surfaces as UniqueViolation', async () => {
      const outcome = store.transaction(async (tx) => {
        await tx.users.insert(bob);
        await tx.meta.set('workspace_id', 'ws-2');
        await tx.users.insert(aUser({ username: 'ALICE' }));
      });

      await expect(outcome).rejects.toBeInstanceOf(UniqueViolation);
      expect(await store.users.byId(bob.id)).toBeNull();
      expect(await store.meta.get('workspace_id')).toBe('ws-1');
    });

    it('leaves the store usable after a rollback', async () => {
      await store.transaction(() => Promise.reject(new Error('first'))).catch(() => undefined);

      await store.transaction((tx) => tx.users.insert(bob));

      expect(await store.users.byId(bob.id)).toStrictEqual(bob);
    });
  });

  describe('lifecycle', () => {
    it('reports its dialect', () => {
      expect(store.dialect).toBe(backend);
    });

    it('ping answers while the database does, and fails once the store is closed', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      const other = createStore(database.target);
      await other.ping();
      await other.close();

      await expect(other.ping()).rejects.toThrow();
    });

    it('schemaVersion is null before migrating and names the newest migration after', async () => {
      const before = await store.schemaVersion();
      const applied = await store.migrateToLatest();

      expect(before).toBeNull();
      expect(applied).toEqual(MIGRATION_NAMES);
      expect(await store.schemaVersion()).toBe(MIGRATION_NAMES.at(-1));
    });

    it('migrateToLatest is idempotent: a second call applies nothing and keeps the data', async () => {
      await store.migrateToLatest();
      const alice = aUser({ username: 'alice' });
      await store.users.insert(alice);

      expect(await store.migrateToLatest()).toEqual([]);
      expect(await store.schemaVersion()).toBe(MIGRATION_NAMES.at(-1));
      expect(await store.users.byId(alice.id)).toStrictEqual(alice);
    });

    it('keeps the data across closing and reopening the same database', async () => {
      await store.migrateToLatest();
      const alice = aUser({ username: 'alice', roles: ['admin'] });
      await store.users.insert(alice);
      await store.meta.set('workspace_id', 'ws-1');
      const reopened = createStore(database.target);

      try {
        expect(await reopened.migrateToLatest()).toEqual([]);
        expect(await reopened.users.byId(alice.id)).toStrictEqual(alice);
        expect(await reopened.meta.get('workspace_id')).toBe('ws-1');
      } finally {
        await reopened.close();
      }
    });

    it('does not share rows between two fresh databases', async () => {
      const otherDatabase = await freshDatabase(backend);
      const other = createStore(otherDatabase.target);
      try {
        await store.migrateToLatest();
        await other.migrateToLatest();
        const alice = aUser({ username: 'alice', roles: ['admin'] });
        await store.users.insert(alice);
        await store.meta.set('workspace_id', 'ws-1');
        await store.settings.define(aSetting({ id: 'Site_Name' }));

        expect(await other.users.byUsername('alice')).toBeNull();
        expect(await other.users.list({ offset: 0, count: 10 })).toEqual({ items: [], total: 0 });
        expect(await other.users.countWithRole('admin')).toBe(0);
        expect(await other.meta.get('workspace_id')).toBeNull();
        expect(await other.settings.list()).toEqual([]);
        await other.users.insert(aUser({ username: 'alice' }));
        expect((await store.users.byUsername('alice'))?.id).toBe(alice.id);
      } finally {
        await other.close();
        await otherDatabase.drop();
      }
    });
  });
});
