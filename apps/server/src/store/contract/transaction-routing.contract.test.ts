import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aUser } from './factories.js';

await onEachBackend('Store: the store inside a transaction', (backend) => {
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

  describe('store reads inside store.transaction', () => {
    it('see the transaction’s own uncommitted writes, and do not wait for a second connection', async () => {
      const dora = aUser({ username: 'dora' });
      const seen = await store.transaction(async (tx) => {
        await tx.users.insert(dora);
        // Reaching for the store (as the authorizer does) inside the transaction.
        return store.users.byId(dora.id);
      });
      expect(seen?.username).toBe('dora');
    });

    it('are rolled back with the transaction they joined', async () => {
      const eve = aUser({ username: 'eve' });
      await expect(
        store.transaction(async () => {
          await store.users.insert(eve);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store.users.byId(eve.id)).toBeNull();
    });
  });

  describe('a transaction opened inside a transaction', () => {
    it('joins the outer one: both commit together, or neither does', async () => {
      const fred = aUser({ username: 'fred' });
      const gina = aUser({ username: 'gina' });
      await expect(
        store.transaction(async (outer) => {
          await outer.users.insert(fred);
          await store.transaction((inner) => inner.users.insert(gina));
          throw new Error('abort outer');
        }),
      ).rejects.toThrow('abort outer');
      expect(await store.users.byId(fred.id)).toBeNull();
      expect(await store.users.byId(gina.id)).toBeNull();

      await store.transaction(async (outer) => {
        await outer.users.insert(fred);
        await store.transaction((inner) => inner.users.insert(gina));
      });
      expect((await store.users.byId(gina.id))?.username).toBe('gina');
    });
  });

  describe('outside any transaction', () => {
    it('reads and writes go straight to the database', async () => {
      const hal = aUser({ username: 'hal' });
      await store.users.insert(hal);
      expect((await store.users.byUsername('HAL'))?.id).toBe(hal.id);
    });
  });
});
