import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../../apps/server/src/testing/create-test-server.js';
import { DdpClient } from './ddp-client.js';
import { ReconnectingClient } from './reconnecting-client.js';
import { RestClient } from './rest.js';
import { ResyncLedger } from './resync-ledger.js';
import { Rng } from './rng.js';

/** A TCP proxy in front of the server whose connections can be cut, and refused for a while. */
class CuttableProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #open = true;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(targetPort: number): Promise<CuttableProxy> {
    const server = createServer();
    const proxy = new CuttableProxy(server);
    server.on('connection', (client) => proxy.#accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    const address = this.#server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return `ws://127.0.0.1:${port}/websocket`;
  }

  /** Drops every connection, as a server that died would, and turns new ones away. */
  cut(): void {
    this.#open = false;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#open = true;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket, targetPort: number): void {
    if (!this.#open) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#sockets.add(socket);
      socket.pipe(other);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        this.#sockets.delete(socket);
        other.destroy();
      });
    }
  }
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("S4's reconnecting client", () => {
  let server: TestServer;
  let proxy: CuttableProxy;

  beforeAll(async () => {
    server = await createTestServer({ listen: true });
    proxy = await CuttableProxy.start(Number(new URL(server.wsUrl).port));
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('comes back after its connection drops and loads what was posted meanwhile, once', async () => {
    const baseUrl = server.wsUrl.replace('ws:', 'http:').replace('/websocket', '');
    const alice = new RestClient({
      baseUrl,
      auth: { userId: server.alice.userId, token: server.alice.authToken },
    });
    const created = await alice.post('/api/v1/channels.create', { name: 'reconnect', members: ['bob'] });
    const rid = created.json<{ channel: { _id: string } }>().channel._id;

    const ledger = new ResyncLedger(2);
    const syncedSince = Date.now();
    const clients = await Promise.all(
      [server.alice, server.bob].map(async (session, index) => {
        const ddp = await DdpClient.open(proxy.url, index, ledger);
        await ddp.loginWithToken(session.authToken);
        await ddp.subscribe('stream-room-messages', rid);
        const client = new ReconnectingClient({
          index,
          url: proxy.url,
          token: session.authToken,
          rooms: [rid],
          ledger,
          rng: new Rng(1, index),
        });
        client.adopt(ddp, syncedSince);
        return client;
      }),
    );
    const post = async (text: string) => {
      const seq = ledger.register(rid, [0, 1], Date.now());
      const reply = await alice.post('/api/v1/chat.sendMessage', {
        message: { _id: `B${seq}`, rid, msg: text },
      });
      ledger.settle(seq, reply.status === 200 ? 'accepted' : 'refused');
    };

    await post('before');
    await until(() => ledger.outstanding() === 0);
    proxy.cut();
    await until(() => clients.every((c) => c.closedAt !== null));
    await post('while away, 1');
    await post('while away, 2');
    proxy.restore();
    // The jitter alone is up to 1 s, then the backoff while the proxy refused.
    await until(() => clients.every((c) => c.resyncedAt !== null), 15_000);
    await post('after');
    await until(() => ledger.outstanding() === 0);

    expect(
      ledger.tally(
        () => false,
        () => true,
      ),
    ).toMatchObject({
      pairs: 8,
      lost: 0,
      duplicated: 0,
      recoveredByResync: 4,
      // The newest message seen live comes again: the resync starts at its post time, a moment
      // before its `ts`. Merged by `_id`, it is no duplicate.
      overlap: 2,
      strays: 0,
    });
    // The two it missed and the last one it saw; nothing older.
    expect(clients.map((c) => [c.roomsChanged, c.messagesLoaded])).toEqual([
      [1, 3],
      [1, 3],
    ]);
    for (const client of clients) client.stop();
  });
});
