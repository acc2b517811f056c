import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UniqueViolation, type RoomListQuery } from '../../domain/ports/store.js';
import type { Room, RoomType } from '../../domain/rooms/room.js';
import type { UserId } from '../../domain/shared/ids.js';
import type { User } from '../../domain/users/user.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aUser, byCodeUnit, LAST_DATE_MS, T0, userId } from './factories.js';
import { aRoom, aSubscription, messageId, roomId } from './room-factories.js';

/** Rejects with a UniqueViolation on the room name, which the domain maps to `error-duplicate-channel-name`. */
async function expectNameTaken(work: Promise<unknown>): Promise<void> {
  const error: unknown = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UniqueViolation);
  expect((error as UniqueViolation).key, (error as UniqueViolation).key).toMatch(/^name/);
}

type SortField = NonNullable<RoomListQuery['sort']>['field'];

/** The order `list` promises: the field (a room never posted in counts as oldest), then the id. */
function sortedIds(rooms: readonly Room[], field: SortField, direction: 1 | -1): string[] {
  const key: Record<SortField, (r: Room) => string | number> = {
    name: (r) => r.name?.toLowerCase() ?? '',
    createdAt: (r) => r.createdAt,
    usersCount: (r) => r.usersCount,
    lastMessageAt: (r) => r.lastMessageAt ?? -Infinity,
  };
  return [...rooms]
    .sort((a, b) => {
      const ka = key[field](a);
      const kb = key[field](b);
      const byKey = ka < kb ? -1 : ka > kb ? 1 : 0;
      return direction * byKey || byCodeUnit(a.id, b.id);
    })
    .map((r) => r.id);
}

const ids = (rooms: readonly Room[]): string[] => rooms.map((r) => r.id);

