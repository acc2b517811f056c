import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import {
  createTestServer,
  PASSWORD,
  type Session,
  type TestServer,
} from '../src/testing/create-test-server.js';

/** The exact key set Rocket.Chat's `miscellaneous.ts` checks in `me.settings.preferences` (non-EE). */
const PREFERENCE_KEYS = [
  'alsoSendThreadToChannel',
  'newRoomNotification',
  'newMessageNotification',
  'showThreadsInMainChannel',
  'useEmojis',
  'convertAsciiEmoji',
  'saveMobileBandwidth',
  'collapseMediaByDefault',
  'autoImageLoad',
  'emailNotificationMode',
  'unreadAlert',
  'notificationsSoundVolume',
  'omnichannelTranscriptEmail',
  'desktopNotifications',
  'pushNotifications',
  'enableAutoAway',
  'desktopNotificationRequireInteraction',
  'hideUsernames',
  'hideRoles',
  'displayAvatars',
  'hideFlexTab',
  'sendOnEnter',
  'idleTimeLimit',
  'sidebarShowFavorites',
  'sidebarShowUnread',
  'themeAppearence',
  'sidebarSortby',
  'sidebarViewMode',
  'sidebarDisplayAvatar',
  'sidebarGroupByType',
  'sidebarSectionsOrder',
  'muteFocusedConversations',
  'notifyCalendarEvents',
  'enableMobileRinging',
  'featuresPreview',
];

const NOT_LOGGED_IN = {
  success: false,
  status: 'error',
  error: 'You must be logged in to do this.',
  message: 'You must be logged in to do this.',
};

