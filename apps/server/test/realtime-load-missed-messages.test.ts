import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type TestServer } from '../src/testing/create-test-server.js';
import type { TestDdpClient } from '../src/testing/ddp-client.js';
import { errorOf } from '../src/testing/meteor-error.js';

type EjsonDate = { $date: number };
interface Msg {
  _id: string;
  rid: string;
  msg: string;
  ts: EjsonDate;
  tmid?: string;
}
interface RoomWire {
  _id: string;
  rid: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await onEachBackend('DDP loadMissedMessages', (backend) => {
  let s: TestServer;
  let alice: TestDdpClient;
  let bob: TestDdpClient;
  /** alice's channel, bob a member, with m1…m5 and a thread reply to m3. */
  let rid: string;
  let sent: Msg[];
  let reply: Msg;
  /** alice's private group; bob is not in it. */
  let secret: RoomWire;

  beforeAll(async () => {
    s = await createTestServer({ backend, listen: true });
    alice = await s.ddp(s.alice);
    bob = await s.ddp(s.bob);
    rid = (await alice.ok<RoomWire>('createChannel', 'ddp-missed', ['bob'])).rid;
    secret = await alice.ok<RoomWire>('createPrivateGroup', 'ddp-missed-secret', []);
    sent = [];
    for (const text of ['m1', 'm2', 'm3', 'm4', 'm5']) {
      sent.push(await alice.ok<Msg>('sendMessage', { rid, msg: text }));
      // Distinct timestamps, so "after m2" means m3 onwards.
      await sleep(3);
    }
    reply = await bob.ok<Msg>('sendMessage', { rid, msg: 'r1', tmid: sent[2]?._id });
    await alice.ok('sendMessage', { rid: secret._id, msg: 'private' });
  });
  afterAll(() => s.close());

  const texts = (messages: Msg[]) => messages.map((m) => m.msg);

  it('answers the messages after `start`, newest first, thread replies included', async () => {
    const missed = await bob.ok<Msg[]>('loadMissedMessages', rid, sent[1]?.ts);
    expect(texts(missed)).toEqual(['r1', 'm5', 'm4', 'm3']);
    expect(missed[0]).toMatchObject({ _id: reply._id, tmid: sent[2]?._id });
    expect(missed[3]?.ts).toEqual(sent[2]?.ts);
  });

  it('leaves out the message at `start` itself and everything before it', async () => {
    expect(texts(await bob.ok<Msg[]>('loadMissedMessages', rid, reply.ts))).toEqual([]);
    const all = await bob.ok<Msg[]>('loadMissedMessages', rid, { $date: 0 });
    // createChannel's own system messages come first in time; the five and the reply are the newest.
    expect(texts(all).slice(0, 6)).toEqual(['r1', 'm5', 'm4', 'm3', 'm2', 'm1']);
  });

  it('takes the date as EJSON, milliseconds or an ISO string', async () => {
    const ms = (sent[3] as Msg).ts.$date;
    expect(texts(await bob.ok<Msg[]>('loadMissedMessages', rid, ms))).toEqual(['r1', 'm5']);
    const iso = new Date(ms).toISOString();
    expect(texts(await bob.ok<Msg[]>('loadMissedMessages', rid, iso))).toEqual(['r1', 'm5']);
  });

  it('answers false for a private group the caller is not in, and for an unknown room, as Rocket.Chat', async () => {
    expect((await bob.call('loadMissedMessages', secret._id, { $date: 0 })).result).toBe(false);
    expect((await bob.call('loadMissedMessages', 'noSuchRoom', { $date: 0 })).result).toBe(false);
    const own = await alice.ok<Msg[]>('loadMissedMessages', secret._id, { $date: 0 });
    expect(texts(own)).toContain('private');
  });

  it('refuses bad params, an empty room id, and a caller not logged in', async () => {
    expect(await errorOf(bob, 'loadMissedMessages')).toBe('error-invalid-params');
    expect(await errorOf(bob, 'loadMissedMessages', 42, { $date: 0 })).toBe('error-invalid-params');
    expect(await errorOf(bob, 'loadMissedMessages', rid)).toBe('error-invalid-params');
    expect(await errorOf(bob, 'loadMissedMessages', rid, 'not a date')).toBe('error-invalid-params');
    expect(await errorOf(bob, 'loadMissedMessages', '', { $date: 0 })).toBe('error-invalid-room');
    const anonymous = await s.ddp();
    expect(await errorOf(anonymous, 'loadMissedMessages', rid, { $date: 0 })).toBe('error-not-allowed');
    expect(bob.closeCode).toBeNull();
  });

  describe('over REST', () => {
    it('runs through method.call like every method', async () => {
      const answer = await s
        .as(s.bob)
        .post<{ message: string; success: boolean }>('/api/v1/method.call/loadMissedMessages', {
          message: JSON.stringify({
            msg: 'method',
            id: '1',
            method: 'loadMissedMessages',
            params: [rid, sent[3]?.ts],
          }),
        });
      expect(answer.status).toBe(200);
      const frame = JSON.parse(answer.body.message) as { result: Msg[] };
      expect(texts(frame.result)).toEqual(['r1', 'm5']);
    });
  });
});
