import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Room } from '../../domain/rooms/room.js';
import type { User } from '../../domain/users/user.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aUser, T0 } from './factories.js';
import { aRoom, aSubscription } from './room-factories.js';

const usernames = (page: { items: readonly User[] }) => page.items.map((u) => u.username);
const names = (page: { items: readonly Room[] }) => page.items.map((r) => r.name);

await onEachBackend('directory and spotlight searches', (backend) => {
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

  describe('UserRepo.listActive', () => {
    const cast = () => [
      aUser({ username: 'Alice', name: 'Alice Liddell', email: 'wonder@example.test', createdAt: T0 + 2 }),
      aUser({ username: 'bob', name: 'Bob Stone', email: 'alice-fan@example.test', createdAt: T0 + 1 }),
      aUser({ username: 'li', name: '李小龙', createdAt: T0 + 3 }),
      aUser({ username: 'malice', name: 'M', active: false }),
      aUser({ username: 'pct', name: '100% sure_x' }),
    ];

    it('matches username or name case-insensitively, never the email, only active users', async () => {
      for (const user of cast()) await store.users.insert(user);
      const page = await store.users.listActive({ text: 'ALI', offset: 0, count: 10 });
      expect(usernames(page)).toEqual(['Alice']);
      expect(page.total).toBe(1);
      expect(usernames(await store.users.listActive({ text: 'stone', offset: 0, count: 10 }))).toEqual([
        'bob',
      ]);
      expect(usernames(await store.users.listActive({ text: '小龙', offset: 0, count: 10 }))).toEqual(['li']);
      expect((await store.users.listActive({ text: 'example.test', offset: 0, count: 10 })).total).toBe(0);
    });

    it('takes wildcards literally', async () => {
      for (const user of cast()) await store.users.insert(user);
      expect(usernames(await store.users.listActive({ text: '0% s', offset: 0, count: 10 }))).toEqual([
        'pct',
      ]);
      expect((await store.users.listActive({ text: '_', offset: 0, count: 10 })).total).toBe(1);
    });

    it('leaves out the excepted ids, sorts, pages and counts the total', async () => {
      const users = cast();
      for (const user of users) await store.users.insert(user);
      const alice = users[0];
      if (!alice) throw new Error('cast');
      const all = await store.users.listActive({ offset: 0, count: 10, exceptIds: [alice.id] });
      expect(usernames(all)).toEqual(['bob', 'li', 'pct']);
      const byCreation = await store.users.listActive({
        offset: 1,
        count: 1,
        sort: { field: 'createdAt', direction: -1 },
      });
      expect(byCreation.total).toBe(4);
      expect(usernames(byCreation)).toEqual(['Alice']);
    });
  });

  describe('RoomRepo.listVisible', () => {
    it('shows public rooms to anyone and member rooms to their members, by name substring', async () => {
      const alice = aUser({ username: 'alice' });
      const bob = aUser({ username: 'bob' });
      await store.users.insert(alice);
      await store.users.insert(bob);
      const rooms = [
        aRoom({ t: 'c', name: 'Design' }),
        aRoom({ t: 'c', name: '设计团队' }),
        aRoom({ t: 'p', name: 'design-secrets' }),
        aRoom({ t: 'p', name: 'design-other' }),
        aRoom({ t: 'd', uids: [alice.id, bob.id], usernames: ['alice', 'bob'] }),
      ];
      for (const room of rooms) await store.rooms.insert(room);
      const [, , secrets, , dm] = rooms;
      if (!secrets || !dm) throw new Error('rooms');
      await store.subscriptions.insert(aSubscription(secrets, alice));
      await store.subscriptions.insert(aSubscription(dm, alice));

      const query = { publicTypes: ['c'] as const, memberTypes: ['p'] as const, offset: 0, count: 10 };
      const forAlice = await store.rooms.listVisible({ ...query, memberId: alice.id, text: 'DESIGN' });
      expect(names(forAlice)).toEqual(['Design', 'design-secrets']);
      expect(forAlice.total).toBe(2);
      const forBob = await store.rooms.listVisible({ ...query, memberId: bob.id, text: 'design' });
      expect(names(forBob)).toEqual(['Design']);
      expect(names(await store.rooms.listVisible({ ...query, memberId: bob.id, text: '设计' }))).toEqual([
        '设计团队',
      ]);

      const joinedOnly = await store.rooms.listVisible({
        publicTypes: [],
        memberTypes: ['c', 'p', 'd'],
        memberId: alice.id,
        offset: 0,
        count: 10,
      });
      expect(joinedOnly.items.map((r) => r.id).sort()).toEqual([secrets.id, dm.id].sort());
      const nothing = await store.rooms.listVisible({
        publicTypes: [],
        memberTypes: [],
        memberId: alice.id,
        offset: 0,
        count: 10,
      });
      expect(nothing).toEqual({ items: [], total: 0 });
    });

    it('sorts and pages', async () => {
      const alice = aUser();
      await store.users.insert(alice);
      for (const [name, usersCount] of [
        ['a-room', 3],
        ['b-room', 1],
        ['c-room', 2],
      ] as const)
        await store.rooms.insert(aRoom({ t: 'c', name, usersCount }));
      const page = await store.rooms.listVisible({
        publicTypes: ['c'],
        memberTypes: [],
        memberId: alice.id,
        sort: { field: 'usersCount', direction: -1 },
        offset: 1,
        count: 1,
      });
      expect(names(page)).toEqual(['c-room']);
      expect(page.total).toBe(3);
    });
  });
});
