import { afterAll, beforeAll, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type TestServer } from '../src/testing/create-test-server.js';

type Body = Record<string, unknown>;
interface Sub {
  rid: string;
  unread: number;
  alert: boolean;
  userMentions: number;
  groupMentions: number;
  tunread: string[];
  roles: string[];
}

await onEachBackend('story: alice and bob talk in a channel and a thread', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ backend });
  });
  afterAll(() => server.close());

  const subscriptionOf = async (who: TestServer['alice'], rid: string): Promise<Sub> => {
    const reply = await server
      .as(who)
      .get<{ subscription: Sub }>('/api/v1/subscriptions.getOne', { roomId: rid });
    expect(reply.status).toBe(200);
    return reply.body.subscription;
  };

  it('follows Rocket.Chat from channel creation to read receipts of unread state', async () => {
    const { alice, bob } = server;

    // Everyone starts in the default channel.
    const general = await server
      .as(bob)
      .get<{ channel: Body }>('/api/v1/channels.info', { roomName: 'general' });
    expect(general.body.channel).toMatchObject({ _id: 'GENERAL', name: 'general', default: true });
    expect((await subscriptionOf(bob, 'GENERAL')).rid).toBe('GENERAL');

    // alice creates a channel; she is its owner and only member.
    const created = await server
      .as(alice)
      .post<{ channel: { _id: string; msgs: number; usersCount: number } }>('/api/v1/channels.create', {
        name: 'design',
      });
    expect(created.status).toBe(200);
    expect(created.body.channel).toMatchObject({ name: 'design', t: 'c', msgs: 0, usersCount: 1 });
    const rid = created.body.channel._id;
    expect((await subscriptionOf(alice, rid)).roles).toEqual(['owner']);

    // She invites bob: an `au` system message, counted in msgs.
    const invited = await server
      .as(alice)
      .post<{ channel: { usersCount: number; msgs: number } }>('/api/v1/channels.invite', {
        roomId: rid,
        username: 'bob',
      });
    expect(invited.status).toBe(200);
    expect(invited.body.channel).toMatchObject({ usersCount: 2, msgs: 1 });

    // alice mentions bob; bob's unread and mention counters move.
    const sent = await server
      .as(alice)
      .post<{ message: { _id: string; mentions: Body[]; md: Body[] } }>('/api/v1/chat.sendMessage', {
        message: { rid, msg: 'Hello @bob, see #design and **this**' },
      });
    expect(sent.status).toBe(200);
    expect(sent.body.message.mentions).toEqual([
      { _id: bob.userId, username: 'bob', name: 'Bob', type: 'user' },
    ]);
    expect(JSON.stringify(sent.body.message.md)).toContain('"MENTION_USER"');
    let bobs = await subscriptionOf(bob, rid);
    expect(bobs).toMatchObject({ unread: 1, alert: true, userMentions: 1, groupMentions: 0 });
    expect((await subscriptionOf(alice, rid)).unread).toBe(0);

    // bob answers in a thread; alice (the parent's author) gets it in tunread, not in unread.
    const reply = await server.as(bob).post<{ message: { tmid: string } }>('/api/v1/chat.sendMessage', {
      message: { rid, msg: 'On it', tmid: sent.body.message._id },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.message.tmid).toBe(sent.body.message._id);
    const parent = await server
      .as(bob)
      .get<{ message: { tcount: number; replies: string[] } }>('/api/v1/chat.getMessage', {
        msgId: sent.body.message._id,
      });
    expect(parent.body.message.tcount).toBe(1);
    expect(parent.body.message.replies.sort()).toEqual([alice.userId, bob.userId].sort());
    const alices = await subscriptionOf(alice, rid);
    expect(alices.unread).toBe(0);
    expect(alices.tunread).toEqual([sent.body.message._id]);

    // History: newest first; the thread reply is there unless threads are hidden.
    const history = await server
      .as(bob)
      .get<{ messages: { msg: string; t?: string }[] }>('/api/v1/channels.history', { roomId: rid });
    expect(history.body.messages.map((m) => m.msg)).toEqual([
      'On it',
      'Hello @bob, see #design and **this**',
      'bob',
    ]);
    expect(history.body.messages[2]?.t).toBe('au');
    const mainOnly = await server
      .as(bob)
      .get<{ messages: unknown[] }>('/api/v1/channels.history', { roomId: rid, showThreadMessages: 'false' });
    expect(mainOnly.body.messages).toHaveLength(2);

    // bob reads the room: counters clear.
    expect((await server.as(bob).post('/api/v1/subscriptions.read', { rid })).status).toBe(200);
    bobs = await subscriptionOf(bob, rid);
    expect(bobs).toMatchObject({ unread: 0, alert: false, userMentions: 0 });

    // A sync after a point in time returns only what changed.
    const since = new Date(Date.now() - 1).toISOString();
    await server.as(alice).post('/api/v1/chat.sendMessage', { message: { rid, msg: '@all standup in 5' } });
    const changed = await server
      .as(bob)
      .get<{ update: Sub[]; remove: unknown[] }>('/api/v1/subscriptions.get', { updatedSince: since });
    expect(changed.body.update.map((s) => s.rid)).toEqual([rid]);
    expect(changed.body.update[0]).toMatchObject({ unread: 1, groupMentions: 1 });

    // bob leaves; the room forgets him, and subscriptions.get reports the removal.
    const left = await server.as(bob).post('/api/v1/channels.leave', { roomId: rid });
    expect(left.status).toBe(200);
    const after = await server
      .as(bob)
      .get<{ remove: { _id: string }[] }>('/api/v1/subscriptions.get', { updatedSince: since });
    expect(after.body.remove).toHaveLength(1);
    const members = await server
      .as(alice)
      .get<{ members: { username: string }[]; total: number }>('/api/v1/channels.members', { roomId: rid });
    expect(members.body.members.map((m) => m.username)).toEqual(['alice']);
  });

  it('keeps private groups invisible to non-members, with the same error as a missing room', async () => {
    const created = await server.as(server.alice).post<{ group: { _id: string } }>('/api/v1/groups.create', {
      name: 'secret-plans',
      members: ['carol'],
    });
    expect(created.status).toBe(200);
    const gid = created.body.group._id;
    const peek = await server.as(server.bob).get('/api/v1/groups.info', { roomId: gid });
    const missing = await server.as(server.bob).get('/api/v1/groups.info', { roomId: 'doesNotExist12345' });
    expect(peek.status).toBe(400);
    expect(peek.body).toEqual(missing.body);
    expect(peek.body).toMatchObject({ errorType: 'error-room-not-found' });
    const post = await server
      .as(server.bob)
      .post('/api/v1/chat.sendMessage', { message: { rid: gid, msg: 'let me in' } });
    expect(post.body).toMatchObject({ errorType: 'error-room-not-found' });
    const history = await server.as(server.bob).get('/api/v1/groups.history', { roomId: gid });
    expect(history.body).toMatchObject({ errorType: 'error-room-not-found' });
  });

  it('refuses bad room names and duplicates, and posts without membership', async () => {
    for (const name of ['', 'has space', 'x'.repeat(65), 'ünïcode']) {
      const reply = await server.as(server.alice).post('/api/v1/channels.create', { name });
      expect(reply.status, name).toBe(400);
    }
    const dup = await server.as(server.bob).post('/api/v1/groups.create', { name: 'GENERAL' });
    expect(dup.body).toMatchObject({ errorType: 'error-duplicate-channel-name' });
    const notJoined = await server
      .as(server.carol)
      .post<{ channel: { _id: string } }>('/api/v1/channels.create', { name: 'carols' });
    const post = await server
      .as(server.bob)
      .post('/api/v1/chat.sendMessage', { message: { rid: notJoined.body.channel._id, msg: 'hi' } });
    expect(post.status).toBe(403);
    const empty = await server
      .as(server.bob)
      .post('/api/v1/chat.sendMessage', { message: { rid: 'GENERAL', msg: '   ' } });
    expect(empty.body).toMatchObject({ errorType: 'error-invalid-msg' });
  });
});
