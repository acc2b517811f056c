import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../../domain/messages/message.js';
import { randomIds, type MessageId, type RoomId, type UserId } from '../../domain/shared/ids.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { T0 } from './factories.js';
import { newMessage } from '../../domain/messages/message.js';

function aMessage(rid: RoomId, overrides: Partial<Message> = {}): Message {
  return newMessage({
    id: randomIds.next() as MessageId,
    rid,
    msg: 'hello',
    u: { _id: 'author', username: 'author' },
    ts: T0,
    ...overrides,
  });
}

await onEachBackend('MessageRepo: thread filters and thread tombstones', (backend) => {
  let database: TestDatabase;
  let store: KyselyStore;
  const rid = 'ROOM' as RoomId;
  const page = { offset: 0, count: 50 };

  beforeEach(async () => {
    database = await freshDatabase(backend);
    store = createStore(database.target);
    await store.migrateToLatest();
  });

  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  describe('find', () => {
    it('filters thread parents by follower, by id list and by case-insensitive text', async () => {
      const follower = 'follower' as UserId;
      const followed = aMessage(rid, {
        msg: 'Design REVIEW 50%',
        tcount: 1,
        tlm: T0 + 2,
        replies: [follower],
      });
      const other = aMessage(rid, { msg: 'Release', tcount: 3, tlm: T0 + 1, replies: ['someone' as UserId] });
      await store.messages.insert(followed);
      await store.messages.insert(other);
      await store.messages.insert(aMessage(rid, { msg: 'design chat, no thread' }));

      const byFollower = await store.messages.find({
        roomId: rid,
        threadsOnly: true,
        followedBy: follower,
        ...page,
      });
      expect(byFollower.items.map((m) => m.id)).toEqual([followed.id]);
      expect(byFollower.total).toBe(1);

      const byIds = await store.messages.find({ roomId: rid, threadsOnly: true, ids: [other.id], ...page });
      expect(byIds.items.map((m) => m.id)).toEqual([other.id]);
      const none = await store.messages.find({ roomId: rid, ids: [], ...page });
      expect(none).toEqual({ items: [], total: 0 });

      const byText = await store.messages.find({ roomId: rid, threadsOnly: true, text: 'review', ...page });
      expect(byText.items.map((m) => m.id)).toEqual([followed.id]);
      const wildcard = await store.messages.find({ roomId: rid, text: '%', ...page });
      expect(wildcard.items.map((m) => m.id)).toEqual([followed.id]);
      const underscore = await store.messages.find({ roomId: rid, text: '_', ...page });
      expect(underscore.total).toBe(0);
    });
  });

  describe('deletedSince', () => {
    it('keeps to one thread when given threadOf', async () => {
      const parent = aMessage(rid, { tcount: 2 });
      const reply = aMessage(rid, { tmid: parent.id, deletedAt: T0 + 10 });
      const elsewhere = aMessage(rid, { deletedAt: T0 + 10 });
      for (const m of [parent, reply, elsewhere]) await store.messages.insert(m);

      const inThread = await store.messages.deletedSince(rid, T0, page, parent.id);
      expect(inThread.items.map((m) => m.id)).toEqual([reply.id]);
      expect(inThread.total).toBe(1);
      const inRoom = await store.messages.deletedSince(rid, T0, page);
      expect(inRoom.total).toBe(2);
    });
  });
});
