import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  roomRefOf,
  toAll,
  toLogged,
  toRoom,
  toUser,
  type DomainEvent,
  type StoredEvent,
} from '../../domain/events/events.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aSetting, aUser, LAST_DATE_MS, T0 } from './factories.js';
import { aMessage, aRoom } from './room-factories.js';

const alice = aUser({ username: 'alice' });
const bob = aUser({ username: 'bob' });
const room = aRoom();
const dm = aRoom({ t: 'd', uids: [alice.id, bob.id], usernames: ['alice', 'bob'] });

/** A message with every kind of field a payload carries: nested objects, arrays, nulls, Unicode. */
const message = aMessage(dm, alice, {
  msg: 'héllo 👋 "quoted" \\ back',
  md: [{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: 'héllo 👋' }] }],
  mentions: [{ _id: bob.id, username: 'bob', name: 'Bob', type: 'user' }],
  reactions: { ':tada:': { usernames: ['bob'], names: ['Bob'] } },
  replies: [alice.id, bob.id],
  tlm: LAST_DATE_MS,
  extra: { role: 'owner' },
});

function saved(created = true): DomainEvent {
  return { type: 'message.saved', audience: toRoom(dm.id), room: roomRefOf(dm), message, created };
}

function read(until: number): DomainEvent {
  return { type: 'room.read', audience: toRoom(room.id), roomId: room.id, userId: alice.id, until };
}

const revoked: DomainEvent = { type: 'user.sessions-revoked', audience: toUser(bob.id), userId: bob.id };

/** Events without their stream position and time, to compare with what was appended. */
const bare = (events: readonly StoredEvent[]): DomainEvent[] =>
  events.map(({ position: _position, at: _at, ...event }) => event);

