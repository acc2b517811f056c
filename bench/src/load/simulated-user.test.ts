import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../../apps/server/src/testing/create-test-server.js';
import { ActionRecorder, ActionWindow } from './action-stats.js';
import { Agenda } from './agenda.js';
import { DdpClient, type LoadSink } from './ddp-client.js';
import { OnlineLedger } from './simulated-user.js';

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('the online ledger of a population whose sockets come and go', () => {
  it('counts a delivery only while the socket was online when the message was registered', () => {
    const online = new OnlineLedger(new ActionRecorder());
    const early = online.newSocket();
    const late = online.newSocket();
    online.online(early);
    const before = online.register(0, [early]);
    online.online(late);
    const both = online.register(0, [early, late]);
    online.offline(early);
    const after = online.register(0, [late]);

    // `late` also sees `before` (sent while it subscribed) and `early` sees `after` (sent while it
    // was closing): neither is a delivery nor a duplicate.
    for (const seq of [before, both, after]) {
      online.acked(seq, 1, true);
      online.delivered(seq, 1, early);
      online.delivered(seq, 1, late);
    }

    expect(online.ledger.tally()).toMatchObject({ lost: 0, duplicated: 0 });
    expect(online.inFlight(early)).toBe(0);
    expect(online.inFlight(late)).toBe(0);
  });

  it('keeps what is on its way to a socket, and times the send answer from the schedule', () => {
    const actions = new ActionRecorder();
    actions.window = new ActionWindow();
    const online = new OnlineLedger(actions);
    const socket = online.newSocket();
    online.online(socket);
    const seq = online.register(100, [socket]);
    expect(online.inFlight(socket)).toBe(1);

    online.acked(seq, 130, false);

    const sends = actions.window.summary().requests.sendMessage;
    expect(sends).toMatchObject({ count: 1, failed: 1, maxMs: 30 });
    expect(actions.window.errorShare()).toBe(1);
  });
});

describe('the agenda of many timed entries', () => {
  it('fires entries in due order, each with its own due time, however they were added', async () => {
    const fired: { item: string; dueAt: number; at: number }[] = [];
    const agenda = new Agenda<string>((item, dueAt) => fired.push({ item, dueAt, at: performance.now() }));
    const now = performance.now();
    agenda.add(now + 60, 'c');
    agenda.add(now + 20, 'a');
    agenda.add(now + 40, 'b');
    agenda.add(now + 5, 'first');
    await until(() => fired.length === 4);

    expect(fired.map((f) => f.item)).toEqual(['first', 'a', 'b', 'c']);
    [5, 20, 40, 60].forEach((ms, i) => expect((fired[i]?.dueAt ?? 0) - now).toBeCloseTo(ms, 6));
    for (const f of fired) expect(f.at).toBeGreaterThanOrEqual(f.dueAt - 1);
    agenda.stop();
  });

  it('fires nothing once stopped', async () => {
    const fired: number[] = [];
    const agenda = new Agenda<number>((item) => fired.push(item));
    agenda.add(performance.now() + 10, 1);
    agenda.stop();
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toEqual([]);
  });
});

describe("the DDP client's calls for simulated users, against Parley", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ listen: true });
  });
  afterAll(async () => {
    await server.close();
  });

  const sink = (delivered: number[]): LoadSink => ({
    delivered: (seq) => delivered.push(seq),
    acked: () => undefined,
  });

  it('answers a raw call with the unparsed result frame, and rejects an error answer', async () => {
    const alice = await DdpClient.open(server.wsUrl, 0, sink([]));
    await alice.loginWithToken(server.alice.authToken);

    const page = await alice.callRaw('loadHistory', ['GENERAL', null, 50]);
    expect(page.toString('utf8')).toMatch(/^\{"msg":"result","id":"r\d+","result":\{"messages":\[/);
    await expect(alice.callRaw('loadHistory', ['GENERAL', 'not a date'])).rejects.toThrow(/loadHistory/);
    alice.close();
  });

  it('posts a thread reply that every subscriber receives by its sequence number', async () => {
    const delivered: number[] = [];
    const alice = await DdpClient.open(server.wsUrl, 0, sink(delivered));
    const bob = await DdpClient.open(server.wsUrl, 1, sink(delivered));
    await alice.loginWithToken(server.alice.authToken);
    await bob.loginWithToken(server.bob.authToken);
    await bob.subscribe('stream-room-messages', 'GENERAL');
    await bob.subscribe('stream-notify-user', `${server.bob.userId}/subscriptions-changed`);
    const parent = await alice.call('sendMessage', [{ rid: 'GENERAL', msg: 'a thread' }]);
    const tmid = (parent as { _id: string })._id;
    // Bob's subscription changed (an unread message): the event is counted, not parsed.
    await until(() => bob.otherEvents > 0);
    expect(bob.otherEvents).toBeGreaterThan(0);

    alice.sendMessage(7, 'GENERAL', JSON.stringify('a reply'), tmid);
    await until(() => delivered.includes(7));

    expect(delivered).toContain(7);
    const newest = await alice.call('loadHistory', ['GENERAL', null, 1]);
    expect((newest as { messages: { _id: string; tmid?: string }[] }).messages[0]).toMatchObject({
      _id: 'B7',
      tmid,
    });
    alice.close();
    bob.close();
  });
});
