import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBusModeServer, onEachBusMode } from '../src/testing/bus-modes.js';
import type { TestServer } from '../src/testing/create-test-server.js';
import { TestDdpClient } from '../src/testing/ddp-client.js';

await onEachBusMode('DDP protocol at /websocket', (mode) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await createBusModeServer(mode, {
      listen: true,
      env: { PARLEY_DDP_HEARTBEAT_MS: '400', PARLEY_DDP_CONNECT_TIMEOUT_MS: '300' },
    });
  });
  afterAll(() => s.close());

  it('greets with server_id, answers connect with a session, and ping with pong', async () => {
    const c = await TestDdpClient.open(s.wsUrl, { handshake: false });
    expect(await c.next((f) => f.server_id === '0')).toEqual({ server_id: '0' });
    c.send({ msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'] });
    const connected = await c.next((f) => f.msg === 'connected');
    expect(connected.session).toMatch(/^[A-Za-z0-9]{17}$/);
    c.send({ msg: 'ping', id: 'p1' });
    expect(await c.next((f) => f.msg === 'pong')).toEqual({ msg: 'pong', id: 'p1' });
    c.send({ msg: 'ping' });
    expect(await c.next((f) => f.msg === 'pong')).toEqual({ msg: 'pong' });
    await c.close();
  });

  it('closes with 1002 when the first message is not connect, and 1007 on bad JSON or binary', async () => {
    const a = await TestDdpClient.open(s.wsUrl, { handshake: false });
    a.send({ msg: 'method', id: '1', method: 'login', params: [] });
    expect(await a.closed()).toBe(1002);
    const b = await TestDdpClient.open(s.wsUrl);
    b.send('{not json');
    expect(await b.closed()).toBe(1007);
    const c = await TestDdpClient.open(s.wsUrl);
    c.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.closed()).toBe(1007);
  });

  it('answers an unsupported version with failed', async () => {
    const c = await TestDdpClient.open(s.wsUrl, { handshake: false });
    c.send({ msg: 'connect', version: '42', support: ['42'] });
    expect(await c.next((f) => f.msg === 'failed')).toEqual({ msg: 'failed', version: '1' });
    expect(await c.closed()).toBe(1002);
  });

  it('closes a socket that never sends connect', async () => {
    const c = await TestDdpClient.open(s.wsUrl, { handshake: false });
    expect(await c.closed()).toBe(4000);
  });

  it('pings an idle client, and closes it (4000) when it does not answer', async () => {
    const c = await TestDdpClient.open(s.wsUrl);
    c.autoPong = false;
    await c.next((f) => f.msg === 'ping', 2000);
    expect(await c.closed()).toBe(4000);
  });

  it('keeps a client that answers pings', async () => {
    const c = await TestDdpClient.open(s.wsUrl);
    await c.next((f) => f.msg === 'ping', 2000);
    await c.next((f) => f.msg === 'ping', 2000);
    expect(c.closeCode).toBeNull();
    await c.close();
  });

  it('logs in with a resume token and pushes the user document first', async () => {
    const c = await TestDdpClient.open(s.wsUrl);
    const result = await c.call('login', { resume: s.alice.authToken });
    const added = c.log.findIndex((f) => f.msg === 'added' && f.collection === 'users');
    expect(c.log[added]).toMatchObject({ id: s.alice.userId, fields: { username: 'alice' } });
    expect(added).toBeLessThan(c.log.findIndex((f) => f.msg === 'result'));
    expect(result.result).toMatchObject({ id: s.alice.userId, token: s.alice.authToken, type: 'resume' });
    expect((result.result as { tokenExpires: { $date: number } }).tokenExpires.$date).toBeGreaterThan(
      Date.now(),
    );
    await c.close();
  });

  it('logs in with a password digest, and refuses a wrong one with 403', async () => {
    const { createHash } = await import('node:crypto');
    const digest = (p: string) => createHash('sha256').update(p).digest('hex');
    const c = await TestDdpClient.open(s.wsUrl);
    const bad = await c.call('login', {
      user: { username: 'alice' },
      password: { digest: digest('nope'), algorithm: 'sha-256' },
    });
    expect(bad.error).toMatchObject({ error: 403, errorType: 'Meteor.Error' });
    const good = await c.call('login', {
      user: { username: 'alice' },
      password: { digest: digest(s.alice.password), algorithm: 'sha-256' },
    });
    expect(good.result).toMatchObject({ id: s.alice.userId, type: 'password' });
    await c.close();
  });

  it("answers an unknown method with Meteor's not-found error, and keeps the socket", async () => {
    const dave = await s.makeUser('dave');
    const c = await s.ddp(dave);
    const reply = await c.call('noSuchMethod', 1, 2);
    expect(reply.error).toMatchObject({ error: 404, reason: "Method 'noSuchMethod' not found" });
    expect((await c.call('logout')).error).toBeUndefined();
  });

  it('refuses methods before login', async () => {
    const c = await s.ddp();
    const reply = await c.call('stream-notify-room', 'GENERAL/user-activity', 'alice', ['user-typing'], {});
    expect(reply.error).toMatchObject({ error: 'error-not-allowed' });
  });

  it("subscribes with both option forms and refuses unknown streams and other users' streams", async () => {
    const c = await s.ddp(s.alice);
    expect((await c.sub('stream-room-messages', 'GENERAL')).msg).toBe('ready');
    const old = await c.sub('stream-room-messages', '__my_messages__', true);
    expect(old.msg).toBe('ready');
    expect(await c.next((f) => f.msg === 'added' && f.collection === 'stream-room-messages')).toMatchObject({
      fields: { eventName: '__my_messages__' },
    });
    expect(await c.sub('stream-nothing', 'x')).toMatchObject({ msg: 'nosub', error: { error: 404 } });
    expect(await c.sub('stream-notify-user', `${s.bob.userId}/notification`)).toMatchObject({
      msg: 'nosub',
      error: { error: 'not-allowed' },
    });
    const anonymous = await s.ddp();
    expect(await anonymous.sub('stream-room-messages', 'GENERAL')).toMatchObject({ msg: 'nosub' });
  });

  it('rate-limits method calls per connection with a clear error, and keeps the socket', async () => {
    const c = await s.ddp(s.alice);
    const replies = await Promise.all(Array.from({ length: 100 }, () => c.call('getUserRoles')));
    const limited = replies.filter((r) => r.error?.error === 'too-many-requests');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.error?.details).toHaveProperty('timeToReset');
    expect(replies.filter((r) => r.error === undefined).length).toBeGreaterThanOrEqual(55); // the burst, less the login
    expect(c.closeCode).toBeNull();
  });

  it('answers a frame of an unknown kind with an error, and closes on a frame over 1 MiB (1009)', async () => {
    const c = await s.ddp(s.alice);
    c.send({ msg: 'dance', id: '1' });
    expect(await c.next((f) => f.msg === 'error')).toMatchObject({
      reason: 'Bad request',
      offendingMessage: { msg: 'dance' },
    });
    c.send({
      msg: 'method',
      id: '2',
      method: 'sendMessage',
      params: [{ rid: 'GENERAL', msg: 'x'.repeat(1024 * 1024 + 10) }],
    });
    expect(await c.closed()).toBe(1009);
  });

  it('refuses malformed method and sub frames without dropping the connection', async () => {
    const c = await s.ddp(s.alice);
    c.send({ msg: 'method', id: 7, method: 'login' });
    expect(await c.next((f) => f.msg === 'error')).toMatchObject({ reason: 'Bad request' });
    c.send({ msg: 'sub', id: 's1', name: 'stream-room-messages', params: 'GENERAL' });
    expect(await c.next((f) => f.msg === 'error')).toMatchObject({ reason: 'Bad request' });
    expect((await c.call('sendMessage', 'not an object')).error).toMatchObject({
      error: 'error-invalid-params',
    });
    expect((await c.sub('stream-room-messages', 'GENERAL')).msg).toBe('ready');
  });
});
