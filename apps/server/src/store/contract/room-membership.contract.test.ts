import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aUser } from './factories.js';
import { aMessage, aRoom, aSubscription, roomId } from './room-factories.js';

await onEachBackend('RoomRepo.withMembership and MessageRepo.find without a total', (backend) => {
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

  describe('withMembership', () => {
    it('reads the room and the user’s subscription in one answer, by id or by name in any case', async () => {
      const alice = aUser({ username: 'alice' });
      const bob = aUser({ username: 'bob' });
      await store.users.insert(alice);
      await store.users.insert(bob);
      const room = aRoom({ name: 'Design', t: 'p' });
      await store.rooms.insert(room);
      const sub = aSubscription(room, alice, { roles: ['owner'], unread: 3, tunread: [] });
      await store.subscriptions.insert(sub);

      const byId = await store.rooms.withMembership({ id: room.id }, alice.id);
      expect(byId?.room).toEqual(await store.rooms.byId(room.id));
      expect(byId?.subscription).toEqual(await store.subscriptions.byRoomAndUser(room.id, alice.id));
      const byName = await store.rooms.withMembership({ name: 'dESIGN' }, alice.id);
      expect(byName?.room.id).toBe(room.id);
      expect(byName?.subscription?.roles).toEqual(['owner']);
    });

    it('answers the room with no subscription for a non-member, and null for no room', async () => {
      const carol = aUser({ username: 'carol' });
      await store.users.insert(carol);
      const room = aRoom({ name: 'open' });
      await store.rooms.insert(room);
      const other = aUser({ username: 'dave' });
      await store.users.insert(other);
      await store.subscriptions.insert(aSubscription(room, other));

      const view = await store.rooms.withMembership({ id: room.id }, carol.id);
      expect(view?.room.id).toBe(room.id);
      expect(view?.subscription).toBeNull();
      expect(await store.rooms.withMembership({ id: roomId() }, carol.id)).toBeNull();
      expect(await store.rooms.withMembership({ name: 'nope' }, carol.id)).toBeNull();
    });
  });

  describe('find with countTotal: false', () => {
    it('returns the same page and does not count', async () => {
      const author = aUser({ username: 'erin' });
      await store.users.insert(author);
      const room = aRoom({ name: 'counted' });
      await store.rooms.insert(room);
      for (let i = 0; i < 5; i++)
        await store.messages.insert(aMessage(room, author, { ts: 1_700_000_000_000 + i }));
      const counted = await store.messages.find({ roomId: room.id, offset: 1, count: 2 });
      const uncounted = await store.messages.find({
        roomId: room.id,
        offset: 1,
        count: 2,
        countTotal: false,
      });
      expect(uncounted.items).toEqual(counted.items);
      expect(counted.total).toBe(5);
      expect(uncounted.total).toBe(-1);
    });
  });
});
