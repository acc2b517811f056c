import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../../apps/server/src/testing/create-test-server.js';
import { RestClient } from './rest.js';

describe("the load generator's REST client", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ listen: true });
  });
  afterAll(async () => {
    await server.close();
  });

  const baseUrl = () => server.wsUrl.replace('ws:', 'http:').replace('/websocket', '');

  it('calls as the user it was given, and counts the outcome per endpoint', async () => {
    const alice = new RestClient({
      baseUrl: baseUrl(),
      auth: { userId: server.alice.userId, token: server.alice.authToken },
    });
    const me = await alice.timed('GET me', (c) => c.get('/api/v1/me'));
    expect(me?.status).toBe(200);
    expect(me?.json<{ username: string }>().username).toBe('alice');
    const posted = await alice.timed('POST chat.postMessage', (c) =>
      c.post('/api/v1/chat.postMessage', { roomId: 'GENERAL', text: 'from the bench' }),
    );
    expect(posted?.status).toBe(200);
    expect(alice.stats.get('GET me')?.summary()).toMatchObject({ count: 1, ok: 1, failed: 0 });
  });

  it('counts a refusal apart from a failure', async () => {
    const stranger = new RestClient({ baseUrl: baseUrl(), auth: { userId: 'nobody', token: 'wrong' } });
    await stranger.timed('GET me', (c) => c.get('/api/v1/me'));
    expect(stranger.stats.get('GET me')?.summary()).toMatchObject({ refused: 1, failed: 0 });
  });
});
