import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type Session, type TestServer } from '../src/testing/create-test-server.js';

interface Answer {
  msg: 'result';
  id: string;
  result?: unknown;
  error?: { error: string | number; reason: string; errorType: string; isClientSafe: boolean };
}

/** The body Rocket.Chat's web client posts: the DDP method message as EJSON text. */
const body = (method: string, params: unknown[], id = '7') => ({
  message: JSON.stringify({ msg: 'method', id, method, params }),
});

await onEachBackend('DDP methods over REST: method.call and method.callAnon', (backend) => {
  let s: TestServer;
  let gid: string;

  beforeAll(async () => {
    s = await createTestServer({ backend });
    const group = await s
      .as(s.carol)
      .post<{ group: { _id: string } }>('/api/v1/groups.create', { name: 'rest-methods-secret' });
    gid = group.body.group._id;
  });
  afterAll(() => s.close());

  /** Posts a method call and returns the parsed `message` of a 200. */
  const call = async (as: Session | null, path: string, payload: unknown): Promise<Answer> => {
    const client = as ? s.as(as) : s.anonymous;
    const reply = await client.post<{ success: boolean; message: string }>(path, payload);
    expect(reply.status, reply.raw).toBe(200);
    expect(reply.body.success).toBe(true);
    return JSON.parse(reply.body.message) as Answer;
  };

  describe('POST /api/v1/method.call/:method', () => {
    it('runs the method as the caller and answers its result with EJSON dates', async () => {
      const answer = await call(
        s.alice,
        '/api/v1/method.call/sendMessage',
        body('sendMessage', [{ rid: 'GENERAL', msg: 'over rest' }]),
      );
      expect(answer).toMatchObject({
        msg: 'result',
        id: '7',
        result: { rid: 'GENERAL', msg: 'over rest', u: { username: 'alice' } },
      });
      expect(answer.error).toBeUndefined();
      expect((answer.result as { ts: { $date: number } }).ts.$date).toBeTypeOf('number');
    });

    it('passes EJSON dates in params through (loadHistory with `end`)', async () => {
      const first = await call(
        s.alice,
        '/api/v1/method.call/loadHistory',
        body('loadHistory', ['GENERAL', null, 1]),
      );
      const [newest] = (first.result as { messages: { ts: { $date: number } }[] }).messages;
      const older = await call(
        s.alice,
        '/api/v1/method.call/loadHistory',
        body('loadHistory', ['GENERAL', newest?.ts, 5]),
      );
      for (const m of (older.result as { messages: { ts: { $date: number } }[] }).messages)
        expect(m.ts.$date).toBeLessThan(newest?.ts.$date ?? 0);
    });

    it('answers a method without result as {msg, id} only', async () => {
      const reply = await s
        .as(s.alice)
        .post<{ message: string }>('/api/v1/method.call/readMessages', body('readMessages', ['GENERAL']));
      expect(JSON.parse(reply.body.message)).toEqual({ msg: 'result', id: '7' });
    });

    it('reports a refusal inside a 200, as Meteor errors', async () => {
      const answer = await call(
        s.bob,
        '/api/v1/method.call/sendMessage',
        body('sendMessage', [{ rid: gid, msg: 'let me in' }]),
      );
      expect(answer.result).toBeUndefined();
      expect(answer.error).toMatchObject({
        isClientSafe: true,
        error: 'error-room-not-found',
        errorType: 'Meteor.Error',
      });
      const bad = await call(s.bob, '/api/v1/method.call/sendMessage', body('sendMessage', [{ rid: 1 }]));
      expect(bad.error).toMatchObject({ error: 'error-invalid-params' });
    });

    it('answers an unknown method with Meteor’s 404 inside the message', async () => {
      const answer = await call(s.alice, '/api/v1/method.call/noSuchMethod', body('noSuchMethod', []));
      expect(answer.error).toMatchObject({ error: 404, reason: "Method 'noSuchMethod' not found" });
    });

    it('runs the method named in the message, whatever the path says (as Rocket.Chat)', async () => {
      const answer = await call(
        s.alice,
        '/api/v1/method.call/somethingElse',
        body('getRoomIdByNameOrId', ['general']),
      );
      expect(answer.result).toBe('GENERAL');
      // Rocket.Chat's client writes `subscriptions/get` as `subscriptions:get` in the path.
      const subs = await call(
        s.alice,
        '/api/v1/method.call/subscriptions:get',
        body('subscriptions/get', []),
      );
      expect(subs.result).toEqual(expect.arrayContaining([expect.objectContaining({ rid: 'GENERAL' })]));
    });

    it('refuses an unauthenticated call with 401', async () => {
      const reply = await s.anonymous.post('/api/v1/method.call/sendMessage', body('sendMessage', []));
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ success: false });
    });

    it('refuses a malformed body with 400', async () => {
      const post = (payload: unknown) => s.as(s.alice).post('/api/v1/method.call/x', payload);
      expect(await post({})).toMatchObject({
        status: 400,
        body: { success: false, errorType: 'invalid-params' },
      });
      expect(await post({ message: 42 })).toMatchObject({ status: 400 });
      expect(await post({ message: '{}', extra: 1 })).toMatchObject({ status: 400 });
      const invalid = { status: 400, body: { success: false, error: 'Invalid method call' } };
      expect(await post({ message: 'not json' })).toMatchObject(invalid);
      expect(await post({ message: '[]' })).toMatchObject(invalid);
      expect(await post({ message: JSON.stringify({ id: '1', method: 'x', params: [] }) })).toMatchObject(
        invalid,
      );
      expect(
        await post({ message: JSON.stringify({ msg: 'method', id: 1, method: 'x', params: [] }) }),
      ).toMatchObject(invalid);
      expect(
        await post({ message: JSON.stringify({ msg: 'method', id: '1', method: 'x', params: {} }) }),
      ).toMatchObject(invalid);
      expect(
        await post({
          message: JSON.stringify({ msg: 'method', id: '1', method: 'x', params: [], other: 1 }),
        }),
      ).toMatchObject(invalid);
      // Meteor's client may add a randomSeed to a method message.
      const seeded = await post({
        message: JSON.stringify({
          msg: 'method',
          id: '1',
          method: 'rooms/get',
          params: [],
          randomSeed: 'abc',
        }),
      });
      expect(seeded.status).toBe(200);
    });
  });

  describe('POST /api/v1/method.callAnon/:method', () => {
    it('runs anonymous methods without credentials', async () => {
      const answer = await call(
        null,
        '/api/v1/method.callAnon/public-settings:get',
        body('public-settings/get', []),
      );
      expect(answer.result).toEqual(expect.arrayContaining([{ _id: 'Site_Name', value: 'Parley' }]));
    });

    it('logs in with a password digest, as Rocket.Chat’s web client does', async () => {
      const digest = createHash('sha256').update(s.alice.password).digest('hex');
      const answer = await call(
        null,
        '/api/v1/method.callAnon/login',
        body('login', [{ user: { username: 'alice' }, password: { digest, algorithm: 'sha-256' } }]),
      );
      expect(answer.result).toMatchObject({ id: s.alice.userId, type: 'password' });
      const token = (answer.result as { token: string }).token;
      const me = await s.as({ ...s.alice, authToken: token }).get('/api/v1/me');
      expect(me.body).toMatchObject({ username: 'alice' });
    });

    it('refuses methods that need a user, even when credentials are sent', async () => {
      expect(await call(null, '/api/v1/method.callAnon/sendMessage', body('sendMessage', []))).toMatchObject({
        error: { error: 'error-not-allowed' },
      });
      const withHeaders = await call(
        s.alice,
        '/api/v1/method.callAnon/sendMessage',
        body('sendMessage', [{ rid: 'GENERAL', msg: 'anon?' }]),
      );
      expect(withHeaders.error).toMatchObject({ error: 'error-not-allowed' });
      const subs = await call(
        s.alice,
        '/api/v1/method.callAnon/subscriptions:get',
        body('subscriptions/get', []),
      );
      expect(subs.result).toEqual([]);
    });

    it('refuses a malformed body with 400', async () => {
      const reply = await s.anonymous.post('/api/v1/method.callAnon/x', { message: 'nope' });
      expect(reply).toMatchObject({ status: 400, body: { success: false, error: 'Invalid method call' } });
      expect((await s.anonymous.post('/api/v1/method.callAnon/x', {})).status).toBe(400);
    });
  });
});
