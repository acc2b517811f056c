import { Rocketchat } from '@rocket.chat/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../src/testing/create-test-server.js';

/**
 * Rocket.Chat's own JavaScript SDK (`@rocket.chat/sdk`, a third-party DDP + REST client) against
 * a real, listening Parley: REST login then DDP resume, a room subscription, a message in each
 * direction, and a clean disconnect that leaves no timer behind.
 */

interface SdkMessage {
  readonly _id: string;
  readonly rid: string;
  readonly msg: string;
  readonly u: { readonly _id: string; readonly username: string };
  readonly ts: Date;
}

/** The SDK's driver and socket internals we look at (see the SDK's `lib/drivers/ddp.js`). */
interface SdkDriver {
  readonly connected: boolean;
  readonly userId: string;
  readonly ddp: {
    connection?: { onclose: unknown } | null;
    reopenInterval?: NodeJS.Timeout;
    openTimeout?: NodeJS.Timeout;
    pingTimeout?: NodeJS.Timeout;
  };
}

const errors: unknown[][] = [];
const logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  warning: () => undefined,
  error: (...args: unknown[]) => errors.push(args),
};

/** The SDK has no timeouts of its own: a call the server does not answer never settles. */
function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('@rocket.chat/sdk against Parley', () => {
  let s: TestServer;
  let client: Rocketchat;
  let driver: SdkDriver;

  beforeAll(async () => {
    s = await createTestServer({ listen: true });
    const host = s.wsUrl.replace(/^ws:/, 'http:').replace(/\/websocket$/, '');
    client = new Rocketchat({ host, useSsl: false, logger, reopen: 1000 });
    driver = (await client.socket) as unknown as SdkDriver;
  });

  afterAll(async () => {
    if (driver?.connected) {
      await within(client.disconnect() as Promise<unknown>, 'disconnect');
    } else if (driver) {
      // Never connected, or dropped: the SDK would try to reconnect for ever.
      if (driver.ddp.connection) driver.ddp.connection.onclose = null;
      clearInterval(driver.ddp.reopenInterval);
      clearTimeout(driver.ddp.openTimeout);
      clearTimeout(driver.ddp.pingTimeout);
    }
    await s?.close();
  });

  it('logs in, hears a message bob posts, and sends one back that bob reads over REST', async () => {
    // REST `POST /api/v1/login` with {username, password}, then DDP `login` with {resume: authToken}.
    const me = (await within(client.login({ username: 'alice', password: s.alice.password }), 'login')) as {
      id: string;
    };
    expect(me.id).toBe(s.alice.userId);
    expect(driver.userId).toBe(s.alice.userId);
    expect(client.userId).toBe(s.alice.userId);

    const received: SdkMessage[] = [];
    await within(client.subscribe('stream-room-messages', 'GENERAL'), 'subscribe');
    // Typed as an error-first callback, but it is called with the message alone (`fields.args[0]`).
    await client.onMessage((message: unknown) => received.push(message as SdkMessage));

    const posted = await s
      .as(s.bob)
      .post('/api/v1/chat.sendMessage', { message: { rid: 'GENERAL', msg: 'hello sdk' } });
    expect(posted.status).toBe(200);
    await until(() => received.some((m) => m.msg === 'hello sdk'), 'the message from bob');
    const fromBob = received.find((m) => m.msg === 'hello sdk')!;
    expect(fromBob).toMatchObject({ rid: 'GENERAL', u: { _id: s.bob.userId, username: 'bob' } });
    // The SDK turns `ts: {$date}` into a Date; an ISO string would give an invalid one.
    expect(fromBob.ts).toBeInstanceOf(Date);
    expect(Math.abs(fromBob.ts.getTime() - Date.now())).toBeLessThan(60_000);

    const sent = (await within(
      client.methodCall('sendMessage', { rid: 'GENERAL', msg: 'hello bob' }),
      'sendMessage',
    )) as {
      _id?: string;
      msg?: string;
    };
    expect(sent).toMatchObject({ _id: expect.any(String) as string, msg: 'hello bob', rid: 'GENERAL' });
    // Her own message comes back on the stream too, as on Rocket.Chat.
    await until(() => received.some((m) => m.msg === 'hello bob'), 'her own message on the stream');

    const history = await s
      .as(s.bob)
      .get<{ messages: { _id: string; msg: string; u: { username: string } }[] }>(
        '/api/v1/channels.history',
        { roomId: 'GENERAL' },
      );
    expect(history.status).toBe(200);
    expect(history.body.messages[0]).toMatchObject({
      _id: sent._id,
      msg: 'hello bob',
      u: { username: 'alice' },
    });
    expect(errors).toEqual([]);
  });

  it('disconnects cleanly: Parley echoes close code 1000, so the SDK does not reconnect', async () => {
    expect(driver.connected).toBe(true);
    const connections = s.parley.gateway.connectionCount;
    await within(client.disconnect() as Promise<unknown>, 'disconnect');
    expect(driver.connected).toBe(false);
    await until(() => s.parley.gateway.connectionCount === connections - 1, 'the server to drop the socket');
    // Longer than `reopen`: a close code other than 1000 would have made it come back by now.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(s.parley.gateway.connectionCount).toBe(connections - 1);
    // And none of its timers is left to keep the process alive (`_destroyed`: Node's mark of a cleared timer).
    const cleared = (timer: NodeJS.Timeout | undefined) =>
      timer === undefined || (timer as unknown as { _destroyed?: boolean })._destroyed === true;
    expect(cleared(driver.ddp.reopenInterval)).toBe(true);
    expect(cleared(driver.ddp.pingTimeout)).toBe(true);
    expect(cleared(driver.ddp.openTimeout)).toBe(true);
  });
});
