import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoginToken } from '../../domain/auth/login-token.js';
import type { User } from '../../domain/users/user.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aLoginToken, aPersonalToken, aUser, LAST_DATE_MS, T0 } from './factories.js';

await onEachBackend('TokenRepo', (backend) => {
  let database: TestDatabase;
  let store: KyselyStore;
  let alice: User;
  let bob: User;

  beforeEach(async () => {
    database = await freshDatabase(backend);
    store = createStore(database.target);
    await store.migrateToLatest();
    alice = aUser({ username: 'alice' });
    bob = aUser({ username: 'bob' });
    await store.users.insert(alice);
    await store.users.insert(bob);
  });

  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  describe('insert and byHash', () => {
    it('round-trips a login token and a personal access token field by field', async () => {
      const login = aLoginToken(alice, { createdAt: LAST_DATE_MS });
      const personal = aPersonalToken(alice, 'CI – déploiement 🚀', {
        bypassTwoFactor: true,
        createdAt: T0 + 1,
      });
      await store.tokens.insert(login);
      await store.tokens.insert(personal);

      expect(await store.tokens.byHash(login.hash)).toStrictEqual(login);
      expect(await store.tokens.byHash(personal.hash)).toStrictEqual(personal);
    });

    it('answers null for an unknown hash', async () => {
      const token = aLoginToken(alice);
      await store.tokens.insert(token);

      expect(await store.tokens.byHash(token.hash.toUpperCase())).toBeNull();
      expect(await store.tokens.byHash('')).toBeNull();
    });

    it('refuses a second personal token of one name for one user, but not the same name for another user', async () => {
      await store.tokens.insert(aPersonalToken(alice, 'ci'));
      const bobs = aPersonalToken(bob, 'ci');
      await store.tokens.insert(bobs);

      await expect(store.tokens.insert(aPersonalToken(alice, 'ci'))).rejects.toThrow();
      expect(await store.tokens.byHash(bobs.hash)).toStrictEqual(bobs);
    });

    it('keeps any number of unnamed login tokens per user', async () => {
      const tokens = [aLoginToken(alice), aLoginToken(alice), aLoginToken(alice)];
      for (const token of tokens) await store.tokens.insert(token);

      for (const token of tokens) expect(await store.tokens.byHash(token.hash)).toStrictEqual(token);
    });
  });

  describe('deleteByHash', () => {
    it('deletes that token only and says whether it existed', async () => {
      const first = aLoginToken(alice);
      const second = aLoginToken(alice);
      await store.tokens.insert(first);
      await store.tokens.insert(second);

      expect(await store.tokens.deleteByHash(first.hash)).toBe(true);
      expect(await store.tokens.deleteByHash(first.hash)).toBe(false);
      expect(await store.tokens.byHash(first.hash)).toBeNull();
      expect(await store.tokens.byHash(second.hash)).toStrictEqual(second);
    });
  });

  describe('deleteLoginTokensOfUser', () => {
    let current: LoginToken;
    let aliceLogins: LoginToken[];
    let alicePersonal: LoginToken[];
    let bobLogin: LoginToken;

    beforeEach(async () => {
      current = aLoginToken(alice);
      aliceLogins = [current, aLoginToken(alice), aLoginToken(alice)];
      alicePersonal = [aPersonalToken(alice, 'ci'), aPersonalToken(alice, 'backup')];
      bobLogin = aLoginToken(bob);
      for (const token of [...aliceLogins, ...alicePersonal, bobLogin]) await store.tokens.insert(token);
    });

    it("removes every login token of the user, keeping personal tokens and other users' tokens", async () => {
      expect(await store.tokens.deleteLoginTokensOfUser(alice.id)).toBe(3);

      for (const token of aliceLogins) expect(await store.tokens.byHash(token.hash)).toBeNull();
      for (const token of alicePersonal) expect(await store.tokens.byHash(token.hash)).toStrictEqual(token);
      expect(await store.tokens.byHash(bobLogin.hash)).toStrictEqual(bobLogin);
    });

    it('keeps the token named by keepHash (the session that asked)', async () => {
      const others = aliceLogins.filter((token) => token !== current);

      expect(await store.tokens.deleteLoginTokensOfUser(alice.id, current.hash)).toBe(2);

      expect(await store.tokens.byHash(current.hash)).toStrictEqual(current);
      for (const token of others) expect(await store.tokens.byHash(token.hash)).toBeNull();
      expect(await store.tokens.personalOfUser(alice.id)).toHaveLength(2);
    });

    it('answers 0 when the user has no login tokens left', async () => {
      await store.tokens.deleteLoginTokensOfUser(alice.id);

      expect(await store.tokens.deleteLoginTokensOfUser(alice.id)).toBe(0);
    });
  });

  describe('deleteAllOfUser', () => {
    it("removes login and personal tokens of the user and counts them, sparing other users'", async () => {
      const aliceTokens = [aLoginToken(alice), aLoginToken(alice), aPersonalToken(alice, 'ci')];
      const bobTokens = [aLoginToken(bob), aPersonalToken(bob, 'ci')];
      for (const token of [...aliceTokens, ...bobTokens]) await store.tokens.insert(token);

      expect(await store.tokens.deleteAllOfUser(alice.id)).toBe(3);
      expect(await store.tokens.deleteAllOfUser(alice.id)).toBe(0);

      for (const token of aliceTokens) expect(await store.tokens.byHash(token.hash)).toBeNull();
      for (const token of bobTokens) expect(await store.tokens.byHash(token.hash)).toStrictEqual(token);
    });
  });

  describe('personalOfUser', () => {
    it('lists only the personal tokens of that user, oldest first, then by name', async () => {
      const newest = aPersonalToken(alice, 'a-newest', { createdAt: T0 + 300 });
      const oldest = aPersonalToken(alice, 'z-oldest', { createdAt: T0 });
      const tied = ['e', 'c', 'a', 'd', 'b'].map((name) =>
        aPersonalToken(alice, `tied-${name}`, { createdAt: T0 + 100 }),
      );
      const noise = [aLoginToken(alice), aPersonalToken(bob, 'tied-0', { createdAt: T0 + 100 })];
      for (const token of [newest, ...tied, ...noise, oldest]) await store.tokens.insert(token);

      const names = (await store.tokens.personalOfUser(alice.id)).map((t) => t.name);

      expect(names).toEqual(['z-oldest', 'tied-a', 'tied-b', 'tied-c', 'tied-d', 'tied-e', 'a-newest']);
      expect((await store.tokens.personalOfUser(alice.id))[0]).toStrictEqual(oldest);
    });

    it('answers an empty list for a user with only login tokens', async () => {
      await store.tokens.insert(aLoginToken(bob));

      expect(await store.tokens.personalOfUser(bob.id)).toEqual([]);
    });
  });

  describe('personalByName', () => {
    it("finds the user's personal token by exact name and nobody else's", async () => {
      const alices = aPersonalToken(alice, 'ci');
      const bobs = aPersonalToken(bob, 'deploy');
      await store.tokens.insert(alices);
      await store.tokens.insert(bobs);

      expect(await store.tokens.personalByName(alice.id, 'ci')).toStrictEqual(alices);
      expect(await store.tokens.personalByName(bob.id, 'ci')).toBeNull();
      expect(await store.tokens.personalByName(alice.id, 'deploy')).toBeNull();
      expect(await store.tokens.personalByName(alice.id, 'c')).toBeNull();
    });

    it('never answers with a login token, even one that carries a name', async () => {
      await store.tokens.insert(aLoginToken(alice, { name: 'laptop' }));

      expect(await store.tokens.personalByName(alice.id, 'laptop')).toBeNull();
    });
  });
});
