import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UniqueViolation } from '../../domain/ports/store.js';
import type { User } from '../../domain/users/user.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aLoginToken, aPersonalToken, aUser, LAST_DATE_MS, T0, userId } from './factories.js';

/** Rejects with a UniqueViolation whose key names the column the domain maps to an error code. */
async function expectUniqueViolation(work: Promise<unknown>, keyPrefix: 'username' | 'email'): Promise<void> {
  const error: unknown = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UniqueViolation);
  expect((error as UniqueViolation).key.startsWith(keyPrefix), (error as UniqueViolation).key).toBe(true);
}

await onEachBackend('UserRepo: insert, find, update, setStatuses, delete', (backend) => {
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

  describe('insert and byId', () => {
    it('round-trips every field exactly: booleans, unicode JSON, real offsets, big timestamps', async () => {
      const alice: User = {
        id: userId(),
        username: 'alice',
        name: 'Alice Liddell — 愛麗絲',
        type: 'bot',
        email: 'alice@example.test',
        emailVerified: true,
        active: false,
        roles: ['admin', 'user'],
        status: 'busy',
        statusText: 'In a meeting 📅',
        statusDefault: 'away',
        utcOffset: 5.75,
        nickname: 'Ally 🦊',
        bio: 'Line one\nLine "two" \\ Zürich',
        customFields: { city: 'Zürich', emoji: '🎉👩‍👩‍👧', quote: 'say "hi"\n' },
        preferences: { theme: 'dark', fontSize: 1.5, sounds: false, nested: { list: [1, '两', true, null] } },
        passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
        requirePasswordChange: true,
        createdAt: T0 + 1,
        updatedAt: 2 ** 42 + 7,
        lastLogin: LAST_DATE_MS,
      };
      await store.users.insert(alice);

      expect(await store.users.byId(alice.id)).toStrictEqual(alice);
    });

    it('round-trips null email, null password hash, never-logged-in, negative offset and empty JSON', async () => {
      const bot = aUser({ email: null, passwordHash: null, lastLogin: null, utcOffset: -3.5, roles: [] });
      await store.users.insert(bot);

      expect(await store.users.byId(bot.id)).toStrictEqual(bot);
    });

    it('lets any number of users have no email', async () => {
      const first = aUser({ email: null });
      const second = aUser({ email: null });
      await store.users.insert(first);
      await store.users.insert(second);

      expect((await store.users.byId(second.id))?.email).toBeNull();
      expect((await store.users.list({ offset: 0, count: 10 })).total).toBe(2);
    });

    it('answers null for an unknown id', async () => {
      await store.users.insert(aUser());

      expect(await store.users.byId(userId())).toBeNull();
    });
  });

  describe('byUsername and byEmail', () => {
    it('find a user whatever the case, keeping the stored spelling', async () => {
      const alice = aUser({ username: 'Alice', email: 'Alice@Example.TEST' });
      await store.users.insert(alice);
      await store.users.insert(aUser({ username: 'bob' }));

      expect(await store.users.byUsername('aLICE')).toStrictEqual(alice);
      expect(await store.users.byUsername('Alice')).toStrictEqual(alice);
      expect(await store.users.byEmail('alice@example.test')).toStrictEqual(alice);
      expect(await store.users.byEmail('ALICE@EXAMPLE.TEST')).toStrictEqual(alice);
    });

    it('fold non-ASCII letters too', async () => {
      const user = aUser({ username: 'Ünal', email: 'ÜNAL@beispiel.de' });
      await store.users.insert(user);

      expect((await store.users.byUsername('üNAL'))?.id).toBe(user.id);
      expect((await store.users.byEmail('ünal@BEISPIEL.DE'))?.id).toBe(user.id);
    });

    it('answer null when nobody matches, including a prefix of a real name', async () => {
      await store.users.insert(aUser({ username: 'alice', email: 'alice@example.test' }));

      expect(await store.users.byUsername('ali')).toBeNull();
      expect(await store.users.byEmail('alice@example')).toBeNull();
      expect(await store.users.byUsername('carol')).toBeNull();
    });
  });

  describe('uniqueness', () => {
    it('refuses a username taken in another case with UniqueViolation, inserting nothing', async () => {
      await store.users.insert(aUser({ username: 'alice', email: 'alice@example.test' }));
      const impostor = aUser({ username: 'ALICE', email: 'someone-else@example.test' });

      await expectUniqueViolation(store.users.insert(impostor), 'username');
      expect(await store.users.byId(impostor.id)).toBeNull();
    });

    it('refuses an email taken in another case with UniqueViolation, inserting nothing', async () => {
      await store.users.insert(aUser({ username: 'alice', email: 'alice@example.test' }));
      const impostor = aUser({ username: 'bob', email: 'Alice@EXAMPLE.test' });

      await expectUniqueViolation(store.users.insert(impostor), 'email');
      expect(await store.users.byUsername('bob')).toBeNull();
    });
  });

  describe('update', () => {
    it('applies only the patch fields and sets updatedAt', async () => {
      const alice = aUser({ username: 'alice', bio: 'old bio', nickname: 'Ally', emailVerified: true });
      await store.users.insert(alice);
      const patch = {
        name: 'Alice L.',
        bio: 'nouvelle bio ✨',
        active: false,
        preferences: { language: 'fr', emoji: '🇫🇷' },
        lastLogin: T0 + 5_000,
      };

      const updated = await store.users.update(alice.id, patch, T0 + 9_000);

      const expected: User = { ...alice, ...patch, updatedAt: T0 + 9_000 };
      expect(updated).toStrictEqual(expected);
      expect(await store.users.byId(alice.id)).toStrictEqual(expected);
    });

    it('renames and re-addresses, so the old username and email no longer find the user', async () => {
      const alice = aUser({ username: 'alice', email: 'alice@example.test' });
      await store.users.insert(alice);

      await store.users.update(alice.id, { username: 'Alicia', email: 'Alicia@Example.test' }, T0 + 1);

      expect((await store.users.byUsername('alicia'))?.id).toBe(alice.id);
      expect((await store.users.byEmail('alicia@example.test'))?.id).toBe(alice.id);
      expect(await store.users.byUsername('alice')).toBeNull();
      expect(await store.users.byEmail('alice@example.test')).toBeNull();
    });

    it('clears nullable fields when the patch says null', async () => {
      const alice = aUser({ email: 'alice@example.test', passwordHash: '$argon2id$x', lastLogin: T0 });
      await store.users.insert(alice);

      const updated = await store.users.update(
        alice.id,
        { email: null, passwordHash: null, lastLogin: null },
        T0 + 1,
      );

      expect(updated).toMatchObject({ email: null, passwordHash: null, lastLogin: null, updatedAt: T0 + 1 });
      expect(await store.users.byEmail('alice@example.test')).toBeNull();
    });

    it('lets a user change only the case of their own username', async () => {
      const alice = aUser({ username: 'alice' });
      await store.users.insert(alice);

      const updated = await store.users.update(alice.id, { username: 'Alice' }, T0 + 1);

      expect(updated?.username).toBe('Alice');
    });

    it('answers null for an unknown id and creates nothing', async () => {
      const ghost = userId();

      expect(await store.users.update(ghost, { name: 'Ghost' }, T0 + 1)).toBeNull();
      expect(await store.users.byId(ghost)).toBeNull();
    });

    it('raises UniqueViolation for a username taken in another case, leaving the row as it was', async () => {
      await store.users.insert(aUser({ username: 'alice' }));
      const bob = aUser({ username: 'bob' });
      await store.users.insert(bob);

      await expectUniqueViolation(
        store.users.update(bob.id, { username: 'Alice', name: 'x' }, T0 + 1),
        'username',
      );
      expect(await store.users.byId(bob.id)).toStrictEqual(bob);
    });

    it('raises UniqueViolation for an email taken in another case', async () => {
      await store.users.insert(aUser({ username: 'alice', email: 'alice@example.test' }));
      const bob = aUser({ username: 'bob' });
      await store.users.insert(bob);

      await expectUniqueViolation(
        store.users.update(bob.id, { email: 'ALICE@example.test' }, T0 + 1),
        'email',
      );
      expect(await store.users.byId(bob.id)).toStrictEqual(bob);
    });
  });

  describe('setStatuses', () => {
    it('sets each listed user’s status and updatedAt, and nothing else of theirs or anyone’s', async () => {
      const alice = aUser({ username: 'alice', statusText: 'lunch', statusDefault: 'busy' });
      const bob = aUser({ username: 'bob' });
      const carol = aUser({ username: 'carol', status: 'away' });
      const dave = aUser({ username: 'dave', status: 'online' });
      for (const user of [alice, bob, carol, dave]) await store.users.insert(user);

      const updated = await store.users.setStatuses(
        [
          { id: alice.id, status: 'busy' },
          { id: bob.id, status: 'online' },
          { id: carol.id, status: 'offline' },
        ],
        T0 + 9_000,
      );

      expect(updated).toBe(3);
      expect(await store.users.byId(alice.id)).toStrictEqual({
        ...alice,
        status: 'busy',
        updatedAt: T0 + 9_000,
      });
      expect(await store.users.byId(bob.id)).toStrictEqual({
        ...bob,
        status: 'online',
        updatedAt: T0 + 9_000,
      });
      expect(await store.users.byId(carol.id)).toStrictEqual({
        ...carol,
        status: 'offline',
        updatedAt: T0 + 9_000,
      });
      expect(await store.users.byId(dave.id)).toStrictEqual(dave);
    });

    it('writes thousands of users in one call, beyond one statement’s worth of ids', async () => {
      const users = Array.from({ length: 2_500 }, (_, i) => aUser({ username: `bulk-${i}` }));
      await store.transaction(async (tx) => {
        for (const user of users) await tx.users.insert(user);
      });
      const statuses = ['online', 'away', 'busy'] as const;

      const updated = await store.users.setStatuses(
        users.map((user, i) => ({ id: user.id, status: statuses[i % 3] ?? 'online' })),
        T0 + 1,
      );

      expect(updated).toBe(2_500);
      const stored = await store.users.byIds(users.map((u) => u.id));
      const statusOf = new Map(stored.map((u) => [u.id, u.status]));
      expect(users.map((u, i) => statusOf.get(u.id) === statuses[i % 3]).every(Boolean)).toBe(true);
      expect(stored.every((u) => u.updatedAt === T0 + 1)).toBe(true);
    });

    it('tells who users are (names and whether active) in one read, unknown and repeated ids skipped', async () => {
      const alice = aUser({ username: 'alice', name: 'Alice A' });
      const bob = aUser({ username: 'bob', name: 'Bob B', active: false });
      await store.users.insert(alice);
      await store.users.insert(bob);

      const found = await store.users.identities([bob.id, userId(), alice.id, bob.id]);

      expect([...found].sort((a, b) => a.username.localeCompare(b.username))).toEqual([
        { id: alice.id, username: 'alice', name: 'Alice A', active: true },
        { id: bob.id, username: 'bob', name: 'Bob B', active: false },
      ]);
      expect(await store.users.identities([])).toEqual([]);
    });

    it('skips unknown ids, gives an id listed twice its last status, and accepts an empty list', async () => {
      const alice = aUser({ username: 'alice' });
      await store.users.insert(alice);

      expect(
        await store.users.setStatuses(
          [
            { id: alice.id, status: 'away' },
            { id: userId(), status: 'away' },
            { id: alice.id, status: 'busy' },
          ],
          T0 + 1,
        ),
      ).toBe(1);
      expect((await store.users.byId(alice.id))?.status).toBe('busy');
      expect(await store.users.setStatuses([], T0 + 2)).toBe(0);
      expect((await store.users.byId(alice.id))?.updatedAt).toBe(T0 + 1);
    });

    it('is undone with the transaction it ran in', async () => {
      const alice = aUser({ username: 'alice' });
      await store.users.insert(alice);

      await expect(
        store.transaction(async (tx) => {
          await tx.users.setStatuses([{ id: alice.id, status: 'online' }], T0 + 1);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');

      expect(await store.users.byId(alice.id)).toStrictEqual(alice);
    });
  });

  describe('delete', () => {
    it("removes the user with their roles and tokens, and no one else's", async () => {
      const alice = aUser({ username: 'alice', roles: ['admin', 'user'] });
      const bob = aUser({ username: 'bob', roles: ['admin', 'user'] });
      await store.users.insert(alice);
      await store.users.insert(bob);
      const aliceLogin = aLoginToken(alice);
      const alicePat = aPersonalToken(alice, 'ci');
      const bobLogin = aLoginToken(bob);
      for (const token of [aliceLogin, alicePat, bobLogin]) await store.tokens.insert(token);

      expect(await store.users.delete(alice.id)).toBe(true);

      expect(await store.users.byId(alice.id)).toBeNull();
      expect(await store.users.byUsername('alice')).toBeNull();
      expect(await store.users.countWithRole('admin')).toBe(1);
      expect(
        (await store.users.list({ offset: 0, count: 10, role: 'admin' })).items.map((u) => u.id),
      ).toEqual([bob.id]);
      expect(await store.tokens.byHash(aliceLogin.hash)).toBeNull();
      expect(await store.tokens.byHash(alicePat.hash)).toBeNull();
      expect(await store.tokens.byHash(bobLogin.hash)).toStrictEqual(bobLogin);
      expect(await store.users.byId(bob.id)).toStrictEqual(bob);
    });

    it('frees the username and email for a new account', async () => {
      const alice = aUser({ username: 'alice', email: 'alice@example.test' });
      await store.users.insert(alice);
      await store.users.delete(alice.id);
      const again = aUser({ username: 'Alice', email: 'alice@example.test' });

      await store.users.insert(again);

      expect(await store.users.byUsername('alice')).toStrictEqual(again);
    });

    it('answers false for an unknown or already deleted id', async () => {
      const alice = aUser();
      await store.users.insert(alice);
      await store.users.delete(alice.id);

      expect(await store.users.delete(alice.id)).toBe(false);
      expect(await store.users.delete(userId())).toBe(false);
    });
  });
});