await onEachBackend('sessions and tokens', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ backend });
  });
  afterAll(() => server.close());

  /** One more login session (device) for `username`, through the real login route. */
  const logIn = async (username: string): Promise<Session> => {
    const reply = await server.anonymous.post<{ data: { userId: string; authToken: string } }>(
      '/api/v1/login',
      { user: username, password: PASSWORD },
    );
    expect(reply.status).toBe(200);
    return {
      userId: reply.body.data.userId,
      authToken: reply.body.data.authToken,
      username,
      password: PASSWORD,
    };
  };
  const meStatus = async (session: Session) => (await server.as(session).get('/api/v1/me')).status;

  describe('GET /api/v1/me', () => {
    it("returns the caller's own account flattened into the success envelope", async () => {
      const reply = await server.as(server.alice).get('/api/v1/me');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.body).toMatchObject({
        success: true,
        _id: server.alice.userId,
        username: 'alice',
        name: 'Alice',
        email: 'alice@example.test',
        emails: [{ address: 'alice@example.test', verified: true }],
        active: true,
        roles: ['user'],
        avatarUrl: 'http://parley.test/avatar/alice',
        isOAuthUser: false,
        services: { password: { exists: true } },
      });
      for (const key of ['status', 'statusConnection', 'statusDefault', 'utcOffset'])
        expect(reply.body, key).toHaveProperty(key);
    });

    it("sends exactly Rocket.Chat's preference keys in settings.preferences", async () => {
      const reply = await server
        .as(server.bob)
        .get<{ settings: { profile: object; preferences: object } }>('/api/v1/me');
      expect(Object.keys(reply.body.settings)).toEqual(['profile', 'preferences']);
      expect(Object.keys(reply.body.settings.preferences).sort()).toEqual([...PREFERENCE_KEYS].sort());
    });

    it('never leaks the password hash, login tokens or other secrets', async () => {
      const reply = await server.as(server.alice).get('/api/v1/me');
      expect(reply.body).not.toHaveProperty('passwordHash');
      expect(reply.body).not.toHaveProperty('password');
      expect(reply.body.services).toEqual({ password: { exists: true } });
      expect(reply.raw).not.toContain(server.alice.authToken);
      expect(reply.raw).not.toMatch(/\$argon2/);
      expect(reply.raw).not.toMatch(/hashedToken|loginTokens|resume/);
    });
  });

  describe('POST /api/v1/logout', () => {
    it('forgets only the token the request came with; the same user’s other sessions live on', async () => {
      const dave = await server.makeUser('dave');
      const laptop = await logIn('dave');
      const reply = await server.as(dave).post('/api/v1/logout');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.body).toEqual({
        status: 'success',
        data: { message: "You've been logged out!" },
        success: true,
      });
      expect(await meStatus(dave)).toBe(401);
      expect(await meStatus(laptop)).toBe(200);
      expect(await meStatus(server.alice)).toBe(200);
    });

    it('refuses a second logout with the dead token with 401', async () => {
      const session = await logIn('bob');
      expect((await server.as(session).post('/api/v1/logout')).status).toBe(200);
      const again = await server.as(session).post('/api/v1/logout');
      expect(again.status).toBe(401);
      expect(again.body).toEqual(NOT_LOGGED_IN);
    });

    it("accepts an empty body sent as application/json, as Rocket.Chat's RestClient sends a bodiless post", async () => {
      // `@rocket.chat/api-client` posts `JSON.stringify(undefined)` (no body) with Content-Type: application/json.
      const session = await logIn('bob');
      const reply = await server.as(session).raw('POST', '/api/v1/logout', '');
      expect(reply.status).toBe(200);
      expect(await meStatus(session)).toBe(401);
    });

    it('also answers the deprecated GET form', async () => {
      const session = await logIn('bob');
      const reply = await server.as(session).get('/api/v1/logout');
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ status: 'success', data: { message: "You've been logged out!" } });
      expect(await meStatus(session)).toBe(401);
      expect(await meStatus(server.bob)).toBe(200);
    });

    it('answers 401 without credentials', async () => {
      const reply = await server.anonymous.post('/api/v1/logout');
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual(NOT_LOGGED_IN);
    });
  });

  describe('POST /api/v1/users.logout', () => {
    it("ends the caller's other sessions and keeps the current one", async () => {
      const erin = await server.makeUser('erin');
      const phone = await logIn('erin');
      const tablet = await logIn('erin');
      const reply = await server.as(erin).post('/api/v1/users.logout', {});
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ message: `User ${erin.userId} has been logged out!`, success: true });
      expect(await meStatus(erin)).toBe(200);
      expect(await meStatus(phone)).toBe(401);
      expect(await meStatus(tablet)).toBe(401);
    });

    it('accepts a request with no body at all', async () => {
      const frank = await server.makeUser('frank');
      const other = await logIn('frank');
      const reply = await server.as(frank).post('/api/v1/users.logout');
      expect(reply.status).toBe(200);
      expect(await meStatus(frank)).toBe(200);
      expect(await meStatus(other)).toBe(401);
    });

    it('accepts an empty body sent as application/json', async () => {
      const ivy = await server.makeUser('ivy');
      const other = await logIn('ivy');
      const reply = await server.as(ivy).raw('POST', '/api/v1/users.logout', '');
      expect(reply.status).toBe(200);
      expect(await meStatus(ivy)).toBe(200);
      expect(await meStatus(other)).toBe(401);
    });

    it('lets a holder of logout-other-user end every session of someone else', async () => {
      const gina = await server.makeUser('gina');
      const second = await logIn('gina');
      const reply = await server.as(server.carol).post('/api/v1/users.logout', { userId: gina.userId });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ message: `User ${gina.userId} has been logged out!`, success: true });
      expect(await meStatus(gina)).toBe(401);
      expect(await meStatus(second)).toBe(401);
      expect(await meStatus(server.carol)).toBe(200);
    });

    it("refuses to end another user's sessions without logout-other-user with 403", async () => {
      const reply = await server.as(server.alice).post('/api/v1/users.logout', { userId: server.bob.userId });
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ success: false, errorType: 'error-unauthorized' });
      expect(await meStatus(server.bob)).toBe(200);
    });

    it('answers 400 for a userId that matches nobody', async () => {
      const reply = await server.as(server.carol).post('/api/v1/users.logout', { userId: 'no-such-user-id' });
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ success: false });
      expect(String(reply.body.errorType)).toMatch(/^error-invalid-user/);
    });
  });

  describe('authentication headers', () => {
    it('answers 401 in the legacy shape when credentials are missing, wrong, or mismatched', async () => {
      const cases: { label: string; headers: Record<string, string> }[] = [
        { label: 'no headers', headers: {} },
        { label: 'user id only', headers: { 'x-user-id': server.alice.userId } },
        { label: 'token only', headers: { 'x-auth-token': server.alice.authToken } },
        {
          label: 'wrong token',
          headers: { 'x-user-id': server.alice.userId, 'x-auth-token': 'x'.repeat(43) },
        },
        {
          label: "bob's token with alice's id",
          headers: { 'x-user-id': server.alice.userId, 'x-auth-token': server.bob.authToken },
        },
        {
          label: 'unknown user id',
          headers: { 'x-user-id': 'nobody', 'x-auth-token': server.alice.authToken },
        },
      ];
      for (const { label, headers } of cases) {
        const response = await server.parley.http.inject({ method: 'GET', url: '/api/v1/me', headers });
        expect(response.statusCode, label).toBe(401);
        expect(response.headers['content-type'], label).toBe('application/json');
        expect(JSON.parse(response.body), label).toEqual(NOT_LOGGED_IN);
      }
    });
  });

  describe('personal access tokens', () => {
    const generate = (session: Session, tokenName: string, extra: Record<string, unknown> = {}) =>
      server.as(session).post<{ token: string }>('/api/v1/users.generatePersonalAccessToken', {
        tokenName,
        ...extra,
      });
    const withToken = (session: Session, authToken: string): Session => ({ ...session, authToken });

    it('generates a token that works as X-Auth-Token with the owner’s X-User-Id', async () => {
      const reply = await generate(server.alice, 'ci-bot');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
        success: true,
      });
      const me = await server.as(withToken(server.alice, reply.body.token)).get('/api/v1/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ _id: server.alice.userId, username: 'alice' });
      // Someone else's id with alice's token is still a 401.
      expect(await meStatus(withToken(server.bob, reply.body.token))).toBe(401);
    });

    it('refuses a second token with the same name with error-token-already-exists', async () => {
      expect((await generate(server.bob, 'deploy')).status).toBe(200);
      const again = await generate(server.bob, 'deploy');
      expect(again.status).toBe(400);
      expect(again.body).toMatchObject({ success: false, errorType: 'error-token-already-exists' });
      // Another user may use the same name.
      expect((await generate(server.alice, 'deploy')).status).toBe(200);
    });

    it('lists name, createdAt, lastTokenPart and bypassTwoFactor, never the token itself', async () => {
      const hank = await server.makeUser('hank');
      const first = await generate(hank, 'nightly', { bypassTwoFactor: true });
      const second = await generate(hank, 'backup');
      const reply = await server
        .as(hank)
        .get<{ tokens: Record<string, unknown>[]; success: boolean }>(
          '/api/v1/users.getPersonalAccessTokens',
        );
      expect(reply.status).toBe(200);
      expect(reply.body.success).toBe(true);
      const byName = new Map(reply.body.tokens.map((t) => [t.name, t]));
      expect([...byName.keys()].sort()).toEqual(['backup', 'nightly']);
      for (const token of reply.body.tokens) {
        expect(Object.keys(token).sort()).toEqual(['bypassTwoFactor', 'createdAt', 'lastTokenPart', 'name']);
        expect(new Date(String(token.createdAt)).toISOString()).toBe(token.createdAt);
      }
      expect(byName.get('nightly')).toMatchObject({
        bypassTwoFactor: true,
        lastTokenPart: first.body.token.slice(-6),
      });
      expect(byName.get('backup')).toMatchObject({
        bypassTwoFactor: false,
        lastTokenPart: second.body.token.slice(-6),
      });
      expect(reply.raw).not.toContain(first.body.token);
      expect(reply.raw).not.toContain(second.body.token);
    });

    it('regenerates a token: the new one works and the old one dies', async () => {
      const old = await generate(server.alice, 'rotating');
      const reply = await server
        .as(server.alice)
        .post<{ token: string }>('/api/v1/users.regeneratePersonalAccessToken', { tokenName: 'rotating' });
      expect(reply.status).toBe(200);
      expect(reply.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(reply.body.token).not.toBe(old.body.token);
      expect(await meStatus(withToken(server.alice, old.body.token))).toBe(401);
      expect(await meStatus(withToken(server.alice, reply.body.token))).toBe(200);
      const missing = await server
        .as(server.alice)
        .post('/api/v1/users.regeneratePersonalAccessToken', { tokenName: 'never-made' });
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ success: false });
    });

    it('removes a token: it stops working and leaves the list', async () => {
      const made = await generate(server.bob, 'short-lived');
      const reply = await server
        .as(server.bob)
        .post('/api/v1/users.removePersonalAccessToken', { tokenName: 'short-lived' });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ success: true });
      expect(await meStatus(withToken(server.bob, made.body.token))).toBe(401);
      const list = await server
        .as(server.bob)
        .get<{ tokens: { name: string }[] }>('/api/v1/users.getPersonalAccessTokens');
      expect(list.body.tokens.map((t) => t.name)).not.toContain('short-lived');
      const again = await server
        .as(server.bob)
        .post('/api/v1/users.removePersonalAccessToken', { tokenName: 'short-lived' });
      expect(again.status).toBe(400);
      // The session that removed it is untouched.
      expect(await meStatus(server.bob)).toBe(200);
    });

    it('refuses empty, blank and over-long names with 400 and accepts 100 characters', async () => {
      for (const tokenName of ['', '   ', 'x'.repeat(101)]) {
        const reply = await generate(server.alice, tokenName);
        expect(reply.status, JSON.stringify(tokenName)).toBe(400);
        expect(reply.body, JSON.stringify(tokenName)).toMatchObject({ success: false });
      }
      expect((await generate(server.alice, 'y'.repeat(100))).status).toBe(200);
      const noName = await server.as(server.alice).post('/api/v1/users.generatePersonalAccessToken', {});
      expect(noName.status).toBe(400);
    });

    it('answers 403 on every token route once create-personal-access-tokens leaves role user', async () => {
      const made = await generate(server.bob, 'before-revocation');
      const revoke = await server.as(server.carol).post('/api/v1/permissions.update', {
        permissions: [{ _id: 'create-personal-access-tokens', roles: ['admin'] }],
      });
      expect(revoke.status).toBe(200);
      try {
        const bob = server.as(server.bob);
        const replies = [
          await bob.post('/api/v1/users.generatePersonalAccessToken', { tokenName: 'refused' }),
          await bob.post('/api/v1/users.regeneratePersonalAccessToken', { tokenName: 'before-revocation' }),
          await bob.get('/api/v1/users.getPersonalAccessTokens'),
          await bob.post('/api/v1/users.removePersonalAccessToken', { tokenName: 'before-revocation' }),
        ];
        for (const reply of replies) {
          expect(reply.status).toBe(403);
          expect(reply.body).toMatchObject({ success: false, errorType: 'error-unauthorized' });
        }
        // The admin still may.
        expect((await generate(server.carol, 'admin-token')).status).toBe(200);
      } finally {
        const restore = await server.as(server.carol).post('/api/v1/permissions.update', {
          permissions: [{ _id: 'create-personal-access-tokens', roles: ['admin', 'user'] }],
        });
        expect(restore.status).toBe(200);
      }
      expect(await meStatus(withToken(server.bob, made.body.token))).toBe(200);
    });

    it('answers 401 without credentials', async () => {
      const reply = await server.anonymous.get('/api/v1/users.getPersonalAccessTokens');
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual(NOT_LOGGED_IN);
    });
  });
});

await onEachBackend('lastLogin on resume', (backend) => {
  let server: TestServer;
  let now = Date.UTC(2026, 5, 1, 12);
  beforeAll(async () => {
    server = await createTestServer({ backend, clock: { now: () => now } });
  });
  afterAll(() => server.close());

  const lastLogin = async (): Promise<string | undefined> => {
    const reply = await server.as(server.bob).get<{ lastLogin?: string }>('/api/v1/users.getPresence');
    expect(reply.status).toBe(200);
    return reply.body.lastLogin;
  };
  const resume = async () => {
    const reply = await server.anonymous.post('/api/v1/login', { resume: server.bob.authToken });
    expect(reply.status).toBe(200);
  };

  it('refreshes it only once it is over 5 minutes old (reconnects resume in crowds)', async () => {
    await resume();
    const first = await lastLogin();
    expect(first).toBe(new Date(now).toISOString());

    now += 4 * 60_000;
    await resume();
    expect(await lastLogin()).toBe(first);

    now += 2 * 60_000;
    await resume();
    expect(await lastLogin()).toBe(new Date(now).toISOString());
  });
});
