import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Room } from '../../domain/rooms/room.js';
import { randomIds, type RoomId } from '../../domain/shared/ids.js';
import type { Subscription } from '../../domain/subscriptions/subscription.js';
import type { User } from '../../domain/users/user.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aUser, T0 } from './factories.js';
import { newRoom } from '../../domain/rooms/room.js';

function aRoom(name: string): Room {
  return newRoom({
    id: randomIds.next() as RoomId,
    t: 'c',
    name,
    fname: name,
    createdAt: T0,
  });
}

function aSubscription(room: Room, user: User): Subscription {
  return {
    id: randomIds.next(),
    roomId: room.id,
    userId: user.id,
    username: user.username,
    t: room.t,
    name: room.name ?? '',
    fname: room.fname ?? '',
    open: true,
    alert: false,
    unread: 0,
    userMentions: 0,
    groupMentions: 0,
    tunread: [],
    tunreadUser: [],
    tunreadGroup: [],
    roles: [],
    favorite: false,
    archived: false,
    ls: null,
    lr: null,
    joinedAt: T0,
    updatedAt: T0,
  };
}

await onEachBackend('SubscriptionRepo.updateAllOfRoom', (backend) => {
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

  it('patches every membership of the room and no other, and counts them', async () => {
    const alice = aUser({ username: 'alice' });
    const bob = aUser({ username: 'bob' });
    await store.users.insert(alice);
    await store.users.insert(bob);
    const room = aRoom('design');
    const other = aRoom('other');
    await store.rooms.insert(room);
    await store.rooms.insert(other);
    await store.subscriptions.insert(aSubscription(room, alice));
    await store.subscriptions.insert(aSubscription(room, bob));
    await store.subscriptions.insert(aSubscription(other, alice));

    const patch = { name: 'renamed', fname: 'Renamed', t: 'p', archived: true, open: false } as const;
    expect(await store.subscriptions.updateAllOfRoom(room.id, patch, T0 + 5)).toBe(2);
    for (const sub of await store.subscriptions.ofRoom(room.id)) {
      expect(sub).toMatchObject({ ...patch, updatedAt: T0 + 5 });
    }
    expect(await store.subscriptions.byRoomAndUser(other.id, alice.id)).toMatchObject({
      name: 'other',
      t: 'c',
      archived: false,
      open: true,
      updatedAt: T0,
    });
    expect(await store.subscriptions.updateAllOfRoom(randomIds.next() as RoomId, patch, T0)).toBe(0);
  });
});
