import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeParley, PARLEY_VERSION, type Parley } from '../src/compose.js';
import { loadConfig } from '../src/config/config.js';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, PASSWORD, type TestServer } from '../src/testing/create-test-server.js';
import { freshDatabase, type TestDatabase } from '../src/testing/databases.js';

interface SettingItem {
  _id: string;
  value: unknown;
}

await onEachBackend('settings and operations', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ backend });
  });
  afterAll(() => server.close());

  const valueOf = async (id: string) =>
    (await server.as(server.carol).get(`/api/v1/settings/${id}`)).body.value;

  describe('GET /api/v1/settings.public', () => {
    type PublicPage = { settings: SettingItem[]; count: number; offset: number; total: number };

    it('lists only public settings as {_id, value}, without logging in', async () => {
      const reply = await server.anonymous.get<PublicPage>('/api/v1/settings.public');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.body).toMatchObject({ success: true, offset: 0 });
      expect(reply.body.count).toBe(reply.body.settings.length);
      expect(reply.body.total).toBeGreaterThanOrEqual(reply.body.count);
      for (const item of reply.body.settings) expect(Object.keys(item).sort()).toEqual(['_id', 'value']);
      const ids = reply.body.settings.map((s) => s._id);
      expect(reply.body.settings).toContainEqual({ _id: 'Site_Name', value: 'Parley' });
      expect(ids).toContain('Accounts_RegistrationForm');
      for (const hidden of [
        'API_Default_Count',
        'Accounts_RegistrationForm_SecretURL',
        'Block_Multiple_Failed_Logins_Enabled',
      ])
        expect(ids).not.toContain(hidden);
    });

    it('filters by query={"_id":{"$in":[...]}} and still hides private settings', async () => {
      const reply = await server.anonymous.get<PublicPage>('/api/v1/settings.public', {
        query: JSON.stringify({ _id: { $in: ['Site_Name', 'Language', 'API_Default_Count'] } }),
      });
      expect(reply.status).toBe(200);
      expect(reply.body.settings.map((s) => s._id).sort()).toEqual(['Language', 'Site_Name']);
      expect(reply.body.total).toBe(2);
    });

    it('pages with count and offset', async () => {
      const all = await server.anonymous.get<PublicPage>('/api/v1/settings.public');
      const page = await server.anonymous.get<PublicPage>('/api/v1/settings.public', {
        count: '2',
        offset: '1',
      });
      expect(page.body).toMatchObject({ count: 2, offset: 1, total: all.body.total });
      expect(page.body.settings).toEqual(all.body.settings.slice(1, 3));
    });

    it('refuses a query that is not JSON or not an _id filter with 400', async () => {
      for (const query of ['{not json', '{"$where":"this.public"}', '{"_id":{"$regex":"."}}']) {
        const reply = await server.anonymous.get('/api/v1/settings.public', { query });
        expect(reply.status, query).toBe(400);
        expect(reply.body, query).toMatchObject({ success: false });
      }
    });
  });

  describe('GET /api/v1/settings/:_id', () => {
    it('shows a public setting to any logged-in user', async () => {
      const reply = await server.as(server.alice).get('/api/v1/settings/Site_Name');
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ success: true, _id: 'Site_Name', value: 'Parley' });
    });

    it('shows a private setting only with view-privileged-setting', async () => {
      const refused = await server.as(server.alice).get('/api/v1/settings/API_Default_Count');
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ success: false, errorType: 'error-unauthorized' });
      expect(refused.raw).not.toContain('"value"');
      const shown = await server.as(server.carol).get('/api/v1/settings/API_Default_Count');
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({ _id: 'API_Default_Count', value: 50, type: 'int', public: false });
    });

    it('answers 400 error-setting-not-found for an unknown id', async () => {
      const reply = await server.as(server.carol).get('/api/v1/settings/No_Such_Setting');
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ success: false, errorType: 'error-setting-not-found' });
    });

    it('answers 401 without credentials', async () => {
      expect((await server.anonymous.get('/api/v1/settings/Site_Name')).status).toBe(401);
    });
  });

  describe('POST /api/v1/settings/:_id', () => {
    it('changes a setting for a holder of edit-privileged-setting', async () => {
      const reply = await server
        .as(server.carol)
        .post('/api/v1/settings/Site_Name', { value: 'Parley Test' });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ success: true });
      expect(await valueOf('Site_Name')).toBe('Parley Test');
      const pub = await server.anonymous.get<{ settings: SettingItem[] }>('/api/v1/settings.public', {
        query: '{"_id":{"$in":["Site_Name"]}}',
      });
      expect(pub.body.settings).toEqual([{ _id: 'Site_Name', value: 'Parley Test' }]);
    });

    it('refuses a caller without edit-privileged-setting with 403 and changes nothing', async () => {
      const reply = await server.as(server.alice).post('/api/v1/settings/Site_Name', { value: 'Hijacked' });
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ success: false, errorType: 'error-unauthorized' });
      expect(await valueOf('Site_Name')).not.toBe('Hijacked');
    });

    it('refuses a wrong type, an out-of-range number and an unknown choice with error-invalid-setting-value', async () => {
      const cases: [string, unknown][] = [
        ['Site_Name', 42],
        ['Accounts_AllowAnonymousRead', 'true'],
        ['API_Default_Count', 'fifty'],
        ['API_Default_Count', 2.5],
        ['Accounts_Password_Policy_MinLength', 0],
        ['Accounts_Password_Policy_MinLength', 5000],
        ['Accounts_RegistrationForm', 'Maybe'],
        ['Accounts_RegistrationForm', null],
      ];
      for (const [id, value] of cases) {
        const before = await valueOf(id);
        const reply = await server.as(server.carol).post(`/api/v1/settings/${id}`, { value });
        const label = `${id} = ${JSON.stringify(value)}`;
        expect(reply.status, label).toBe(400);
        expect(reply.body, label).toMatchObject({ success: false, errorType: 'error-invalid-setting-value' });
        expect(await valueOf(id), label).toEqual(before);
      }
    });

    it('refuses an unknown setting and a body without value with 400', async () => {
      const unknown = await server.as(server.carol).post('/api/v1/settings/No_Such_Setting', { value: 1 });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ success: false, errorType: 'error-setting-not-found' });
      const noValue = await server.as(server.carol).post('/api/v1/settings/Site_Name', {});
      expect(noValue.status).toBe(400);
    });

    it('takes effect without a restart: a public registration form lets users.register work', async () => {
      const account = {
        username: 'newcomer',
        email: 'newcomer@example.test',
        pass: PASSWORD,
        name: 'Newcomer',
      };
      const closed = await server.anonymous.post('/api/v1/users.register', account);
      expect(closed.status).toBe(400);
      expect(closed.body).toMatchObject({ success: false, errorType: 'error-user-registration-disabled' });
      await server.setSetting('Accounts_RegistrationForm', 'Public');
      try {
        const open = await server.anonymous.post('/api/v1/users.register', account);
        expect(open.status).toBe(200);
        expect(open.body).toMatchObject({ success: true, user: { username: 'newcomer' } });
        const login = await server.anonymous.post('/api/v1/login', { user: 'newcomer', password: PASSWORD });
        expect(login.status).toBe(200);
      } finally {
        await server.setSetting('Accounts_RegistrationForm', 'Disabled');
      }
      const again = await server.anonymous.post('/api/v1/users.register', {
        ...account,
        username: 'latecomer',
        email: 'latecomer@example.test',
      });
      expect(again.status).toBe(400);
      expect(again.body).toMatchObject({ errorType: 'error-user-registration-disabled' });
    });
  });

  describe('operations endpoints', () => {
    it("GET /api/info gives the Rocket.Chat version and Parley's own version and schema", async () => {
      const reply = await server.anonymous.get<{
        version: string;
        parley: { version: string; schemaVersion: string };
        success: boolean;
      }>('/api/info');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.body.success).toBe(true);
      expect(reply.body.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(reply.body.parley.version).toBe(PARLEY_VERSION);
      expect(reply.body.parley.schemaVersion).toEqual(expect.any(String));
      expect(reply.body.parley.schemaVersion).not.toBe('');
    });

    it('GET /livez says the process is up', async () => {
      const reply = await server.anonymous.get('/livez');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ status: 'ok' });
    });

    it('GET /readyz says the database is ready, with the schema version', async () => {
      const info = await server.anonymous.get<{ parley: { schemaVersion: string } }>('/api/info');
      const reply = await server.anonymous.get('/readyz');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ status: 'ok', schemaVersion: info.body.parley.schemaVersion });
    });

    it('GET /metrics serves Prometheus text with request durations by route and process metrics', async () => {
      await server.as(server.alice).get('/api/v1/me');
      const reply = await server.anonymous.get('/metrics');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^text\/plain/);
      expect(reply.raw).toMatch(/^# HELP parley_http_request_duration_seconds /m);
      expect(reply.raw).toMatch(/^# TYPE parley_http_request_duration_seconds histogram$/m);
      expect(reply.raw).toMatch(/^parley_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/me"/m);
      expect(reply.raw).toMatch(/^process_cpu_user_seconds_total /m);
    });

    it('GET /api/docs/json serves an OpenAPI 3 document with request body schemas', async () => {
      type Operation = { requestBody?: { content: Record<string, { schema: { properties?: object } }> } };
      const reply = await server.anonymous.get<{
        openapi: string;
        paths: Record<string, Record<string, Operation>>;
      }>('/api/docs/json');
      expect(reply.status).toBe(200);
      expect(reply.body.openapi).toMatch(/^3\./);
      const login = reply.body.paths['/api/v1/login']?.post;
      expect(login?.requestBody?.content['application/json']?.schema).toBeDefined();
      const create = reply.body.paths['/api/v1/users.create']?.post;
      const properties = create?.requestBody?.content['application/json']?.schema.properties ?? {};
      expect(Object.keys(properties)).toEqual(
        expect.arrayContaining(['username', 'email', 'name', 'password']),
      );
    });
  });

  describe('the envelope', () => {
    it("answers an unknown route with 404 {success:false, error:'Resource not found'}", async () => {
      for (const reply of [
        await server.anonymous.get('/api/v1/no.such.endpoint'),
        await server.as(server.alice).post('/api/v1/no.such.endpoint', {}),
      ]) {
        expect(reply.status).toBe(404);
        expect(reply.headers['content-type']).toBe('application/json');
        expect(reply.body).toEqual({ success: false, error: 'Resource not found' });
      }
    });

    it('refuses a body over 1 MiB with 413', async () => {
      const huge = JSON.stringify({ user: 'alice', password: 'x'.repeat(1024 * 1024 + 10) });
      const reply = await server.anonymous.raw('POST', '/api/v1/login', huge);
      expect(reply.status).toBe(413);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.body).toMatchObject({ success: false });
    });

    it('answers malformed JSON with 400, never 500', async () => {
      const carol = server.as(server.carol);
      for (const [url, payload] of [
        ['/api/v1/login', '{"user": "alice", '],
        ['/api/v1/settings/Site_Name', '{"value": }'],
        ['/api/v1/permissions.update', '[1, 2'],
        ['/api/v1/users.create', 'not json at all'],
        ['/api/v1/roles.addUserToRole', '"just a string"'],
        ['/api/v1/users.logout', 'null'],
      ] as const) {
        const reply = await carol.raw('POST', url, payload);
        expect(reply.status, `${url} ${payload}`).toBe(400);
        expect(reply.headers['content-type']).toBe('application/json');
        expect(reply.body, `${url} ${payload}`).toMatchObject({ success: false });
      }
    });

    it('sends Content-Type exactly application/json on success and on every error', async () => {
      const replies = [
        await server.as(server.alice).get('/api/v1/me'),
        await server.anonymous.get('/api/v1/settings.public'),
        await server.anonymous.get('/api/v1/me'),
        await server.as(server.alice).get('/api/v1/settings/API_Default_Count'),
        await server.as(server.carol).get('/api/v1/settings/No_Such_Setting'),
        await server.anonymous.raw('POST', '/api/v1/login', '{'),
      ];
      expect(replies.map((r) => r.status)).toEqual([200, 200, 401, 403, 400, 400]);
      for (const reply of replies) expect(reply.headers['content-type']).toBe('application/json');
    });
  });

  describe('setup endpoints once an admin exists', () => {
    it('GET /api/v1/setup.info says setup is not required', async () => {
      const reply = await server.anonymous.get('/api/v1/setup.info');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ setupRequired: false, success: true });
    });

    it('POST /api/v1/setup.createAdmin is refused with 403 error-not-allowed', async () => {
      const reply = await server.anonymous.post('/api/v1/setup.createAdmin', {
        token: 'x'.repeat(43),
        username: 'mallory',
        password: PASSWORD,
      });
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ success: false, errorType: 'error-not-allowed' });
      expect(
        (await server.anonymous.post('/api/v1/login', { user: 'mallory', password: PASSWORD })).status,
      ).toBe(401);
    });
  });
});

