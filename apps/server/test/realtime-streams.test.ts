import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBusModeServer, onEachBackendAndBusMode } from '../src/testing/bus-modes.js';
import type { TestServer } from '../src/testing/create-test-server.js';
import type { TestDdpClient } from '../src/testing/ddp-client.js';

type Wire = Record<string, unknown>;

// With NATS, REST goes to one process and the sockets are on another: every frame crossed NATS.
await onEachBackendAndBusMode('realtime streams', (backend, mode) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await createBusModeServer(mode, { backend, listen: true });
  });
  afterAll(() => s.close());

  const post = async (as: TestServer['alice'], url: string, body: unknown) => {
    const reply = await s.as(as).post(url, body);
    if (reply.status !== 200) throw new Error(`${url}: ${reply.raw}`);
    return reply.body as Wire;
  };
  const send = async (as: TestServer['alice'], roomId: string, msg: string) =>
    (await post(as, '/api/v1/chat.sendMessage', { message: { rid: roomId, msg } })).message as Wire;
  const group = async (name: string, members: string[]) =>
    ((await post(s.carol, '/api/v1/groups.create', { name, members })).group as Wire)._id as string;

  it('delivers a posted message to the room stream with EJSON dates, then its edit and reaction', async () => {
    const alice = await s.ddp(s.alice);
    expect((await alice.sub('stream-room-messages', 'GENERAL')).msg).toBe('ready');
    const sent = await send(s.bob, 'GENERAL', 'hello from bob');
    const [message] = (await alice.event('stream-room-messages', 'GENERAL')) as Wire[];
    expect(message).toMatchObject({
      _id: sent._id,
      rid: 'GENERAL',
      msg: 'hello from bob',
      u: { username: 'bob' },
    });
    expect(message?.ts).toEqual({ $date: Date.parse(sent.ts as string) });
    expect(message?.md).toEqual([
      { type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: 'hello from bob' }] },
    ]);

    await post(s.bob, '/api/v1/chat.update', { roomId: 'GENERAL', msgId: sent._id, text: 'hello, edited' });
    const [edited] = (await alice.event('stream-room-messages', 'GENERAL')) as Wire[];
    expect(edited).toMatchObject({ _id: sent._id, msg: 'hello, edited', editedBy: { username: 'bob' } });
    expect(edited?.editedAt).toHaveProperty('$date');

    await post(s.carol, '/api/v1/chat.react', { messageId: sent._id, emoji: ':tada:' });
    const [reacted] = (await alice.event('stream-room-messages', 'GENERAL')) as Wire[];
    expect(reacted?.reactions).toMatchObject({ ':tada:': { usernames: ['carol'] } });
  });

  it('sends __my_messages__ for every room the user is in, with the room context, and nothing else', async () => {
    const rid = await group('mine-a', ['alice']);
    const other = await group('not-alice', ['bob']);
    const alice = await s.ddp(s.alice);
    await alice.sub('stream-room-messages', '__my_messages__');
    await send(s.carol, other, 'secret');
    await send(s.carol, rid, 'for alice');
    const [message, context] = (await alice.event('stream-room-messages', '__my_messages__')) as Wire[];
    expect(message).toMatchObject({ rid, msg: 'for alice' });
    expect(context).toEqual({ roomParticipant: true, roomType: 'p', roomName: 'mine-a' });
    expect(await alice.none((f) => JSON.stringify(f).includes('secret'))).toBe(true);
  });

  it('refuses a private group to a non-member, and stops delivery the moment a member is removed', async () => {
    const rid = await group('kick-me', ['alice']);
    const bob = await s.ddp(s.bob);
    expect(await bob.sub('stream-room-messages', rid)).toMatchObject({
      msg: 'nosub',
      error: { error: 'not-allowed' },
    });
    const alice = await s.ddp(s.alice);
    await alice.sub('stream-room-messages', rid);
    await send(s.carol, rid, 'before');
    expect(((await alice.event('stream-room-messages', rid)) as Wire[])[0]).toMatchObject({ msg: 'before' });
    await post(s.carol, '/api/v1/groups.kick', { roomId: rid, userId: s.alice.userId });
    await send(s.carol, rid, 'after the kick');
    expect(await alice.none((f) => JSON.stringify(f).includes('after the kick'), 400)).toBe(true);
  });

  it('stops delivering to a member who leaves a public channel they joined, while a previewer keeps reading', async () => {
    const rid = (
      (await post(s.carol, '/api/v1/channels.create', { name: 'leave-me', members: ['alice'] }))
        .channel as Wire
    )._id as string;
    const alice = await s.ddp(s.alice);
    const bob = await s.ddp(s.bob);
    await alice.sub('stream-room-messages', rid);
    expect((await bob.sub('stream-room-messages', rid)).msg).toBe('ready'); // a preview: bob is not a member
    await post(s.alice, '/api/v1/channels.leave', { roomId: rid });
    await send(s.carol, rid, 'after alice left');
    expect(((await bob.event('stream-room-messages', rid)) as Wire[])[0]).toMatchObject({ t: 'ul' });
    expect(((await bob.event('stream-room-messages', rid)) as Wire[])[0]).toMatchObject({
      msg: 'after alice left',
    });
    expect(await alice.none((f) => JSON.stringify(f).includes('after alice left'), 300)).toBe(true);
  });

  it('streams deleteMessage and messagesRead on stream-notify-room', async () => {
    const alice = await s.ddp(s.alice);
    await alice.sub('stream-notify-room', 'GENERAL/deleteMessage');
    await alice.sub('stream-notify-room', 'GENERAL/messagesRead');
    const sent = await send(s.bob, 'GENERAL', 'to be deleted');
    await post(s.bob, '/api/v1/chat.delete', { roomId: 'GENERAL', msgId: sent._id });
    expect(await alice.event('stream-notify-room', 'GENERAL/deleteMessage')).toEqual([{ _id: sent._id }]);
    await post(s.bob, '/api/v1/subscriptions.read', { rid: 'GENERAL' });
    const [read] = (await alice.event('stream-notify-room', 'GENERAL/messagesRead')) as Wire[];
    expect(read?.until).toHaveProperty('$date');
  });

  it('relays typing to the room, in both the new and the legacy form, but not back to the typist', async () => {
    const alice = await s.ddp(s.alice);
    const bob = await s.ddp(s.bob);
    await alice.sub('stream-notify-room', 'GENERAL/user-activity');
    await alice.sub('stream-notify-room', 'GENERAL/typing');
    await bob.sub('stream-notify-room', 'GENERAL/user-activity');
    await bob.ok('stream-notify-room', 'GENERAL/user-activity', 'bob', ['user-typing'], {});
    expect(await alice.event('stream-notify-room', 'GENERAL/user-activity')).toEqual([
      'bob',
      ['user-typing'],
      {},
    ]);
    expect(await alice.event('stream-notify-room', 'GENERAL/typing')).toEqual(['bob', true]);
    expect(await bob.none((f) => f.msg === 'changed', 300)).toBe(true);
    await bob.ok('stream-notify-room', 'GENERAL/typing', 'bob', false);
    expect(await alice.event('stream-notify-room', 'GENERAL/user-activity')).toEqual(['bob', [], {}]);
  });

  it('refuses typing as someone else, or in a room the typist is not in', async () => {
    const bob = await s.ddp(s.bob);
    expect(
      (await bob.call('stream-notify-room', 'GENERAL/user-activity', 'alice', ['user-typing'], {})).error,
    ).toMatchObject({
      error: 'not-allowed',
    });
    const rid = await group('no-bob-here', ['alice']);
    expect(
      (await bob.call('stream-notify-room', `${rid}/user-activity`, 'bob', ['user-typing'], {})).error,
    ).toMatchObject({
      error: 'not-allowed',
    });
    expect(
      (await bob.call('stream-notify-room', 'GENERAL/user-activity', 'bob', 'typing', {})).error,
    ).toMatchObject({
      error: 'error-invalid-params',
    });
  });

  it('tells a user of their subscription changes: inserted on invite, updated on a new message, removed on kick', async () => {
    const alice = await s.ddp(s.alice);
    await alice.sub('stream-notify-user', `${s.alice.userId}/subscriptions-changed`);
    await alice.sub('stream-notify-user', `${s.alice.userId}/rooms-changed`);
    const rid = await group('subs-story', []);
    await post(s.carol, '/api/v1/groups.invite', { roomId: rid, userId: s.alice.userId });
    const inserted = await alice.event('stream-notify-user', `${s.alice.userId}/subscriptions-changed`);
    expect(inserted).toMatchObject([
      'inserted',
      { rid, name: 'subs-story', t: 'p', u: { _id: s.alice.userId } },
    ]);
    expect(await alice.event('stream-notify-user', `${s.alice.userId}/rooms-changed`)).toMatchObject([
      'inserted',
      { _id: rid, name: 'subs-story' },
    ]);
    await send(s.carol, rid, 'unread for alice');
    let updated = await alice.event('stream-notify-user', `${s.alice.userId}/subscriptions-changed`);
    // System messages of the invite may come first; the last one counts the new message.
    while ((updated[1] as Wire).unread !== 1 || updated[0] !== 'updated')
      updated = await alice.event('stream-notify-user', `${s.alice.userId}/subscriptions-changed`);
    expect(updated[1]).toMatchObject({ rid, unread: 1, alert: true });
    await post(s.carol, '/api/v1/groups.setTopic', { roomId: rid, topic: 'new topic' });
    let roomChanged = await alice.event('stream-notify-user', `${s.alice.userId}/rooms-changed`);
    while ((roomChanged[1] as Wire).topic !== 'new topic')
      roomChanged = await alice.event('stream-notify-user', `${s.alice.userId}/rooms-changed`);
    expect(roomChanged).toMatchObject(['updated', { _id: rid, topic: 'new topic' }]);
    await post(s.carol, '/api/v1/groups.kick', { roomId: rid, userId: s.alice.userId });
    let removed = await alice.event('stream-notify-user', `${s.alice.userId}/subscriptions-changed`);
    while (removed[0] !== 'removed')
      removed = await alice.event('stream-notify-user', `${s.alice.userId}/subscriptions-changed`);
    expect(removed).toMatchObject(['removed', { rid }]);
  });

  it('notifies a mentioned user and the other member of a DM, never the sender', async () => {
    const alice = await s.ddp(s.alice);
    const bob = await s.ddp(s.bob);
    await alice.sub('stream-notify-user', `${s.alice.userId}/notification`);
    await bob.sub('stream-notify-user', `${s.bob.userId}/notification`);
    await send(s.bob, 'GENERAL', 'hey @alice look');
    const [mention] = (await alice.event('stream-notify-user', `${s.alice.userId}/notification`)) as Wire[];
    expect(mention).toMatchObject({
      title: '#general',
      text: '@bob: hey @alice look',
      payload: {
        rid: 'GENERAL',
        type: 'c',
        sender: { username: 'bob' },
        message: { msg: 'hey @alice look' },
      },
    });
    const dm = ((await post(s.bob, '/api/v1/im.create', { username: 'alice' })).room as Wire)._id as string;
    await send(s.bob, dm, 'direct words');
    const [direct] = (await alice.event('stream-notify-user', `${s.alice.userId}/notification`)) as Wire[];
    expect(direct).toMatchObject({ title: '@bob', text: 'direct words', payload: { rid: dm, type: 'd' } });
    expect(await bob.none((f) => f.msg === 'changed', 300)).toBe(true);
  });

  it('forces a logout when the session is ended elsewhere, and the socket stops receiving', async () => {
    const erin = await s.makeUser('erin');
    const socket = await s.ddp(erin);
    await socket.sub('stream-notify-user', `${erin.userId}/force_logout`);
    await socket.sub('stream-room-messages', 'GENERAL');
    await post(s.carol, '/api/v1/users.logout', { userId: erin.userId });
    expect(await socket.event('stream-notify-user', `${erin.userId}/force_logout`)).toEqual([]);
    await send(s.bob, 'GENERAL', 'erin is gone');
    expect(await socket.none((f) => JSON.stringify(f).includes('erin is gone'), 300)).toBe(true);
    expect((await socket.call('stream-notify-room', 'GENERAL/typing', 'erin', true)).error).toMatchObject({
      error: 'error-not-allowed',
    });
  });

  it('broadcasts name changes, role changes and permission changes to logged-in users', async () => {
    const frank = await s.makeUser('frank');
    const alice = await s.ddp(s.alice);
    for (const event of ['Users:NameChanged', 'roles-change', 'permissions-changed'])
      await alice.sub('stream-notify-logged', event);
    await post(s.carol, '/api/v1/users.update', { userId: frank.userId, data: { name: 'Franklin' } });
    expect(await alice.event('stream-notify-logged', 'Users:NameChanged')).toEqual([
      { _id: frank.userId, name: 'Franklin', username: 'frank' },
    ]);
    await post(s.carol, '/api/v1/roles.addUserToRole', { roleId: 'bot', username: 'frank' });
    expect(await alice.event('stream-notify-logged', 'roles-change')).toEqual([
      { type: 'added', _id: 'bot', u: { _id: frank.userId, username: 'frank' } },
    ]);
    await post(s.carol, '/api/v1/permissions.update', {
      permissions: [{ _id: 'pin-message', roles: ['admin', 'owner'] }],
    });
    const [action, permission] = (await alice.event('stream-notify-logged', 'permissions-changed')) as [
      string,
      Wire,
    ];
    expect(action).toBe('updated');
    expect(permission).toMatchObject({ _id: 'pin-message', roles: ['admin', 'owner'] });
  });

  it('streams public setting changes to anonymous connections, and private ones to nobody', async () => {
    const anonymous = await s.ddp();
    await anonymous.sub('stream-notify-all', 'public-settings-changed');
    await s.setSetting('Site_Name', 'Parley Test');
    const [action, setting] = (await anonymous.event('stream-notify-all', 'public-settings-changed')) as [
      string,
      Wire,
    ];
    expect(action).toBe('updated');
    expect(setting).toMatchObject({ _id: 'Site_Name', value: 'Parley Test' });
    await s.setSetting('Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User', 7);
    expect(await anonymous.none((f) => f.msg === 'changed', 300)).toBe(true);
  });

  it('serves many subscribers of one room from one serialised frame, each getting exactly one copy', async () => {
    const clients: TestDdpClient[] = [];
    for (let i = 0; i < 20; i++) {
      const c = await s.ddp(i % 2 ? s.alice : s.bob);
      await c.sub('stream-room-messages', 'GENERAL');
      await c.sub('stream-room-messages', 'GENERAL'); // a duplicate sub must not double the delivery
      clients.push(c);
    }
    await send(s.carol, 'GENERAL', 'to everyone');
    for (const c of clients) {
      await c.event('stream-room-messages', 'GENERAL');
      expect(await c.none((f) => f.msg === 'changed', 50)).toBe(true);
    }
  });
});
