import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, PASSWORD, type TestServer } from '../src/testing/create-test-server.js';

await onEachBackend('POST /api/v1/login', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ backend });
  });
  afterAll(() => server.close());

  it('logs in with user + password and answers in the status/data envelope', async () => {
    const reply = await server.anonymous.post<{
      status: string;
      data: { userId: string; authToken: string; me: Record<string, unknown> };
      success: boolean;
    }>('/api/v1/login', { user: 'alice', password: PASSWORD });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.body.status).toBe('success');
    expect(reply.body.data.userId).toBe(server.alice.userId);
    expect(reply.body.data.authToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(reply.body.data.me).toMatchObject({
      _id: server.alice.userId,
      username: 'alice',
      email: 'alice@example.test',
    });
    expect(Object.keys(reply.body.data.me.settings as object)).toEqual(['profile', 'preferences']);
    expect(reply.body.data.me).not.toHaveProperty('passwordHash');
  });

  it('accepts username, email, and the user object forms', async () => {
    for (const body of [
      { username: 'alice', password: PASSWORD },
      { email: 'ALICE@example.test', password: PASSWORD },
      { user: 'alice@example.test', password: PASSWORD },
      { user: { username: 'Alice' }, password: PASSWORD },
      { user: { email: 'alice@example.test' }, password: PASSWORD },
    ]) {
      const reply = await server.anonymous.post('/api/v1/login', body);
      expect(reply.status, JSON.stringify(body)).toBe(200);
    }
  });

  it("accepts Rocket.Chat's sha-256 digest form of the password", async () => {
    const digest = createHash('sha256').update(PASSWORD).digest('hex');
    const reply = await server.anonymous.post('/api/v1/login', {
      user: 'bob',
      password: { digest, algorithm: 'sha-256' },
    });
    expect(reply.status).toBe(200);
  });

  it('resumes with an existing token and returns that same token', async () => {
    const reply = await server.anonymous.post<{ data: { authToken: string; userId: string } }>(
      '/api/v1/login',
      { resume: server.bob.authToken },
    );
    expect(reply.status).toBe(200);
    expect(reply.body.data).toMatchObject({ authToken: server.bob.authToken, userId: server.bob.userId });
  });

  it('answers 401 with the same body whether the user or the password is wrong', async () => {
    const wrongPassword = await server.anonymous.post('/api/v1/login', {
      user: 'alice',
      password: 'nope-nope-nope',
    });
    const noSuchUser = await server.anonymous.post('/api/v1/login', { user: 'nobody', password: PASSWORD });
    const badResume = await server.anonymous.post('/api/v1/login', { resume: 'not-a-token' });
    for (const reply of [wrongPassword, noSuchUser, badResume]) {
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({
        success: false,
        status: 'error',
        error: 'Unauthorized',
        message: 'Unauthorized',
      });
    }
  });

  it('refuses malformed bodies with 400 invalid-params and never 500', async () => {
    for (const body of [
      {},
      { user: 'alice' },
      { password: PASSWORD },
      { user: 42, password: PASSWORD },
      { user: 'alice', password: { digest: 'xyz', algorithm: 'sha-256' } },
      { user: '', password: PASSWORD },
    ]) {
      const reply = await server.anonymous.post('/api/v1/login', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body).toMatchObject({ success: false, errorType: 'invalid-params' });
    }
    const broken = await server.anonymous.raw('POST', '/api/v1/login', '{"user": "alice", ');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ success: false, errorType: 'invalid-params' });
  });

  it('refuses a deactivated user with the same 401', async () => {
    const dave = await server.makeUser('dave');
    const off = await server
      .as(server.carol)
      .post('/api/v1/users.setActiveStatus', { userId: dave.userId, activeStatus: false });
    expect(off.status).toBe(200);
    const reply = await server.anonymous.post('/api/v1/login', { user: 'dave', password: PASSWORD });
    expect(reply.status).toBe(401);
    const me = await server.as(dave).get('/api/v1/me');
    expect(me.status).toBe(401);
  });
});

await onEachBackend('login rate limits', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ backend });
    await server.setSetting('Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User', 3);
  });
  afterAll(() => server.close());

  it('answers 429 in the Rocket.Chat shape after too many failures for one user, even with the right password', async () => {
    for (let i = 0; i < 3; i++) {
      expect(
        (await server.anonymous.post('/api/v1/login', { user: 'bob', password: 'wrong-password' })).status,
      ).toBe(401);
    }
    const blocked = await server.anonymous.post('/api/v1/login', { user: 'bob', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ success: false, errorType: 'error-too-many-requests' });
    expect(String(blocked.body.error)).toMatch(/too many requests.*\[error-too-many-requests\]$/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another user from the same address is not blocked yet.
    expect((await server.anonymous.post('/api/v1/login', { user: 'alice', password: PASSWORD })).status).toBe(
      200,
    );
  });

  it('blocks an address after too many failures across users', async () => {
    await server.setSetting('Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip', 4);
    for (let i = 0; i < 4; i++)
      await server.anonymous.post('/api/v1/login', { user: `ghost${i}`, password: 'wrong-password' });
    const blocked = await server.anonymous.post('/api/v1/login', { user: 'alice', password: PASSWORD });
    expect(blocked.status).toBe(429);
  });
});