await onEachBackend('first-run setup without PARLEY_ADMIN_*', (backend) => {
  let database: TestDatabase;
  let parley: Parley;
  let setupToken: string;
  beforeAll(async () => {
    database = await freshDatabase(backend);
    parley = await composeParley(loadConfig({ PARLEY_PUBLIC_URL: 'http://parley.test' }), {
      logger: pino({ level: 'silent' }),
      database: database.target,
    });
    if (parley.setup.kind !== 'awaiting-admin')
      throw new Error(`expected awaiting-admin, got ${parley.setup.kind}`);
    setupToken = parley.setup.setupToken;
  });
  afterAll(async () => {
    await parley.close();
    await database.drop();
  });

  const call = async (
    method: 'GET' | 'POST',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await parley.http.inject({
      method,
      url,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
  };
  const admin = { username: 'root', password: PASSWORD, email: 'root@example.test', name: 'Root' };

  it('issues a one-time setup token and reports setup as required', async () => {
    expect(setupToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(await call('GET', '/api/v1/setup.info')).toEqual({
      status: 200,
      body: { setupRequired: true, success: true },
    });
  });

  it('refuses a wrong token with 403 and creates nobody', async () => {
    const reply = await call('POST', '/api/v1/setup.createAdmin', { ...admin, token: 'wrong-token' });
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ success: false });
    expect((await call('POST', '/api/v1/login', { user: 'root', password: PASSWORD })).status).toBe(401);
    expect((await call('GET', '/api/v1/setup.info')).body.setupRequired).toBe(true);
  });

  it('creates the first admin with the right token; they can log in and hold role admin', async () => {
    const reply = await call('POST', '/api/v1/setup.createAdmin', { ...admin, token: setupToken });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ success: true, user: { username: 'root', name: 'Root' } });
    expect((reply.body.user as { roles: string[] }).roles).toContain('admin');

    const login = await call('POST', '/api/v1/login', { user: 'root', password: PASSWORD });
    expect(login.status).toBe(200);
    const { userId, authToken } = login.body.data as { userId: string; authToken: string };
    const me = await call('GET', '/api/v1/me', undefined, { 'x-user-id': userId, 'x-auth-token': authToken });
    expect(me.status).toBe(200);
    expect(me.body.roles).toEqual(expect.arrayContaining(['admin']));
    // The admin may do admin things at once.
    const privateSetting = await call('GET', '/api/v1/settings/API_Default_Count', undefined, {
      'x-user-id': userId,
      'x-auth-token': authToken,
    });
    expect(privateSetting.status).toBe(200);
  });

  it('spends the token: a second use is refused and setup is no longer required', async () => {
    const reply = await call('POST', '/api/v1/setup.createAdmin', {
      ...admin,
      username: 'second-root',
      token: setupToken,
    });
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ success: false, errorType: 'error-not-allowed' });
    expect((await call('POST', '/api/v1/login', { user: 'second-root', password: PASSWORD })).status).toBe(
      401,
    );
    expect((await call('GET', '/api/v1/setup.info')).body).toEqual({ setupRequired: false, success: true });
  });
});