await onEachBackend('EventRepo (the outbox)', (backend) => {
  let database: TestDatabase;
  let store: KyselyStore;
  let heard: StoredEvent[][];

  beforeEach(async () => {
    database = await freshDatabase(backend);
    store = createStore(database.target);
    await store.migrateToLatest();
    heard = [];
    store.onEventsCommitted((events) => heard.push([...events]));
  });

  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  describe('append and since', () => {
    it('stores events that come back unchanged: payload fields, every audience kind, and the time', async () => {
      const events: DomainEvent[] = [
        saved(),
        { type: 'room.saved', audience: toRoom(room.id), room },
        {
          type: 'subscriptions.changed',
          audience: toRoom(room.id),
          roomId: room.id,
          userIds: null,
          change: 'updated',
        },
        revoked,
        {
          type: 'user.changed',
          audience: toLogged,
          userId: alice.id,
          username: 'alice2',
          name: 'Alice',
          previousUsername: 'alice',
        },
        { type: 'setting.changed', audience: toAll, setting: aSetting({ public: true, value: true }) },
      ];
      await store.events.append(events, T0);

      const stored = await store.events.since(0, 100);
      expect(bare(stored)).toStrictEqual(events);
      expect(stored.map((e) => e.audience.kind)).toEqual(['room', 'room', 'room', 'user', 'logged', 'all']);
      expect(stored.every((e) => e.at === T0)).toBe(true);
    });

    it('gives strictly increasing positions, within a batch and across batches, in append order', async () => {
      await store.events.append([read(1), read(2), read(3)], T0);
      await store.events.append([read(4)], T0 + 1);
      await store.transaction((tx) => tx.events.append([read(5), read(6)], T0 + 2));

      const stored = await store.events.since(0, 100);
      expect(stored.map((e) => (e.type === 'room.read' ? e.until : null))).toEqual([1, 2, 3, 4, 5, 6]);
      const positions = stored.map((e) => e.position);
      for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1] ?? 0);
      expect(await store.events.latestPosition()).toBe(positions.at(-1));
    });

    it('pages with since: only events after the position, oldest first, at most `limit`', async () => {
      await store.events.append([read(1), read(2), read(3), read(4), read(5)], T0);
      const all = await store.events.since(0, 100);
      const third = all[2]?.position ?? -1;

      const page = await store.events.since(all[0]?.position ?? -1, 2);
      expect(page.map((e) => e.position)).toEqual(all.slice(1, 3).map((e) => e.position));
      expect(await store.events.since(third, 100)).toStrictEqual(all.slice(3));
      expect(await store.events.since(all.at(-1)?.position ?? -1, 100)).toEqual([]);
    });

    it('answers 0 as the latest position of an empty outbox, and ignores an empty append', async () => {
      expect(await store.events.latestPosition()).toBe(0);
      await store.events.append([], T0);
      expect(await store.events.since(0, 10)).toEqual([]);
      expect(heard).toEqual([]);
    });
  });

  describe('pruneBefore', () => {
    it('deletes the events stored before the time, keeps the rest, and never reuses a position', async () => {
      await store.events.append([read(1), read(2)], T0);
      await store.events.append([read(3)], T0 + 10);
      const before = await store.events.latestPosition();

      expect(await store.events.pruneBefore(T0 + 10)).toBe(2);
      expect(bare(await store.events.since(0, 10))).toEqual([read(3)]);
      expect(await store.events.pruneBefore(T0 + 11)).toBe(1);
      expect(await store.events.latestPosition()).toBe(0);

      // A consumer's cursor stays meaningful: new events come after every position handed out.
      await store.events.append([read(4)], T0 + 20);
      expect(await store.events.latestPosition()).toBeGreaterThan(before);
    });
  });

  describe('onEventsCommitted', () => {
    it('hears an append outside a transaction at once, with the positions the outbox gave', async () => {
      await store.events.append([read(1), revoked], T0);
      expect(heard).toHaveLength(1);
      expect(heard[0]).toStrictEqual(await store.events.since(0, 10));
    });

    it('hears a transaction’s events only after it commits, in one batch', async () => {
      await store.transaction(async (tx) => {
        await tx.events.append([saved()], T0);
        await tx.users.insert(alice);
        await tx.events.append([read(1)], T0);
        expect(heard).toEqual([]);
      });
      expect(heard).toHaveLength(1);
      expect(bare(heard[0] ?? [])).toStrictEqual([saved(), read(1)]);
      expect(heard[0]).toStrictEqual(await store.events.since(0, 10));
    });

    it('routes appends through `store.events` inside a transaction to that transaction', async () => {
      await store.transaction(async () => {
        await store.events.append([read(1)], T0);
        expect(heard).toEqual([]);
      });
      expect(heard.map(bare)).toEqual([[read(1)]]);
    });

    it('joins a nested transaction to the outer one: nothing is heard until the outer commits', async () => {
      await store.transaction(async (outer) => {
        await outer.events.append([read(1)], T0);
        await store.transaction((inner) => inner.events.append([read(2)], T0));
        expect(heard).toEqual([]);
        await outer.events.append([read(3)], T0);
      });
      expect(heard.map(bare)).toEqual([[read(1), read(2), read(3)]]);
    });

    it('hears nothing and stores nothing when the transaction rolls back', async () => {
      const failure = new Error('refused');
      await expect(
        store.transaction(async (tx) => {
          await tx.users.insert(bob);
          await tx.events.append([saved(), revoked], T0);
          await store.transaction((inner) => inner.events.append([read(1)], T0));
          throw failure;
        }),
      ).rejects.toBe(failure);

      expect(heard).toEqual([]);
      expect(await store.events.since(0, 10)).toEqual([]);
      expect(await store.events.latestPosition()).toBe(0);
      expect(await store.users.byId(bob.id)).toBeNull();
    });

    it('tells every listener, batch by batch in commit order', async () => {
      const second: number[][] = [];
      store.onEventsCommitted((events) => second.push(events.map((e) => e.position)));
      await store.transaction((tx) => tx.events.append([read(1)], T0));
      await store.events.append([read(2), read(3)], T0);

      expect(heard.map(bare)).toEqual([[read(1)], [read(2), read(3)]]);
      expect(second).toEqual(heard.map((batch) => batch.map((e) => e.position)));
    });
  });
});
