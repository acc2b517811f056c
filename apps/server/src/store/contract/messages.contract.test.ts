import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message, MessagePatch } from '../../domain/messages/message.js';
import { UniqueViolation, type MessageQuery } from '../../domain/ports/store.js';
import type { Room } from '../../domain/rooms/room.js';
import type { UserId } from '../../domain/shared/ids.js';
import type { User } from '../../domain/users/user.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aUser, byCodeUnit, LAST_DATE_MS, T0, userId } from './factories.js';
import { aMessage, aRoom, messageId } from './room-factories.js';

const ids = (messages: readonly Message[]): string[] => messages.map((m) => m.id);

/** Newest first, ties broken by id in the same direction, as history pages are served. */
const newestFirst = (messages: readonly Message[]): string[] =>
  [...messages].sort((a, b) => b.ts - a.ts || byCodeUnit(b.id, a.id)).map((m) => m.id);

await onEachBackend('MessageRepo', (backend) => {
  let database: TestDatabase;
  let store: KyselyStore;
  const alice = aUser({ username: 'alice', name: 'Alice' });
  const bob = aUser({ username: 'bob', name: 'Bob' });
  const carol = aUser({ username: 'carol', name: 'Carol' });
  const general = aRoom({ name: 'general' });
  const random = aRoom({ name: 'random' });

  beforeEach(async () => {
    database = await freshDatabase(backend);
    store = createStore(database.target);
    await store.migrateToLatest();
  });

  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  async function post(room: Room, author: User, overrides: Partial<Message> = {}): Promise<Message> {
    const message = aMessage(room, author, overrides);
    await store.messages.insert(message);
    return message;
  }

  async function find(query: Partial<MessageQuery> = {}): Promise<{ ids: string[]; total: number }> {
    const page = await store.messages.find({ roomId: general.id, offset: 0, count: 100, ...query });
    return { ids: ids(page.items), total: page.total };
  }

  describe('insert and byId', () => {
    it('round-trips every field exactly: unicode, nested JSON, references, big timestamps', async () => {
      const full: Message = {
        id: messageId(),
        rid: general.id,
        msg: 'Grüße @bob — see #random 🎉\nline "two" \\ 會議',
        t: null,
        u: { _id: alice.id, username: 'alice', name: 'Alice Liddell — 愛麗絲' },
        ts: 2 ** 42 + 7,
        updatedAt: LAST_DATE_MS,
        tmid: messageId(),
        tshow: true,
        tcount: 3,
        tlm: T0 + 99,
        replies: [bob.id, carol.id],
        mentions: [
          { _id: bob.id, username: 'bob', name: 'Bob ✨', type: 'user' },
          { _id: 'team-id', username: 'devs', type: 'team' },
        ],
        channels: [{ _id: random.id, name: 'random' }],
        md: [{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: 'Grüße' }, null, 1.5, true] }],
        attachments: [{ title: 'Ünïcode.pdf', size: 12_345, fields: [{ short: true, value: 'x' }] }],
        reactions: {
          ':tada:': { usernames: ['bob', 'çağla'], names: ['Bob', 'Çağla'] },
          '👍': { usernames: [], names: [] },
        },
        editedAt: T0 + 5,
        editedBy: { _id: alice.id, username: 'alice' },
        pinned: true,
        pinnedAt: T0 + 6,
        pinnedBy: { _id: carol.id, username: 'carol', name: 'Carol' },
        starredBy: [bob.id],
        alias: 'Büro-Bot',
        emoji: ':robot:',
        avatar: 'https://example.test/a.png?x="1"',
        extra: { role: 'owner', nested: { list: [1, '两', false, null] } },
        deletedAt: null,
      };
      await store.messages.insert(full);

      expect(await store.messages.byId(full.id)).toStrictEqual(full);
    });

    it('round-trips a system message with an author without a name, and a tombstone', async () => {
      const system = aMessage(general, alice, {
        t: 'uj',
        msg: '',
        u: { _id: alice.id, username: 'alice' },
        extra: {},
      });
      const tombstone = aMessage(general, bob, { msg: '', deletedAt: T0 + 1 });
      await store.messages.insert(system);
      await store.messages.insert(tombstone);

      expect(await store.messages.byId(system.id)).toStrictEqual(system);
      expect(Object.keys((await store.messages.byId(system.id))?.u ?? {})).toEqual(['_id', 'username']);
      expect(await store.messages.byId(tombstone.id)).toStrictEqual(tombstone);
    });

    it('refuses a taken id with UniqueViolation on id, keeping the first message', async () => {
      const first = await post(general, alice, { msg: 'first' });
      const error: unknown = await store.messages
        .insert(aMessage(random, bob, { id: first.id, msg: 'second' }))
        .then(
          () => null,
          (e: unknown) => e,
        );

      expect(error).toBeInstanceOf(UniqueViolation);
      expect((error as UniqueViolation).key).toBe('id');
      expect(await store.messages.byId(first.id)).toStrictEqual(first);
    });

    it('answers null for an unknown id', async () => {
      await post(general, alice);

      expect(await store.messages.byId(messageId())).toBeNull();
    });
  });

  describe('update', () => {
    it('applies only the patch fields and sets updatedAt', async () => {
      const message = await post(general, alice, { msg: 'old', alias: 'kept' });
      const patch: MessagePatch = {
        msg: 'edited ✏️ @carol',
        md: [{ type: 'PARAGRAPH', value: [] }],
        mentions: [{ _id: carol.id, username: 'carol', type: 'user' }],
        channels: [{ _id: random.id, name: 'random' }],
        attachments: [{ title: 'new' }],
        reactions: { ':+1:': { usernames: ['bob'], names: ['Bob'] } },
        editedAt: T0 + 8,
        editedBy: { _id: alice.id, username: 'alice' },
        pinned: true,
        pinnedAt: T0 + 8,
        pinnedBy: { _id: bob.id, username: 'bob' },
        starredBy: [bob.id, carol.id],
        tcount: 4,
        tlm: 2 ** 42,
        replies: [bob.id],
        u: { _id: alice.id, username: 'alice2' },
      };

      const updated = await store.messages.update(message.id, patch, T0 + 9_000);

      const expected: Message = { ...message, ...patch, updatedAt: T0 + 9_000 };
      expect(updated).toStrictEqual(expected);
      expect(await store.messages.byId(message.id)).toStrictEqual(expected);
    });

    it('clears references when the patch says null, and unpins', async () => {
      const message = await post(general, alice, {
        pinned: true,
        pinnedAt: T0,
        pinnedBy: { _id: bob.id, username: 'bob' },
        editedAt: T0,
        editedBy: { _id: bob.id, username: 'bob' },
      });

      const updated = await store.messages.update(
        message.id,
        { pinned: false, pinnedAt: null, pinnedBy: null, editedAt: null, editedBy: null },
        T0 + 1,
      );

      expect(updated).toStrictEqual({
        ...message,
        pinned: false,
        pinnedAt: null,
        pinnedBy: null,
        editedAt: null,
        editedBy: null,
        updatedAt: T0 + 1,
      });
    });

    it('changes whom the message mentions for the mentions filter', async () => {
      const message = await post(general, alice, {
        mentions: [{ _id: bob.id, username: 'bob', type: 'user' }],
      });

      await store.messages.update(
        message.id,
        { mentions: [{ _id: carol.id, username: 'carol', type: 'user' }] },
        T0 + 1,
      );

      expect((await find({ mentions: bob.id })).ids).toEqual([]);
      expect((await find({ mentions: carol.id })).ids).toEqual([message.id]);
    });

    it('answers null for an unknown id and creates nothing', async () => {
      const ghost = messageId();

      expect(await store.messages.update(ghost, { msg: 'boo' }, T0 + 1)).toBeNull();
      expect(await store.messages.byId(ghost)).toBeNull();
    });
  });

  describe('find', () => {
    /** A room's history: plain messages, a thread with a hidden and a shown reply, a tombstone, a tie on ts. */
    async function history() {
      const first = await post(general, alice, { ts: T0 + 10 });
      const pinned = await post(general, bob, { ts: T0 + 20, pinned: true, pinnedAt: T0 + 21 });
      const parent = await post(general, alice, {
        ts: T0 + 30,
        tcount: 2,
        tlm: T0 + 50,
        replies: [bob.id, carol.id],
      });
      const hiddenReply = await post(general, bob, { ts: T0 + 40, tmid: parent.id, tshow: false });
      const shownReply = await post(general, carol, { ts: T0 + 50, tmid: parent.id, tshow: true });
      const tombstone = await post(general, bob, { ts: T0 + 60, msg: '', pinned: true, deletedAt: T0 + 61 });
      const tieA = await post(general, carol, { ts: T0 + 70 });
      const tieB = await post(general, alice, { ts: T0 + 70 });
      const elsewhere = await post(random, alice, { ts: T0 + 35 });
      const live = [first, pinned, parent, hiddenReply, shownReply, tieA, tieB];
      return { first, pinned, parent, hiddenReply, shownReply, tombstone, tieA, tieB, elsewhere, live };
    }

    it("answers the room's live messages newest first, ties by id, with the total, and no other room's", async () => {
      const { live } = await history();

      expect(await find()).toStrictEqual({ ids: newestFirst(live), total: live.length });
    });

    it('answers them oldest first on request', async () => {
      const { live } = await history();

      expect((await find({ order: 'oldest' })).ids).toEqual(newestFirst(live).reverse());
    });

    it('pages with offset and count while total counts every match', async () => {
      const { live } = await history();

      expect(await find({ offset: 2, count: 3 })).toStrictEqual({
        ids: newestFirst(live).slice(2, 5),
        total: live.length,
      });
      expect(await find({ offset: 20, count: 3 })).toStrictEqual({ ids: [], total: live.length });
    });

    it('keeps only messages before latest and after oldest, exclusive unless inclusive', async () => {
      const { first, pinned, parent, hiddenReply, shownReply } = await history();

      expect((await find({ latest: T0 + 50 })).ids).toEqual([hiddenReply.id, parent.id, pinned.id, first.id]);
      expect((await find({ oldest: T0 + 20, latest: T0 + 50 })).ids).toEqual([hiddenReply.id, parent.id]);
      expect((await find({ oldest: T0 + 20, latest: T0 + 50, inclusive: true })).ids).toEqual([
        shownReply.id,
        hiddenReply.id,
        parent.id,
        pinned.id,
      ]);
      expect(await find({ oldest: T0 + 20, latest: T0 + 50, inclusive: true, count: 1 })).toStrictEqual({
        ids: [shownReply.id],
        total: 4,
      });
    });

    it('leaves out thread replies not shown in the room with hideThreadReplies', async () => {
      const { hiddenReply, live } = await history();

      const page = await find({ hideThreadReplies: true });

      expect(page.ids).toEqual(newestFirst(live.filter((m) => m !== hiddenReply)));
      expect(page.total).toBe(live.length - 1);
    });

    it('keeps only pinned live messages with pinned', async () => {
      const { pinned } = await history();

      expect(await find({ pinned: true })).toStrictEqual({ ids: [pinned.id], total: 1 });
    });

    it('keeps only messages starred by the user, not by a user whose id extends theirs', async () => {
      const prefix = userId();
      const longer = `${prefix}x` as UserId;
      const starred = await post(general, alice, { ts: T0 + 1, starredBy: [carol.id, prefix, bob.id] });
      await post(general, alice, { ts: T0 + 2, starredBy: [longer] });
      await post(general, alice, { ts: T0 + 3, starredBy: [`x${prefix}` as UserId] });
      await post(random, alice, { ts: T0 + 4, starredBy: [prefix] });
      await post(general, alice, { ts: T0 + 5, starredBy: [prefix], deletedAt: T0 + 6 });

      expect(await find({ starredBy: prefix })).toStrictEqual({ ids: [starred.id], total: 1 });
      expect((await find({ starredBy: prefix.slice(0, -1) as UserId })).ids).toEqual([]);
    });

    it('keeps only messages mentioning the user, not one whose id starts or ends with theirs', async () => {
      const prefix = userId();
      const mention = (id: string) => ({ _id: id, username: `u-${id}`, type: 'user' as const });
      const first = await post(general, alice, { ts: T0 + 1, mentions: [mention(prefix)] });
      const middle = await post(general, alice, {
        ts: T0 + 2,
        mentions: [mention(bob.id), mention(prefix), mention(carol.id)],
      });
      await post(general, alice, { ts: T0 + 3, mentions: [mention(`${prefix}x`)] });
      await post(general, alice, { ts: T0 + 4, mentions: [mention(`x${prefix}`)] });
      await post(random, alice, { ts: T0 + 5, mentions: [mention(prefix)] });

      expect(await find({ mentions: prefix })).toStrictEqual({ ids: [middle.id, first.id], total: 2 });
      expect((await find({ mentions: prefix.slice(1) as UserId })).ids).toEqual([]);
    });

    it('answers the live replies of a thread, oldest first, without the parent', async () => {
      const { parent, hiddenReply, shownReply } = await history();
      await post(general, alice, { ts: T0 + 55, tmid: parent.id, deletedAt: T0 + 56 });
      await post(general, alice, { ts: T0 + 45, tmid: messageId() });

      expect(await find({ threadOf: parent.id, order: 'oldest' })).toStrictEqual({
        ids: [hiddenReply.id, shownReply.id],
        total: 2,
      });
      expect((await find({ threadOf: parent.id, order: 'oldest', count: 1, offset: 1 })).ids).toEqual([
        shownReply.id,
      ]);
    });

    it("does not answer a thread's replies for another room", async () => {
      const { parent } = await history();

      const page = await store.messages.find({
        roomId: random.id,
        threadOf: parent.id,
        offset: 0,
        count: 10,
      });

      expect(page).toStrictEqual({ items: [], total: 0 });
    });

    it('keeps only thread parents with threadsOnly, ordered by their last reply', async () => {
      const early = await post(general, alice, { ts: T0 + 1, tcount: 5, tlm: T0 + 90 });
      const late = await post(general, alice, { ts: T0 + 30, tcount: 1, tlm: T0 + 40 });
      await post(general, alice, { ts: T0 + 50, tcount: 0, tlm: null });
      await post(general, alice, { ts: T0 + 60, tcount: 2, tlm: T0 + 95, deletedAt: T0 + 99 });

      expect(await find({ threadsOnly: true })).toStrictEqual({ ids: [early.id, late.id], total: 2 });
      expect((await find({ threadsOnly: true, order: 'oldest' })).ids).toEqual([late.id, early.id]);
    });
  });

  describe('find by thread followers, ids and text', () => {
    it('keeps only thread parents the user follows, not one followed by a user whose id extends theirs', async () => {
      const prefix = userId();
      const followed = await post(general, alice, { ts: T0 + 1, tcount: 1, replies: [bob.id, prefix] });
      await post(general, alice, { ts: T0 + 2, tcount: 1, replies: [`${prefix}x` as UserId] });
      await post(random, alice, { ts: T0 + 3, tcount: 1, replies: [prefix] });

      expect(await find({ followedBy: prefix })).toStrictEqual({ ids: [followed.id], total: 1 });
    });

    it('keeps only the listed live messages of the room, and none for an empty list', async () => {
      const wanted = await post(general, alice, { ts: T0 + 1 });
      const alsoWanted = await post(general, bob, { ts: T0 + 2 });
      await post(general, alice, { ts: T0 + 3 });
      const tombstone = await post(general, alice, { ts: T0 + 4, deletedAt: T0 + 5 });
      const elsewhere = await post(random, alice, { ts: T0 + 6 });

      expect(await find({ ids: [wanted.id, alsoWanted.id, tombstone.id, elsewhere.id] })).toStrictEqual({
        ids: [alsoWanted.id, wanted.id],
        total: 2,
      });
      expect(await find({ ids: [] })).toStrictEqual({ ids: [], total: 0 });
    });

    it('filters by a case-insensitive substring of the text, with LIKE wildcards matched literally', async () => {
      const greeting = await post(general, alice, { ts: T0 + 1, msg: 'Hello World' });
      const percent = await post(general, alice, { ts: T0 + 2, msg: 'up 50% today' });
      const underscore = await post(general, alice, { ts: T0 + 3, msg: 'see snake_case' });
      await post(general, alice, { ts: T0 + 4, msg: 'up 500 today, snakeXcase' });
      await post(random, alice, { ts: T0 + 5, msg: 'hello world' });

      expect(await find({ text: 'WORLD' })).toStrictEqual({ ids: [greeting.id], total: 1 });
      expect((await find({ text: '0%' })).ids).toEqual([percent.id]);
      expect((await find({ text: 'e_c' })).ids).toEqual([underscore.id]);
    });
  });

  describe('updatedSince', () => {
    it('answers live messages changed strictly after since, oldest change first, ties by id', async () => {
      const sameA = await post(general, alice, { ts: T0 + 1, updatedAt: T0 + 30 });
      const sameB = await post(general, alice, { ts: T0 + 2, updatedAt: T0 + 30 });
      const earlier = await post(general, alice, { ts: T0 + 3, updatedAt: T0 + 20 });
      await post(general, alice, { ts: T0 + 4, updatedAt: T0 + 10 });
      await post(general, alice, { ts: T0 + 5, updatedAt: T0 + 40, deletedAt: T0 + 40 });
      await post(random, alice, { ts: T0 + 6, updatedAt: T0 + 50 });

      const changed = await store.messages.updatedSince(general.id, T0 + 10, { offset: 0, count: 10 });

      expect(ids(changed)).toEqual([earlier.id, ...[sameA.id, sameB.id].sort(byCodeUnit)]);
      expect(changed[0]).toStrictEqual(earlier);
    });

    it('pages with offset and count', async () => {
      const messages: Message[] = [];
      for (let i = 1; i <= 5; i++) messages.push(await post(general, alice, { updatedAt: T0 + i }));

      const page = await store.messages.updatedSince(general.id, T0, { offset: 1, count: 2 });

      expect(ids(page)).toEqual(ids(messages.slice(1, 3)));
    });

    it('keeps only replies of one thread when asked', async () => {
      const parent = await post(general, alice, { updatedAt: T0 + 5, tcount: 1 });
      const reply = await post(general, bob, { tmid: parent.id, updatedAt: T0 + 6 });
      await post(general, bob, { tmid: messageId(), updatedAt: T0 + 7 });

      expect(
        ids(await store.messages.updatedSince(general.id, T0, { offset: 0, count: 10 }, parent.id)),
      ).toEqual([reply.id]);
    });
  });

  describe('deletedSince', () => {
    it('answers tombstones deleted strictly after since, oldest deletion first, with the total', async () => {
      await post(general, alice, { updatedAt: T0 + 50 });
      await post(general, alice, { msg: '', deletedAt: T0 + 10 });
      const second = await post(general, alice, { msg: '', deletedAt: T0 + 30 });
      const first = await post(general, alice, { msg: '', deletedAt: T0 + 20 });
      const third = await post(general, alice, { msg: '', deletedAt: 2 ** 42 });
      await post(random, alice, { msg: '', deletedAt: T0 + 40 });

      const page = await store.messages.deletedSince(general.id, T0 + 10, { offset: 0, count: 10 });
      const paged = await store.messages.deletedSince(general.id, T0 + 10, { offset: 1, count: 1 });

      expect(page).toStrictEqual({ items: [first, second, third], total: 3 });
      expect(paged).toStrictEqual({ items: [second], total: 3 });
    });

    it('keeps only replies of one thread when asked', async () => {
      const parent = await post(general, alice, { tcount: 2 });
      const reply = await post(general, bob, { tmid: parent.id, msg: '', deletedAt: T0 + 5 });
      await post(general, bob, { tmid: messageId(), msg: '', deletedAt: T0 + 6 });
      await post(general, bob, { msg: '', deletedAt: T0 + 7 });

      expect(
        await store.messages.deletedSince(general.id, T0, { offset: 0, count: 10 }, parent.id),
      ).toStrictEqual({
        items: [reply],
        total: 1,
      });
    });

    it('sees a message deleted through update', async () => {
      const message = await post(general, alice);

      await store.messages.update(message.id, { msg: '', md: [], deletedAt: T0 + 5 }, T0 + 5);

      expect(
        ids((await store.messages.deletedSince(general.id, T0, { offset: 0, count: 10 })).items),
      ).toEqual([message.id]);
      expect(await find()).toStrictEqual({ ids: [], total: 0 });
      expect(await store.messages.updatedSince(general.id, T0, { offset: 0, count: 10 })).toEqual([]);
    });
  });

  describe('countAfter', () => {
    it("counts other people's live messages after since, leaving out thread-only replies", async () => {
      const parent = await post(general, bob, { ts: T0 + 20, tcount: 2 });
      await post(general, bob, { ts: T0 + 10 });
      await post(general, carol, { ts: T0 + 15 });
      await post(general, alice, { ts: T0 + 30 });
      await post(general, bob, { ts: T0 + 40, tmid: parent.id, tshow: false });
      await post(general, carol, { ts: T0 + 50, tmid: parent.id, tshow: true });
      await post(general, carol, { ts: T0 + 60, deletedAt: T0 + 61 });
      await post(general, carol, { ts: T0 + 70, t: 'uj' });
      await post(random, bob, { ts: T0 + 80 });

      expect(await store.messages.countAfter(general.id, T0 + 15, alice.id)).toBe(3);
      expect(await store.messages.countAfter(general.id, T0 + 14, alice.id)).toBe(4);
      expect(await store.messages.countAfter(general.id, T0 + 70, alice.id)).toBe(0);
      expect(await store.messages.countAfter(general.id, 0, bob.id)).toBe(4);
    });
  });

  describe('deleteAllOfRoom', () => {
    it("removes every message of the room, tombstones included, and no other room's", async () => {
      await post(general, alice);
      await post(general, bob, { deletedAt: T0 + 1 });
      const kept = await post(random, alice);

      expect(await store.messages.deleteAllOfRoom(general.id)).toBe(2);

      expect(await find()).toStrictEqual({ ids: [], total: 0 });
      expect(await store.messages.deletedSince(general.id, 0, { offset: 0, count: 10 })).toStrictEqual({
        items: [],
        total: 0,
      });
      expect(await store.messages.byId(kept.id)).toStrictEqual(kept);
      expect(await store.messages.deleteAllOfRoom(general.id)).toBe(0);
    });
  });
});
