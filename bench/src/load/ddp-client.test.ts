import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../../apps/server/src/testing/create-test-server.js';
import { DdpClient, type LoadSink } from './ddp-client.js';

/** Records what the hot path recognised, by sequence number. */
function recorder() {
  const delivered: { seq: number; client: number }[] = [];
  const acked: { seq: number; ok: boolean }[] = [];
  const sink: LoadSink = {
    delivered: (seq, _at, client) => delivered.push({ seq, client }),
    acked: (seq, _at, ok) => acked.push({ seq, ok }),
  };
  return { sink, delivered, acked };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe("the load generator's DDP client against Parley's frames", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ listen: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it("recognises sendMessage's answer and every room-message delivery by its sequence number", async () => {
    const { sink, delivered, acked } = recorder();
    const alice = await DdpClient.open(server.wsUrl, 0, sink);
    const bob = await DdpClient.open(server.wsUrl, 1, sink);
    await alice.loginWithToken(server.alice.authToken);
    await bob.loginWithToken(server.bob.authToken);
    await alice.subscribe('stream-room-messages', 'GENERAL');
    await bob.subscribe('stream-room-messages', 'GENERAL');

    alice.sendMessage(41, 'GENERAL', JSON.stringify('a "quoted" benchmark message'));
    await until(() => delivered.length === 2 && acked.length === 1);

    expect(acked).toEqual([{ seq: 41, ok: true }]);
    expect(delivered.sort((a, b) => a.client - b.client)).toEqual([
      { seq: 41, client: 0 },
      { seq: 41, client: 1 },
    ]);
    alice.close();
    bob.close();
  });

  it('reports a refused send as not ok, and delivers nothing for it', async () => {
    const { sink, delivered, acked } = recorder();
    const alice = await DdpClient.open(server.wsUrl, 0, sink);
    await alice.loginWithToken(server.alice.authToken);
    await alice.subscribe('stream-room-messages', 'GENERAL');

    alice.sendMessage(7, 'no-such-room', JSON.stringify('hello'));
    await until(() => acked.length === 1);

    expect(acked).toEqual([{ seq: 7, ok: false }]);
    expect(delivered).toEqual([]);
    alice.close();
  });

  it('rejects a login with an unknown token', async () => {
    const alice = await DdpClient.open(server.wsUrl, 0, recorder().sink);
    await expect(alice.loginWithToken('not-a-token')).rejects.toThrow(/login/);
    alice.close();
  });
});
