import { afterAll, beforeAll, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, PASSWORD, type TestServer } from '../src/testing/create-test-server.js';

await onEachBackend('users in rooms', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ backend });
  });
  afterAll(() => server.close());

  it('a renamed user appears under the new name in messages, memberships and member lists', async () => {
    const dora = await server.makeUser('dora');
    const room = await server
      .as(dora)
      .post<{ channel: { _id: string } }>('/api/v1/channels.create', { name: 'renames', members: ['bob'] });
    const rid = room.body.channel._id;
    const sent = await server
      .as(dora)
      .post<{ message: { _id: string } }>('/api/v1/chat.sendMessage', { message: { rid, msg: 'before' } });
    const renamed = await server
      .as(dora)
      .post('/api/v1/users.updateOwnBasicInfo', { data: { username: 'dora2', name: 'Dora Two' } });
    expect(renamed.status).toBe(200);

    const message = await server
      .as(server.bob)
      .get<{ message: { u: { username: string; name: string } } }>('/api/v1/chat.getMessage', {
        msgId: sent.body.message._id,
      });
    expect(message.body.message.u).toMatchObject({ username: 'dora2', name: 'Dora Two' });
    const sub = await server
      .as(dora)
      .get<{ subscription: { u: { username: string } } }>('/api/v1/subscriptions.getOne', { roomId: rid });
    expect(sub.body.subscription.u.username).toBe('dora2');
    const members = await server
      .as(server.bob)
      .get<{ members: { username: string }[] }>('/api/v1/channels.members', { roomId: rid });
    expect(members.body.members.map((m) => m.username).sort()).toEqual(['bob', 'dora2']);
    // The old name is free again and logs nobody in.
    expect((await server.anonymous.post('/api/v1/login', { user: 'dora', password: PASSWORD })).status).toBe(
      401,
    );
  });

  it('a deleted user leaves every room they were in, and the rooms stop counting them', async () => {
    const eve = await server.makeUser('eve');
    const room = await server
      .as(server.alice)
      .post<{ channel: { _id: string; usersCount: number } }>('/api/v1/channels.create', {
        name: 'leavers',
        members: ['eve'],
      });
    expect(room.body.channel.usersCount).toBe(2);
    const general = await server
      .as(server.alice)
      .get<{ channel: { usersCount: number } }>('/api/v1/channels.info', { roomId: 'GENERAL' });
    expect((await server.as(server.carol).post('/api/v1/users.delete', { userId: eve.userId })).status).toBe(
      200,
    );
    const after = await server
      .as(server.alice)
      .get<{ channel: { usersCount: number } }>('/api/v1/channels.info', { roomId: room.body.channel._id });
    expect(after.body.channel.usersCount).toBe(1);
    const generalAfter = await server
      .as(server.alice)
      .get<{ channel: { usersCount: number } }>('/api/v1/channels.info', { roomId: 'GENERAL' });
    expect(generalAfter.body.channel.usersCount).toBe(general.body.channel.usersCount - 1);
    const members = await server
      .as(server.alice)
      .get<{ members: { username: string }[] }>('/api/v1/channels.members', {
        roomId: room.body.channel._id,
      });
    expect(members.body.members.map((m) => m.username)).toEqual(['alice']);
  });

  it('new users join the default channel; users.create with joinDefaultChannels false does not', async () => {
    const joined = await server.makeUser('fred');
    const notJoined = await server.makeUser('gina', { joinDefaultChannels: false });
    const fredSub = await server
      .as(joined)
      .get<{ subscription: unknown }>('/api/v1/subscriptions.getOne', { roomId: 'GENERAL' });
    const ginaSub = await server
      .as(notJoined)
      .get<{ subscription: unknown }>('/api/v1/subscriptions.getOne', { roomId: 'GENERAL' });
    expect(fredSub.body.subscription).not.toBeNull();
    expect(ginaSub.body.subscription).toBeNull();
  });

  it('shows each reader only their own star on a message', async () => {
    const sent = await server.as(server.bob).post<{ message: { _id: string } }>('/api/v1/chat.sendMessage', {
      message: { rid: 'GENERAL', msg: 'star me' },
    });
    expect(
      (await server.as(server.alice).post('/api/v1/chat.starMessage', { messageId: sent.body.message._id }))
        .status,
    ).toBe(200);
    const forAlice = await server
      .as(server.alice)
      .get<{ message: { starred?: { _id: string }[] } }>('/api/v1/chat.getMessage', {
        msgId: sent.body.message._id,
      });
    const forBob = await server
      .as(server.bob)
      .get<{ message: { starred?: { _id: string }[] } }>('/api/v1/chat.getMessage', {
        msgId: sent.body.message._id,
      });
    expect(forAlice.body.message.starred).toEqual([{ _id: server.alice.userId }]);
    expect(forBob.body.message.starred).toBeUndefined();
  });
});
