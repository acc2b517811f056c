import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UniqueViolation } from '../../domain/ports/store.js';
import type { Room } from '../../domain/rooms/room.js';
import type { MessageId } from '../../domain/shared/ids.js';
import type { Subscription } from '../../domain/subscriptions/subscription.js';
import type { User } from '../../domain/users/user.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aUser, byCodeUnit, LAST_DATE_MS, T0, userId } from './factories.js';
import { aRoom, aSubscription, messageId, roomId } from './room-factories.js';

const byId = (subscriptions: readonly Subscription[]): Subscription[] =>
  [...subscriptions].sort((a, b) => byCodeUnit(a.id, b.id));

await onEachBackend('SubscriptionRepo', (backend) => {
  let database: TestDatabase;
  let store: KyselyStore;
  let alice: User;
  let bob: User;
  let carol: User;
  let general: Room;
  let random: Room;

  beforeEach(async () => {
    database = await freshDatabase(backend);
    store = createStore(database.target);
    await store.migrateToLatest();
    alice = aUser({ username: 'alice', name: 'Alice Liddell' });
    bob = aUser({ username: 'bob', name: 'Robert Paulson' });
    carol = aUser({ username: 'carol', name: 'Carol Danvers' });
    for (const user of [alice, bob, carol]) await store.users.insert(user);
    general = aRoom({ name: 'general' });
    random = aRoom({ name: 'random' });
    for (const room of [general, random]) await store.rooms.insert(room);
  });

  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  async function subscribe(
    room: Room,
    user: User,
    overrides: Partial<Subscription> = {},
  ): Promise<Subscription> {
    const subscription = aSubscription(room, user, overrides);
    await store.subscriptions.insert(subscription);
    return subscription;
  }

  describe('insert and byRoomAndUser', () => {
    it('round-trips every field exactly: booleans, unicode, JSON lists, nulls made real, big timestamps', async () => {
      const full: Subscription = {
        id: 'sub-ünïcode-1',
        roomId: general.id,
        userId: alice.id,
        username: 'alice',
        t: 'p',
        name: 'général',
        fname: 'Général — 會議 🎉',
        open: false,
        alert: true,
        unread: 1_234_567,
        userMentions: 3,
        groupMentions: 4,
        tunread: [messageId(), messageId()],
        tunreadUser: [messageId()],
        tunreadGroup: ['with "quote"' as MessageId],
        roles: ['owner', 'moderator'],
        favorite: true,
        archived: true,
        ls: LAST_DATE_MS,
        lr: 2 ** 42 + 7,
        joinedAt: T0 + 1,
        updatedAt: T0 + 2,
      };
      await store.subscriptions.insert(full);

      expect(await store.subscriptions.byRoomAndUser(general.id, alice.id)).toStrictEqual(full);
    });

    it('round-trips never-seen, never-replied and empty lists', async () => {
      const plain = await subscribe(general, alice, { ls: null, lr: null, roles: [], tunread: [] });

      expect(await store.subscriptions.byRoomAndUser(general.id, alice.id)).toStrictEqual(plain);
    });

    it("answers null for another room's or another user's membership", async () => {
      await subscribe(general, alice);

      expect(await store.subscriptions.byRoomAndUser(random.id, alice.id)).toBeNull();
      expect(await store.subscriptions.byRoomAndUser(general.id, bob.id)).toBeNull();
      expect(await store.subscriptions.byRoomAndUser(roomId(), userId())).toBeNull();
    });

    it('refuses a second membership of the same user in the same room with UniqueViolation', async () => {
      const first = await subscribe(general, alice);
      const error: unknown = await store.subscriptions.insert(aSubscription(general, alice)).then(
        () => null,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(UniqueViolation);
      expect(await store.subscriptions.ofUser(alice.id)).toStrictEqual([first]);
    });
  });

  describe('ofUser', () => {
    it("answers every membership of the user ordered by room id, and no one else's", async () => {
      const mine = [await subscribe(general, alice), await subscribe(random, alice)];
      await subscribe(general, bob);

      expect(await store.subscriptions.ofUser(alice.id)).toStrictEqual(
        [...mine].sort((a, b) => byCodeUnit(a.roomId, b.roomId)),
      );
      expect(await store.subscriptions.ofUser(carol.id)).toEqual([]);
    });

    it('keeps only memberships changed strictly after since', async () => {
      await subscribe(general, alice, { updatedAt: T0 + 20 });
      const later = await subscribe(random, alice, { updatedAt: T0 + 21 });

      expect(await store.subscriptions.ofUser(alice.id, T0 + 20)).toStrictEqual([later]);
      expect(await store.subscriptions.ofUser(alice.id, T0 + 21)).toEqual([]);
      expect(await store.subscriptions.ofUser(alice.id, T0 + 19)).toHaveLength(2);
    });
  });

  describe('ofRoom', () => {
    it("answers every membership of the room and no other room's", async () => {
      const members = [await subscribe(general, carol), await subscribe(general, alice)];
      await subscribe(random, bob);

      expect(byId(await store.subscriptions.ofRoom(general.id))).toStrictEqual(byId(members));
      expect(await store.subscriptions.ofRoom(roomId())).toEqual([]);
    });
  });

  describe('members', () => {
    /** Usernames whose case-insensitive order differs from their binary order. */
    async function crowd(): Promise<User[]> {
      const users = [
        aUser({ username: 'Dave', name: 'Dave Bowman' }),
        aUser({ username: 'erin', name: 'Erin 100% Sure' }),
        aUser({ username: 'Frank_Poole', name: 'Frank' }),
        aUser({ username: 'frankXpoole', name: 'Other Frank' }),
      ];
      for (const user of users) await store.users.insert(user);
      for (const user of [alice, bob, carol, ...users]) await subscribe(general, user);
      await subscribe(random, alice);
      return users;
    }

    it('lists the user ids sorted by username case-insensitively, with the total', async () => {
      const [dave, erin, frank, frankX] = (await crowd()) as [User, User, User, User];

      const page = await store.subscriptions.members(general.id, { offset: 0, count: 50 });

      expect(page).toStrictEqual({
        items: [alice.id, bob.id, carol.id, dave.id, erin.id, frank.id, frankX.id],
        total: 7,
      });
    });

    it('pages with offset and count while total counts every member', async () => {
      const [dave, erin] = (await crowd()) as [User, User];

      expect(await store.subscriptions.members(general.id, { offset: 2, count: 3 })).toStrictEqual({
        items: [carol.id, dave.id, erin.id],
        total: 7,
      });
      expect(await store.subscriptions.members(general.id, { offset: 7, count: 3 })).toStrictEqual({
        items: [],
        total: 7,
      });
    });

    it('filters by a case-insensitive substring of the username or the name', async () => {
      const [dave, , frank, frankX] = (await crowd()) as [User, User, User, User];

      const byName = await store.subscriptions.members(general.id, { offset: 0, count: 50, text: 'ROBERT' });
      const byEither = await store.subscriptions.members(general.id, { offset: 0, count: 50, text: 'fRaNk' });
      const byUsername = await store.subscriptions.members(general.id, { offset: 0, count: 50, text: 'dAV' });

      expect(byName).toStrictEqual({ items: [bob.id], total: 1 });
      expect(byEither).toStrictEqual({ items: [frank.id, frankX.id], total: 2 });
      expect(byUsername).toStrictEqual({ items: [dave.id], total: 1 });
    });

    it('matches LIKE wildcards in the text literally', async () => {
      const [, erin, frank] = (await crowd()) as [User, User, User];

      expect(
        await store.subscriptions.members(general.id, { offset: 0, count: 50, text: '%' }),
      ).toStrictEqual({
        items: [erin.id],
        total: 1,
      });
      expect(
        await store.subscriptions.members(general.id, { offset: 0, count: 50, text: 'k_p' }),
      ).toStrictEqual({
        items: [frank.id],
        total: 1,
      });
    });

    it('answers nothing for a room without members', async () => {
      await crowd();

      expect(await store.subscriptions.members(roomId(), { offset: 0, count: 50 })).toStrictEqual({
        items: [],
        total: 0,
      });
    });
  });

  describe('withRole', () => {
    it('answers exactly the members holding the role, not a role that contains its name', async () => {
      const owner = await subscribe(general, alice, { roles: ['moderator', 'owner'] });
      await subscribe(general, bob, { roles: ['co-owner', 'owner-emeritus'] });
      const moderator = await subscribe(general, carol, { roles: ['moderator'] });
      await subscribe(random, bob, { roles: ['owner'] });

      expect(await store.subscriptions.withRole(general.id, 'owner')).toStrictEqual([owner]);
      expect(byId(await store.subscriptions.withRole(general.id, 'moderator'))).toStrictEqual(
        byId([owner, moderator]),
      );
      expect(await store.subscriptions.withRole(general.id, 'own')).toEqual([]);
      expect(await store.subscriptions.withRole(general.id, 'leader')).toEqual([]);
    });

    it('matches a custom role with LIKE wildcards or quotes in its name literally', async () => {
      const underscored = await subscribe(general, alice, { roles: ['room_admin'] });
      await subscribe(general, bob, { roles: ['roomXadmin'] });
      const percent = await subscribe(general, carol, { roles: ['100%', 'say "hi"'] });

      expect(await store.subscriptions.withRole(general.id, 'room_admin')).toStrictEqual([underscored]);
      expect(await store.subscriptions.withRole(general.id, '100%')).toStrictEqual([percent]);
      expect(await store.subscriptions.withRole(general.id, 'say "hi"')).toStrictEqual([percent]);
    });
  });

  describe('update', () => {
    it('applies only the patch fields and sets updatedAt', async () => {
      const subscription = await subscribe(general, alice, { unread: 5, favorite: false });
      const patch = {
        name: 'renamed-général',
        fname: 'Renamed 🎉',
        t: 'p' as const,
        open: false,
        alert: true,
        unread: 0,
        userMentions: 2,
        groupMentions: 1,
        tunread: [messageId()],
        tunreadUser: [messageId()],
        tunreadGroup: [messageId()],
        roles: ['owner'],
        favorite: true,
        archived: true,
        ls: T0 + 500,
        lr: 2 ** 42,
      };

      const updated = await store.subscriptions.update(subscription.id, patch, T0 + 9_000);

      const expected: Subscription = { ...subscription, ...patch, updatedAt: T0 + 9_000 };
      expect(updated).toStrictEqual(expected);
      expect(await store.subscriptions.byRoomAndUser(general.id, alice.id)).toStrictEqual(expected);
    });

    it('clears last-seen and last-reply when the patch says null', async () => {
      const subscription = await subscribe(general, alice, { ls: T0, lr: T0 });

      const updated = await store.subscriptions.update(subscription.id, { ls: null, lr: null }, T0 + 1);

      expect(updated).toMatchObject({ ls: null, lr: null, updatedAt: T0 + 1 });
    });

    it('answers null for an unknown id', async () => {
      expect(await store.subscriptions.update('nope', { unread: 1 }, T0 + 1)).toBeNull();
    });
  });

  describe('delete and removedSince', () => {
    it('removes the membership and records its removal for the member', async () => {
      const gone = await subscribe(general, alice);
      const kept = await subscribe(random, alice);

      expect(await store.subscriptions.delete(general.id, alice.id, T0 + 100)).toBe(true);

      expect(await store.subscriptions.byRoomAndUser(general.id, alice.id)).toBeNull();
      expect(await store.subscriptions.ofUser(alice.id)).toStrictEqual([kept]);
      expect(await store.subscriptions.removedSince(alice.id, T0 + 99)).toStrictEqual([
        { id: gone.id, roomId: general.id, deletedAt: T0 + 100 },
      ]);
      expect(await store.subscriptions.removedSince(bob.id, 0)).toEqual([]);
    });

    it('answers false, recording nothing, for someone who is not a member', async () => {
      await subscribe(general, alice);

      expect(await store.subscriptions.delete(general.id, bob.id, T0 + 100)).toBe(false);
      expect(await store.subscriptions.removedSince(bob.id, 0)).toEqual([]);
    });

    it('keeps only removals strictly after since, oldest first, with big timestamps', async () => {
      const first = await subscribe(general, alice);
      const second = await subscribe(random, alice);
      await store.subscriptions.delete(random.id, alice.id, 2 ** 42);
      await store.subscriptions.delete(general.id, alice.id, T0 + 10);

      expect(await store.subscriptions.removedSince(alice.id, T0 + 9)).toStrictEqual([
        { id: first.id, roomId: general.id, deletedAt: T0 + 10 },
        { id: second.id, roomId: random.id, deletedAt: 2 ** 42 },
      ]);
      expect(await store.subscriptions.removedSince(alice.id, T0 + 10)).toStrictEqual([
        { id: second.id, roomId: random.id, deletedAt: 2 ** 42 },
      ]);
    });

    it('forgets the removal when the member comes back with the same subscription', async () => {
      const subscription = await subscribe(general, alice);
      await store.subscriptions.delete(general.id, alice.id, T0 + 10);

      await store.subscriptions.insert({ ...subscription, updatedAt: T0 + 20 });

      expect(await store.subscriptions.removedSince(alice.id, 0)).toEqual([]);
      expect(await store.subscriptions.byRoomAndUser(general.id, alice.id)).toStrictEqual({
        ...subscription,
        updatedAt: T0 + 20,
      });
    });

    it('records the latest time when the same subscription is removed twice', async () => {
      const subscription = await subscribe(general, alice);
      await store.subscriptions.delete(general.id, alice.id, T0 + 10);
      await store.subscriptions.insert(subscription);
      await store.subscriptions.delete(general.id, alice.id, T0 + 30);

      expect(await store.subscriptions.removedSince(alice.id, 0)).toStrictEqual([
        { id: subscription.id, roomId: general.id, deletedAt: T0 + 30 },
      ]);
    });
  });

  describe('deleteAllOfRoom', () => {
    it("removes every membership of the room, recording each member's removal, and no other room's", async () => {
      const aliceHere = await subscribe(general, alice);
      const bobHere = await subscribe(general, bob);
      const aliceThere = await subscribe(random, alice);

      expect(await store.subscriptions.deleteAllOfRoom(general.id, T0 + 50)).toBe(2);

      expect(await store.subscriptions.ofRoom(general.id)).toEqual([]);
      expect(await store.subscriptions.ofRoom(random.id)).toStrictEqual([aliceThere]);
      expect(await store.subscriptions.removedSince(alice.id, T0)).toStrictEqual([
        { id: aliceHere.id, roomId: general.id, deletedAt: T0 + 50 },
      ]);
      expect(await store.subscriptions.removedSince(bob.id, T0)).toStrictEqual([
        { id: bobHere.id, roomId: general.id, deletedAt: T0 + 50 },
      ]);
    });

    it('answers 0 for a room without members', async () => {
      expect(await store.subscriptions.deleteAllOfRoom(general.id, T0)).toBe(0);
    });
  });

  describe('countNewMessage', () => {
    it('leaves the author untouched and gives every other member unread + 1, alert and open', async () => {
      const author = await subscribe(general, alice, { unread: 0 });
      const reader = await subscribe(general, bob, { unread: 4, alert: false, open: false });
      const elsewhere = await subscribe(random, carol);

      await store.subscriptions.countNewMessage({
        roomId: general.id,
        authorId: alice.id,
        mentioned: [],
        groupMention: false,
        updatedAt: T0 + 70,
      });

      expect(await store.subscriptions.byRoomAndUser(general.id, alice.id)).toStrictEqual(author);
      expect(await store.subscriptions.byRoomAndUser(general.id, bob.id)).toStrictEqual({
        ...reader,
        unread: 5,
        alert: true,
        open: true,
        updatedAt: T0 + 70,
      });
      expect(await store.subscriptions.byRoomAndUser(random.id, carol.id)).toStrictEqual(elsewhere);
    });

    it('adds a user mention only for the mentioned members, never the author', async () => {
      const author = await subscribe(general, alice);
      const mentioned = await subscribe(general, bob, { userMentions: 1 });
      await subscribe(general, carol);

      await store.subscriptions.countNewMessage({
        roomId: general.id,
        authorId: alice.id,
        mentioned: [bob.id, alice.id, userId()],
        groupMention: false,
        updatedAt: T0 + 70,
      });

      expect(await store.subscriptions.byRoomAndUser(general.id, alice.id)).toStrictEqual(author);
      expect(await store.subscriptions.byRoomAndUser(general.id, bob.id)).toStrictEqual({
        ...mentioned,
        unread: 1,
        userMentions: 2,
        alert: true,
        updatedAt: T0 + 70,
      });
      expect(await store.subscriptions.byRoomAndUser(general.id, carol.id)).toMatchObject({
        unread: 1,
        userMentions: 0,
        groupMentions: 0,
      });
    });

    it('adds a group mention for every other member on @all or @here', async () => {
      const author = await subscribe(general, alice);
      await subscribe(general, bob, { groupMentions: 2 });
      await subscribe(general, carol);

      await store.subscriptions.countNewMessage({
        roomId: general.id,
        authorId: alice.id,
        mentioned: [carol.id],
        groupMention: true,
        updatedAt: T0 + 70,
      });

      expect(await store.subscriptions.byRoomAndUser(general.id, alice.id)).toStrictEqual(author);
      expect(await store.subscriptions.byRoomAndUser(general.id, bob.id)).toMatchObject({
        unread: 1,
        userMentions: 0,
        groupMentions: 3,
      });
      expect(await store.subscriptions.byRoomAndUser(general.id, carol.id)).toMatchObject({
        unread: 1,
        userMentions: 1,
        groupMentions: 1,
      });
    });

    it('does not touch a mentioned user of another room', async () => {
      await subscribe(general, alice);
      const elsewhere = await subscribe(random, bob);

      await store.subscriptions.countNewMessage({
        roomId: general.id,
        authorId: alice.id,
        mentioned: [bob.id],
        groupMention: true,
        updatedAt: T0 + 70,
      });

      expect(await store.subscriptions.byRoomAndUser(random.id, bob.id)).toStrictEqual(elsewhere);
    });
  });

  describe('seenSince', () => {
    it('answers the members of the room who have seen it at or after the time', async () => {
      await subscribe(general, alice, { ls: T0 + 9 });
      const atTime = await subscribe(general, bob, { ls: T0 + 10 });
      const after = await subscribe(general, carol, { ls: LAST_DATE_MS });
      await subscribe(random, alice, { ls: T0 + 50 });

      expect(byId(await store.subscriptions.seenSince(general.id, T0 + 10))).toStrictEqual(
        byId([atTime, after]),
      );
    });

    it('leaves out members who never opened the room', async () => {
      await subscribe(general, alice, { ls: null });

      expect(await store.subscriptions.seenSince(general.id, 0)).toEqual([]);
    });
  });
});