await onEachBackend('RoomRepo', (backend) => {
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

  async function insertAll(rooms: readonly Room[]): Promise<void> {
    for (const room of rooms) await store.rooms.insert(room);
  }

  async function insertUsers(...users: User[]): Promise<void> {
    for (const user of users) await store.users.insert(user);
  }

  describe('insert and byId', () => {
    it('round-trips every field of a channel exactly: booleans, unicode, JSON lists, big timestamps', async () => {
      const general: Room = {
        id: roomId(),
        t: 'p',
        name: 'Général-會議',
        fname: 'Général — 會議 🎉',
        creatorId: userId(),
        creatorUsername: 'alice',
        topic: 'Line one\nLine "two" \\ Zürich',
        description: 'Ünïcödé 👩‍👩‍👧',
        announcement: "Don't panic",
        readOnly: true,
        isDefault: true,
        archived: true,
        joinCodeHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
        readReceipts: true,
        msgs: 1_234_567,
        usersCount: 12_345,
        lastMessageId: messageId(),
        lastMessageAt: LAST_DATE_MS,
        uids: [],
        usernames: ['alice', 'bob', 'çağla'],
        muted: ['bob', 'd"q'],
        createdAt: T0 + 1,
        updatedAt: 2 ** 42 + 7,
      };
      await store.rooms.insert(general);

      expect(await store.rooms.byId(general.id)).toStrictEqual(general);
    });

    it('round-trips a DM: no name, its sorted members, nulls and empty lists', async () => {
      const [a, b] = [userId(), userId()].sort(byCodeUnit) as [UserId, UserId];
      const dm = aRoom({ t: 'd', uids: [a, b], usernames: ['alice', 'bob'], muted: [] });
      await store.rooms.insert(dm);

      expect(await store.rooms.byId(dm.id)).toStrictEqual(dm);
      expect(dm).toMatchObject({ name: null, fname: null, lastMessageAt: null, joinCodeHash: null });
    });

    it('answers null for an unknown id', async () => {
      await store.rooms.insert(aRoom());

      expect(await store.rooms.byId(roomId())).toBeNull();
    });
  });

  describe('byName', () => {
    it('finds channels and groups whatever the case, keeping the stored spelling', async () => {
      const general = aRoom({ t: 'c', name: 'General' });
      const secret = aRoom({ t: 'p', name: 'Ünal-Team' });
      await insertAll([general, secret]);

      expect(await store.rooms.byName('gENERAL')).toStrictEqual(general);
      expect(await store.rooms.byName('General')).toStrictEqual(general);
      expect(await store.rooms.byName('ünal-team')).toStrictEqual(secret);
    });

    it('answers null for a prefix, an unknown name, or a name only a DM member has', async () => {
      await insertAll([aRoom({ name: 'general' }), aRoom({ t: 'd', uids: [userId()], usernames: ['bob'] })]);

      expect(await store.rooms.byName('gen')).toBeNull();
      expect(await store.rooms.byName('random')).toBeNull();
      expect(await store.rooms.byName('bob')).toBeNull();
    });
  });

  describe('name uniqueness', () => {
    it('refuses a channel name taken by a group in another case with UniqueViolation, inserting nothing', async () => {
      await store.rooms.insert(aRoom({ t: 'p', name: 'general' }));
      const impostor = aRoom({ t: 'c', name: 'GENERAL' });

      await expectNameTaken(store.rooms.insert(impostor));
      expect(await store.rooms.byId(impostor.id)).toBeNull();
    });

    it('refuses a group name taken by a channel in another case', async () => {
      await store.rooms.insert(aRoom({ t: 'c', name: 'Random' }));

      await expectNameTaken(store.rooms.insert(aRoom({ t: 'p', name: 'rANDOM' })));
    });

    it('lets any number of DMs have no name', async () => {
      const first = aRoom({ t: 'd', uids: [userId(), userId()] });
      const second = aRoom({ t: 'd', uids: [userId(), userId()] });
      await insertAll([first, second]);

      expect(await store.rooms.byId(second.id)).toStrictEqual(second);
    });
  });

  describe('update', () => {
    it('applies only the patch fields and sets updatedAt', async () => {
      const room = aRoom({ topic: 'old', description: 'kept', msgs: 7, usersCount: 3 });
      await store.rooms.insert(room);
      const patch = {
        t: 'p' as const,
        topic: 'nouveau sujet ✨',
        announcement: 'read "this"',
        readOnly: true,
        isDefault: true,
        archived: true,
        readReceipts: true,
        joinCodeHash: 'hash',
        usernames: ['alice', '李'],
        muted: ['bob'],
      };

      const updated = await store.rooms.update(room.id, patch, T0 + 9_000);

      const expected: Room = { ...room, ...patch, updatedAt: T0 + 9_000 };
      expect(updated).toStrictEqual(expected);
      expect(await store.rooms.byId(room.id)).toStrictEqual(expected);
    });

    it('renames, so the old name no longer finds the room and is free again', async () => {
      const room = aRoom({ name: 'general' });
      await store.rooms.insert(room);

      await store.rooms.update(room.id, { name: 'Lobby', fname: 'Lobby' }, T0 + 1);

      expect((await store.rooms.byName('lobby'))?.id).toBe(room.id);
      expect(await store.rooms.byName('general')).toBeNull();
      await store.rooms.insert(aRoom({ name: 'General' }));
    });

    it('clears nullable fields when the patch says null', async () => {
      const room = aRoom({ joinCodeHash: 'hash', fname: 'Pretty' });
      await store.rooms.insert(room);

      const updated = await store.rooms.update(room.id, { joinCodeHash: null, fname: null }, T0 + 1);

      expect(updated).toMatchObject({ joinCodeHash: null, fname: null, updatedAt: T0 + 1 });
    });

    it('lets a room change only the case of its own name', async () => {
      const room = aRoom({ name: 'general' });
      await store.rooms.insert(room);

      expect((await store.rooms.update(room.id, { name: 'General' }, T0 + 1))?.name).toBe('General');
    });

    it('raises UniqueViolation for a name taken in another case, leaving the row as it was', async () => {
      await store.rooms.insert(aRoom({ t: 'p', name: 'general' }));
      const random = aRoom({ name: 'random' });
      await store.rooms.insert(random);

      await expectNameTaken(store.rooms.update(random.id, { name: 'General', topic: 'x' }, T0 + 1));
      expect(await store.rooms.byId(random.id)).toStrictEqual(random);
    });

    it('answers null for an unknown id and creates nothing', async () => {
      const ghost = roomId();

      expect(await store.rooms.update(ghost, { topic: 'boo' }, T0 + 1)).toBeNull();
      expect(await store.rooms.byId(ghost)).toBeNull();
    });
  });

  describe('delete', () => {
    it('removes the room with its memberships, and frees its name', async () => {
      const alice = aUser({ username: 'alice' });
      await insertUsers(alice);
      const room = aRoom({ name: 'general' });
      const other = aRoom({ name: 'random' });
      await insertAll([room, other]);
      await store.subscriptions.insert(aSubscription(room, alice));
      const kept = aSubscription(other, alice);
      await store.subscriptions.insert(kept);

      expect(await store.rooms.delete(room.id)).toBe(true);

      expect(await store.rooms.byId(room.id)).toBeNull();
      expect(await store.subscriptions.byRoomAndUser(room.id, alice.id)).toBeNull();
      expect(await store.subscriptions.ofUser(alice.id)).toStrictEqual([kept]);
      expect(await store.rooms.byId(other.id)).toStrictEqual(other);
      await store.rooms.insert(aRoom({ name: 'GENERAL' }));
    });

    it('answers false for an unknown or already deleted id', async () => {
      const room = aRoom();
      await store.rooms.insert(room);
      await store.rooms.delete(room.id);

      expect(await store.rooms.delete(room.id)).toBe(false);
      expect(await store.rooms.delete(roomId())).toBe(false);
    });
  });

  describe('dmByMembers', () => {
    it('finds the DM whatever order the members are given in', async () => {
      const [alice, bob, carol] = [userId(), userId(), userId()];
      const dm = aRoom({ t: 'd', uids: [alice, bob, carol].sort(byCodeUnit) });
      await store.rooms.insert(dm);

      expect(await store.rooms.dmByMembers([alice, bob, carol])).toStrictEqual(dm);
      expect(await store.rooms.dmByMembers([carol, alice, bob])).toStrictEqual(dm);
      expect(await store.rooms.dmByMembers([bob, carol, alice])).toStrictEqual(dm);
    });

    it('matches the members exactly: not a subset, not a superset, not another pair', async () => {
      const [alice, bob, carol] = [userId(), userId(), userId()];
      const pair = aRoom({ t: 'd', uids: [alice, bob].sort(byCodeUnit) });
      await store.rooms.insert(pair);

      expect(await store.rooms.dmByMembers([alice])).toBeNull();
      expect(await store.rooms.dmByMembers([alice, bob, carol])).toBeNull();
      expect(await store.rooms.dmByMembers([alice, carol])).toBeNull();
      expect((await store.rooms.dmByMembers([bob, alice]))?.id).toBe(pair.id);
    });

    it("finds a user's DM with themself apart from their DMs with others", async () => {
      const [alice, bob] = [userId(), userId()];
      const self = aRoom({ t: 'd', uids: [alice] });
      const pair = aRoom({ t: 'd', uids: [alice, bob].sort(byCodeUnit) });
      await insertAll([self, pair]);

      expect((await store.rooms.dmByMembers([alice]))?.id).toBe(self.id);
      expect((await store.rooms.dmByMembers([bob, alice]))?.id).toBe(pair.id);
    });

    it('never answers a channel or group, even one listing the same users', async () => {
      const [alice, bob] = [userId(), userId()];
      await insertAll([aRoom({ t: 'c', uids: [alice, bob] }), aRoom({ t: 'p', uids: [alice, bob] })]);

      expect(await store.rooms.dmByMembers([alice, bob])).toBeNull();
    });
  });

  describe('list', () => {
    /** Names whose case-insensitive order differs from their binary one, LIKE wildcards, and ties. */
    function theRooms(): Room[] {
      return [
        aRoom({
          t: 'c',
          name: 'general',
          isDefault: true,
          createdAt: T0 + 3,
          usersCount: 5,
          lastMessageAt: T0 + 50,
        }),
        aRoom({
          t: 'c',
          name: 'Random',
          isDefault: true,
          createdAt: T0 + 1,
          usersCount: 2,
          lastMessageAt: null,
        }),
        aRoom({ t: 'c', name: '50%off', createdAt: T0 + 3, usersCount: 5, lastMessageAt: T0 + 10 }),
        aRoom({ t: 'c', name: '50xoff', createdAt: T0 + 2, usersCount: 9, lastMessageAt: T0 + 50 }),
        aRoom({ t: 'p', name: 'team_a', createdAt: T0 + 4, usersCount: 1, lastMessageAt: null }),
        aRoom({
          t: 'p',
          name: 'Teamxa',
          isDefault: true,
          createdAt: T0 + 2,
          usersCount: 5,
          lastMessageAt: T0 + 10,
        }),
        aRoom({ t: 'p', name: 'back\\slash', createdAt: T0 + 5, usersCount: 0, lastMessageAt: T0 + 70 }),
        aRoom({
          t: 'd',
          uids: [userId(), userId()],
          createdAt: T0 + 6,
          usersCount: 2,
          lastMessageAt: T0 + 80,
        }),
      ];
    }

    const names = (page: { items: readonly Room[] }): (string | null)[] => page.items.map((r) => r.name);

    it('keeps only the asked types and sorts by name case-insensitively by default', async () => {
      await insertAll(theRooms());

      const channels = await store.rooms.list({ offset: 0, count: 20, types: ['c'] });
      const groups = await store.rooms.list({ offset: 0, count: 20, types: ['p'] });
      const both = await store.rooms.list({ offset: 0, count: 20, types: ['c', 'p'] });

      expect(names(channels)).toEqual(['50%off', '50xoff', 'general', 'Random']);
      expect(channels.total).toBe(4);
      expect(names(groups)).toEqual(['back\\slash', 'team_a', 'Teamxa']);
      expect(both.total).toBe(7);
      expect(both.items.every((r) => r.t !== 'd')).toBe(true);
    });

    it('lists DMs only when asked for type d', async () => {
      const rooms = theRooms();
      await insertAll(rooms);

      const dms = await store.rooms.list({ offset: 0, count: 20, types: ['d'] });
      const all = await store.rooms.list({ offset: 0, count: 20, types: ['c', 'p', 'd'] });

      expect(ids(dms.items)).toEqual(ids(rooms.filter((r) => r.t === 'd')));
      expect(all.total).toBe(rooms.length);
    });

    it('answers nothing for no types', async () => {
      await insertAll(theRooms());

      expect(await store.rooms.list({ offset: 0, count: 20, types: [] })).toStrictEqual({
        items: [],
        total: 0,
      });
    });

    it('filters by a case-insensitive substring of the name', async () => {
      await insertAll(theRooms());

      const page = await store.rooms.list({ offset: 0, count: 20, types: ['c', 'p'], text: 'TEAM' });

      expect(names(page)).toEqual(['team_a', 'Teamxa']);
      expect(page.total).toBe(2);
    });

    it.each([
      ['%', ['50%off']],
      ['0%o', ['50%off']],
      ['_', ['team_a']],
      ['m_a', ['team_a']],
      ['\\', ['back\\slash']],
    ])('matches %j in the search text literally, not as a LIKE wildcard', async (text, expected) => {
      await insertAll(theRooms());

      const page = await store.rooms.list({ offset: 0, count: 20, types: ['c', 'p', 'd'], text });

      expect(names(page)).toEqual(expected);
      expect(page.total).toBe(expected.length);
    });

    it('keeps only default channels with defaultOnly, combined with type and text', async () => {
      await insertAll(theRooms());

      const defaults = await store.rooms.list({ offset: 0, count: 20, types: ['c', 'p'], defaultOnly: true });
      const defaultChannels = await store.rooms.list({
        offset: 0,
        count: 20,
        types: ['c'],
        defaultOnly: true,
      });
      const matching = await store.rooms.list({
        offset: 0,
        count: 20,
        types: ['c', 'p'],
        defaultOnly: true,
        text: 'M',
      });

      expect(names(defaults)).toEqual(['general', 'Random', 'Teamxa']);
      expect(names(defaultChannels)).toEqual(['general', 'Random']);
      expect(names(matching)).toEqual(['Random', 'Teamxa']);
      expect(matching.total).toBe(2);
    });

    const sorts: [SortField, 1 | -1][] = [
      ['name', 1],
      ['name', -1],
      ['createdAt', 1],
      ['createdAt', -1],
      ['usersCount', 1],
      ['usersCount', -1],
      ['lastMessageAt', 1],
      ['lastMessageAt', -1],
    ];

    it.each(sorts)('sorts by %s in direction %d, ties broken by id', async (field, direction) => {
      const rooms = theRooms().filter((r) => r.t !== 'd');
      await insertAll(rooms);

      const page = await store.rooms.list({
        offset: 0,
        count: 20,
        types: ['c', 'p'],
        sort: { field, direction },
      });

      expect(ids(page.items)).toEqual(sortedIds(rooms, field, direction));
    });

    it('pages with offset and count while total counts every match', async () => {
      const rooms = theRooms();
      await insertAll(rooms);
      const types: RoomType[] = ['c', 'p'];
      const sort = { field: 'createdAt', direction: -1 } as const;
      const all = sortedIds(
        rooms.filter((r) => r.t !== 'd'),
        'createdAt',
        -1,
      );

      const middle = await store.rooms.list({ offset: 2, count: 3, types, sort });
      const beyond = await store.rooms.list({ offset: 50, count: 3, types, sort });

      expect(ids(middle.items)).toEqual(all.slice(2, 5));
      expect(middle.total).toBe(7);
      expect(beyond).toStrictEqual({ items: [], total: 7 });
    });
  });

  describe('listVisible', () => {
    it("shows every public room and only the member's own private ones, sorted by name", async () => {
      const alice = aUser({ username: 'alice' });
      const bob = aUser({ username: 'bob' });
      await insertUsers(alice, bob);
      const general = aRoom({ t: 'c', name: 'general' });
      const mine = aRoom({ t: 'p', name: 'Alice-secret' });
      const theirs = aRoom({ t: 'p', name: 'bob-secret' });
      const dm = aRoom({ t: 'd', uids: [alice.id, bob.id] });
      await insertAll([general, mine, theirs, dm]);
      for (const room of [mine, dm]) await store.subscriptions.insert(aSubscription(room, alice));
      for (const room of [theirs, dm]) await store.subscriptions.insert(aSubscription(room, bob));

      const visible = await store.rooms.listVisible({
        offset: 0,
        count: 10,
        publicTypes: ['c'],
        memberTypes: ['p'],
        memberId: alice.id,
      });

      expect(visible).toStrictEqual({ items: [mine, general], total: 2 });
    });

    it('filters by a case-insensitive substring of the name, wildcards literally, and pages', async () => {
      const alice = aUser();
      await insertUsers(alice);
      const rooms = [
        aRoom({ name: 'team_one', createdAt: T0 + 1 }),
        aRoom({ name: 'TEAMxone', createdAt: T0 + 2 }),
        aRoom({ name: 'team-two', createdAt: T0 + 3 }),
      ];
      await insertAll(rooms);
      const query = {
        offset: 0,
        count: 10,
        publicTypes: ['c'] as const,
        memberTypes: [],
        memberId: alice.id,
      };

      expect(ids((await store.rooms.listVisible({ ...query, text: 'm_o' })).items)).toEqual([rooms[0]!.id]);
      expect(
        await store.rooms.listVisible({
          ...query,
          text: 'Team',
          offset: 1,
          count: 1,
          sort: { field: 'createdAt', direction: -1 },
        }),
      ).toStrictEqual({ items: [rooms[1]], total: 3 });
    });

    it('answers nothing when no type may be shown', async () => {
      await insertAll([aRoom()]);

      expect(
        await store.rooms.listVisible({
          offset: 0,
          count: 10,
          publicTypes: [],
          memberTypes: [],
          memberId: userId(),
        }),
      ).toStrictEqual({ items: [], total: 0 });
    });
  });

  describe('recordMessage', () => {
    it('counts each message and remembers the last one, touching no other room', async () => {
      const room = aRoom({ msgs: 41 });
      const other = aRoom();
      await insertAll([room, other]);
      const first = messageId();
      const second = messageId();

      await store.rooms.recordMessage(room.id, first, T0 + 100);
      await store.rooms.recordMessage(room.id, second, 2 ** 42 + 1);

      expect(await store.rooms.byId(room.id)).toStrictEqual({
        ...room,
        msgs: 43,
        lastMessageId: second,
        lastMessageAt: 2 ** 42 + 1,
        updatedAt: 2 ** 42 + 1,
      });
      expect(await store.rooms.byId(other.id)).toStrictEqual(other);
    });

    it('counts every one of concurrent messages', async () => {
      const room = aRoom();
      await store.rooms.insert(room);

      await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.rooms.recordMessage(room.id, messageId(), T0 + i)),
      );

      expect((await store.rooms.byId(room.id))?.msgs).toBe(10);
    });
  });

  describe('adjustUsersCount', () => {
    it('adds and subtracts members and sets updatedAt, touching no other room', async () => {
      const room = aRoom({ usersCount: 3 });
      const other = aRoom({ usersCount: 3 });
      await insertAll([room, other]);

      await store.rooms.adjustUsersCount(room.id, 2, T0 + 1);
      await store.rooms.adjustUsersCount(room.id, -4, T0 + 2);

      expect(await store.rooms.byId(room.id)).toStrictEqual({ ...room, usersCount: 1, updatedAt: T0 + 2 });
      expect(await store.rooms.byId(other.id)).toStrictEqual(other);
    });
  });

  describe('ofUser', () => {
    it("answers the rooms the user is subscribed to, by id, and no one else's", async () => {
      const alice = aUser({ username: 'alice' });
      const bob = aUser({ username: 'bob' });
      await insertUsers(alice, bob);
      const rooms = [aRoom(), aRoom({ t: 'p' }), aRoom({ t: 'd', uids: [alice.id, bob.id] }), aRoom()];
      await insertAll(rooms);
      const [general, secret, dm, bobsOnly] = rooms as [Room, Room, Room, Room];
      for (const room of [general, secret, dm]) await store.subscriptions.insert(aSubscription(room, alice));
      for (const room of [dm, bobsOnly]) await store.subscriptions.insert(aSubscription(room, bob));

      const ofAlice = await store.rooms.ofUser(alice.id);

      expect(ids(ofAlice)).toEqual(ids([general, secret, dm]).sort(byCodeUnit));
      expect(ofAlice.find((r) => r.id === dm.id)).toStrictEqual(dm);
      expect(await store.rooms.ofUser(userId())).toEqual([]);
    });

    it('keeps only rooms changed strictly after since', async () => {
      const alice = aUser();
      await insertUsers(alice);
      const before = aRoom({ updatedAt: T0 + 10 });
      const at = aRoom({ updatedAt: T0 + 20 });
      const after = aRoom({ updatedAt: T0 + 30 });
      await insertAll([before, at, after]);
      for (const room of [before, at, after]) await store.subscriptions.insert(aSubscription(room, alice));

      expect(ids(await store.rooms.ofUser(alice.id, T0 + 20))).toEqual([after.id]);

      await store.rooms.recordMessage(before.id, messageId(), T0 + 40);

      expect(ids(await store.rooms.ofUser(alice.id, T0 + 20))).toEqual(
        [before.id, after.id].sort(byCodeUnit),
      );
    });
  });
});
