import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../src/domain/events/events.js';
import { onEachBackend } from '../src/testing/backends.js';
import {
  createTestServer,
  type Reply,
  type Session,
  type TestServer,
} from '../src/testing/create-test-server.js';

interface Msg {
  _id: string;
  rid: string;
}

/**
 * The events each write commits to the outbox, as the realtime fan-out and every other consumer
 * hear them after commit: what, about which room or user, and for whom (the audience).
 */
await onEachBackend('domain events of each write', (backend) => {
  let server: TestServer;
  let heard: StoredEvent[] = [];
  let alice: Session;
  let bob: Session;
  let carol: Session;

  beforeAll(async () => {
    server = await createTestServer({ backend });
    ({ alice, bob, carol } = server);
    server.parley.store.onEventsCommitted((events) => heard.push(...events));
  });
  afterAll(() => server.close());
  beforeEach(() => {
    heard = [];
  });

  /** The events committed while `request` ran; it must answer `status`. */
  async function eventsOf(request: Promise<Reply>, status = 200): Promise<StoredEvent[]> {
    heard = [];
    const reply = await request;
    expect(reply.status, reply.raw).toBe(status);
    return heard;
  }

  const room = (roomId: string) => ({ kind: 'room', roomId });
  const user = (session: Session) => ({ kind: 'user', userId: session.userId });
  const logged = { kind: 'logged' };

  async function channel(name: string, members: string[] = ['bob']): Promise<string> {
    const reply = await server
      .as(alice)
      .post<{ channel: { _id: string } }>('/api/v1/channels.create', { name, members });
    expect(reply.status, reply.raw).toBe(200);
    return reply.body.channel._id;
  }

  async function send(who: Session, rid: string, msg: string) {
    const reply = await server
      .as(who)
      .post<{ message: Msg }>('/api/v1/chat.sendMessage', { message: { rid, msg } });
    expect(reply.status, reply.raw).toBe(200);
    return reply.body.message;
  }

  describe('messages', () => {
    it('chat.sendMessage: the new message, and every member’s subscription', async () => {
      const rid = await channel('ev-send');
      const events = await eventsOf(
        server.as(alice).post('/api/v1/chat.sendMessage', { message: { rid, msg: 'hello @bob' } }),
      );
      expect(events).toMatchObject([
        {
          type: 'message.saved',
          audience: room(rid),
          created: true,
          room: { id: rid, t: 'c', name: 'ev-send', uids: [] },
          message: { rid, msg: 'hello @bob', u: { _id: alice.userId }, mentions: [{ _id: bob.userId }] },
        },
        { type: 'subscriptions.changed', audience: room(rid), roomId: rid, userIds: null, change: 'updated' },
      ]);
      // Positions come from the outbox, strictly increasing, and the events are stored as heard.
      expect(events[1]?.position).toBeGreaterThan(events[0]?.position ?? Infinity);
      const stored = await server.parley.store.events.since((events[0]?.position ?? 1) - 1, 10);
      expect(stored.slice(0, 2)).toStrictEqual(events);
    });

    it('a thread reply: the reply, the parent’s new counters, and the followers’ subscriptions', async () => {
      const rid = await channel('ev-thread');
      const parent = await send(alice, rid, 'a thread');
      const replied = await eventsOf(
        server
          .as(bob)
          .post('/api/v1/chat.sendMessage', { message: { rid, msg: 'a reply', tmid: parent._id } }),
      );
      expect(replied).toMatchObject([
        { type: 'message.saved', created: true, message: { msg: 'a reply', tmid: parent._id } },
        {
          type: 'message.saved',
          audience: room(rid),
          created: false,
          message: { id: parent._id, tcount: 1, replies: [alice.userId, bob.userId] },
        },
        { type: 'subscriptions.changed', audience: room(rid), userIds: [alice.userId, bob.userId] },
      ]);

      const unfollow = await eventsOf(
        server.as(alice).post('/api/v1/chat.unfollowMessage', { mid: parent._id }),
      );
      expect(unfollow).toMatchObject([
        { type: 'message.saved', created: false, message: { id: parent._id, replies: [bob.userId] } },
        { type: 'subscriptions.changed', audience: user(alice), userIds: [alice.userId], change: 'updated' },
      ]);

      const replyId = replied[0]?.type === 'message.saved' ? replied[0].message.id : '';
      const deleted = await eventsOf(
        server.as(bob).post('/api/v1/chat.delete', { roomId: rid, msgId: replyId }),
      );
      expect(deleted).toMatchObject([
        { type: 'message.deleted', audience: room(rid), roomId: rid, messageId: replyId },
        { type: 'message.saved', created: false, message: { id: parent._id, tcount: 0 } },
      ]);
    });

    it('chat.update, chat.react, chat.starMessage: the message as it is after the change', async () => {
      const rid = await channel('ev-edit');
      const message = await send(alice, rid, 'first');
      const edited = await eventsOf(
        server.as(alice).post('/api/v1/chat.update', { roomId: rid, msgId: message._id, text: 'second' }),
      );
      expect(edited).toMatchObject([
        {
          type: 'message.saved',
          audience: room(rid),
          created: false,
          message: { id: message._id, msg: 'second' },
        },
      ]);
      expect(edited[0]?.type === 'message.saved' && edited[0].message.editedAt).toBeTypeOf('number');

      const reacted = await eventsOf(
        server.as(bob).post('/api/v1/chat.react', { messageId: message._id, emoji: 'tada' }),
      );
      expect(reacted).toMatchObject([
        {
          type: 'message.saved',
          created: false,
          message: { reactions: { ':tada:': { usernames: ['bob'] } } },
        },
      ]);

      const starred = await eventsOf(
        server.as(bob).post('/api/v1/chat.starMessage', { messageId: message._id }),
      );
      expect(starred).toMatchObject([{ type: 'message.saved', message: { starredBy: [bob.userId] } }]);
    });

    it('chat.pinMessage: the pinned message, then the `message_pinned` notice; unpinning the message again', async () => {
      const rid = await channel('ev-pin');
      const message = await send(alice, rid, 'pin me');
      const pinned = await eventsOf(
        server.as(alice).post('/api/v1/chat.pinMessage', { messageId: message._id }),
      );
      expect(pinned).toMatchObject([
        { type: 'message.saved', created: false, message: { id: message._id, pinned: true } },
        { type: 'message.saved', audience: room(rid), created: true, message: { t: 'message_pinned' } },
      ]);
      const unpinned = await eventsOf(
        server.as(alice).post('/api/v1/chat.unPinMessage', { messageId: message._id }),
      );
      expect(unpinned).toMatchObject([
        { type: 'message.saved', message: { id: message._id, pinned: false } },
      ]);
    });

    it('chat.delete: `message.deleted` for the room', async () => {
      const rid = await channel('ev-delete');
      const message = await send(alice, rid, 'oops');
      const events = await eventsOf(
        server.as(alice).post('/api/v1/chat.delete', { roomId: rid, msgId: message._id }),
      );
      expect(events).toEqual([
        expect.objectContaining({
          type: 'message.deleted',
          audience: room(rid),
          roomId: rid,
          messageId: message._id,
        }),
      ]);
    });
  });

  describe('rooms and memberships', () => {
    it('channels.create: the room, and the new memberships of creator and members', async () => {
      const events = await eventsOf(
        server.as(alice).post('/api/v1/channels.create', { name: 'ev-create', members: ['bob'] }),
      );
      const rid = events[0]?.type === 'room.saved' ? events[0].room.id : '';
      expect(events).toMatchObject([
        { type: 'room.saved', audience: room(rid), room: { name: 'ev-create', t: 'c', usersCount: 2 } },
        {
          type: 'subscriptions.changed',
          audience: room(rid),
          roomId: rid,
          userIds: [alice.userId, bob.userId],
          change: 'inserted',
        },
      ]);
    });

    it('channels.invite, channels.kick, channels.join, channels.leave: memberships and their notices', async () => {
      const rid = await channel('ev-members', []);
      const invited = await eventsOf(
        server.as(alice).post('/api/v1/channels.invite', { roomId: rid, username: 'bob' }),
      );
      expect(invited).toMatchObject([
        {
          type: 'subscriptions.changed',
          audience: user(bob),
          roomId: rid,
          userIds: [bob.userId],
          change: 'inserted',
        },
        { type: 'message.saved', audience: room(rid), created: true, message: { t: 'au', msg: 'bob' } },
      ]);
      const subscription = await server.parley.store.subscriptions.byRoomAndUser(
        rid as never,
        bob.userId as never,
      );

      const kicked = await eventsOf(
        server.as(alice).post('/api/v1/channels.kick', { roomId: rid, username: 'bob' }),
      );
      expect(kicked).toMatchObject([
        {
          type: 'subscription.removed',
          audience: user(bob),
          roomId: rid,
          roomType: 'c',
          userId: bob.userId,
          subscriptionId: subscription?.id,
        },
        { type: 'message.saved', message: { t: 'ru', msg: 'bob' } },
      ]);

      const joined = await eventsOf(server.as(bob).post('/api/v1/channels.join', { roomId: rid }));
      expect(joined).toMatchObject([
        { type: 'subscriptions.changed', audience: user(bob), change: 'inserted' },
        { type: 'message.saved', message: { t: 'uj' } },
      ]);
      const left = await eventsOf(server.as(bob).post('/api/v1/channels.leave', { roomId: rid }));
      expect(left).toMatchObject([
        { type: 'subscription.removed', audience: user(bob), roomId: rid, userId: bob.userId },
        { type: 'message.saved', message: { t: 'ul' } },
      ]);
    });

    it('channels.setTopic and channels.rename: the room, every member’s subscription on rename, the notice', async () => {
      const rid = await channel('ev-settings');
      const topic = await eventsOf(
        server.as(alice).post('/api/v1/channels.setTopic', { roomId: rid, topic: 'News' }),
      );
      expect(topic).toMatchObject([
        { type: 'room.saved', audience: room(rid), room: { id: rid, topic: 'News' } },
        { type: 'message.saved', created: true, message: { t: 'room_changed_topic', msg: 'News' } },
      ]);
      const renamed = await eventsOf(
        server.as(alice).post('/api/v1/channels.rename', { roomId: rid, name: 'ev-settings-2' }),
      );
      expect(renamed).toMatchObject([
        { type: 'room.saved', room: { name: 'ev-settings-2' } },
        { type: 'subscriptions.changed', audience: room(rid), userIds: null, change: 'updated' },
        { type: 'message.saved', room: { name: 'ev-settings-2' }, message: { t: 'r', msg: 'ev-settings-2' } },
      ]);
    });

    it('channels.archive: the room, every member’s subscription, the notice', async () => {
      const rid = await channel('ev-archive');
      const events = await eventsOf(server.as(alice).post('/api/v1/channels.archive', { roomId: rid }));
      expect(events).toMatchObject([
        { type: 'room.saved', room: { id: rid, archived: true } },
        { type: 'subscriptions.changed', audience: room(rid), userIds: null, change: 'updated' },
        { type: 'message.saved', message: { t: 'room-archived' } },
      ]);
    });

    it('channels.addOwner: the member’s subscription and a room-scoped role change for everyone', async () => {
      const rid = await channel('ev-owner');
      const events = await eventsOf(
        server.as(alice).post('/api/v1/channels.addOwner', { roomId: rid, userId: bob.userId }),
      );
      expect(events).toMatchObject([
        { type: 'subscriptions.changed', audience: user(bob), userIds: [bob.userId], change: 'updated' },
        {
          type: 'user.role-changed',
          audience: logged,
          change: 'added',
          roleId: 'owner',
          userId: bob.userId,
          username: 'bob',
          scope: rid,
        },
        { type: 'message.saved', message: { t: 'subscription-role-added', msg: 'bob' } },
      ]);
    });

    it('channels.delete: the room, with the members it had', async () => {
      const rid = await channel('ev-gone');
      await send(alice, rid, 'soon gone');
      const events = await eventsOf(server.as(alice).post('/api/v1/channels.delete', { roomId: rid }));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'room.deleted', audience: room(rid), roomId: rid });
      expect(events[0]?.type === 'room.deleted' && [...events[0].memberIds].sort()).toEqual(
        [alice.userId, bob.userId].sort(),
      );
    });

    it('im.create: the DM and both memberships the first time, nothing when it already exists', async () => {
      const dave = await server.makeUser('dave-dm');
      const events = await eventsOf(server.as(alice).post('/api/v1/im.create', { username: 'dave-dm' }));
      const rid = events[0]?.type === 'room.saved' ? events[0].room.id : '';
      expect(events).toMatchObject([
        { type: 'room.saved', audience: room(rid), room: { t: 'd', usernames: ['alice', 'dave-dm'] } },
        { type: 'subscriptions.changed', audience: room(rid), change: 'inserted' },
      ]);
      expect(events[1]?.type === 'subscriptions.changed' && [...(events[1].userIds ?? [])].sort()).toEqual(
        [alice.userId, dave.userId].sort(),
      );
      expect(await eventsOf(server.as(alice).post('/api/v1/im.create', { username: 'dave-dm' }))).toEqual([]);
    });
  });

  describe('subscriptions', () => {
    it('subscriptions.read: the reader’s subscription, and `room.read` for the room', async () => {
      const rid = await channel('ev-read');
      await send(alice, rid, 'read me');
      const events = await eventsOf(server.as(bob).post('/api/v1/subscriptions.read', { rid }));
      expect(events).toMatchObject([
        {
          type: 'subscriptions.changed',
          audience: user(bob),
          roomId: rid,
          userIds: [bob.userId],
          change: 'updated',
        },
        { type: 'room.read', audience: room(rid), roomId: rid, userId: bob.userId },
      ]);
      const read = events[1];
      expect(read?.type === 'room.read' && read.until).toBe(read?.at);
    });

    it('rooms.favorite and subscriptions.unread: only the member’s own subscription', async () => {
      const rid = await channel('ev-favorite');
      const message = await send(alice, rid, 'unread me');
      const expected = [{ type: 'subscriptions.changed', audience: user(bob), userIds: [bob.userId] }];
      expect(
        await eventsOf(server.as(bob).post('/api/v1/rooms.favorite', { roomId: rid, favorite: true })),
      ).toMatchObject(expected);
      expect(
        await eventsOf(
          server.as(bob).post('/api/v1/subscriptions.unread', { firstUnreadMessage: { _id: message._id } }),
        ),
      ).toMatchObject(expected);
    });
  });

  describe('users, roles, permissions, settings', () => {
    it('users.update of the name: `user.changed` for every logged-in user', async () => {
      const frank = await server.makeUser('frank');
      const events = await eventsOf(
        server.as(carol).post('/api/v1/users.update', { userId: frank.userId, data: { name: 'Franklin' } }),
      );
      expect(events).toMatchObject([
        {
          type: 'user.changed',
          audience: logged,
          userId: frank.userId,
          username: 'frank',
          name: 'Franklin',
          previousUsername: 'frank',
        },
      ]);
    });

    it('users.update of the username: the user, and their subscriptions everywhere', async () => {
      const gina = await server.makeUser('gina');
      const events = await eventsOf(
        server.as(carol).post('/api/v1/users.update', { userId: gina.userId, data: { username: 'gina2' } }),
      );
      expect(events).toMatchObject([
        { type: 'user.changed', userId: gina.userId, username: 'gina2', previousUsername: 'gina' },
        // gina is in #general only.
        { type: 'subscriptions.changed', audience: user(gina), roomId: 'GENERAL', userIds: [gina.userId] },
      ]);
    });

    it('users.update of the roles: one `user.role-changed` per role added or removed', async () => {
      const hank = await server.makeUser('hank');
      const events = await eventsOf(
        server.as(carol).post('/api/v1/users.update', { userId: hank.userId, data: { roles: ['bot'] } }),
      );
      expect(events).toMatchObject([
        {
          type: 'user.role-changed',
          audience: logged,
          change: 'removed',
          roleId: 'user',
          userId: hank.userId,
          scope: null,
        },
        {
          type: 'user.role-changed',
          audience: logged,
          change: 'added',
          roleId: 'bot',
          username: 'hank',
          scope: null,
        },
      ]);
      const added = await eventsOf(
        server.as(carol).post('/api/v1/roles.addUserToRole', { roleName: 'user', username: 'hank' }),
      );
      expect(added).toMatchObject([
        { type: 'user.role-changed', change: 'added', roleId: 'user', scope: null },
      ]);
    });

    it('users.logout of another user: their sessions are revoked', async () => {
      const ivy = await server.makeUser('ivy');
      const events = await eventsOf(server.as(carol).post('/api/v1/users.logout', { userId: ivy.userId }));
      expect(events).toEqual([
        expect.objectContaining({ type: 'user.sessions-revoked', audience: user(ivy), userId: ivy.userId }),
      ]);
    });

    it('users.setActiveStatus false: the user changed, and every session revoked', async () => {
      const jack = await server.makeUser('jack');
      const events = await eventsOf(
        server.as(carol).post('/api/v1/users.setActiveStatus', { userId: jack.userId, activeStatus: false }),
      );
      expect(events).toMatchObject([
        { type: 'user.changed', audience: logged, userId: jack.userId, username: 'jack' },
        { type: 'user.sessions-revoked', audience: user(jack), userId: jack.userId },
      ]);
    });

    it('users.delete: every membership removed, sessions revoked, the user deleted', async () => {
      const kate = await server.makeUser('kate');
      const events = await eventsOf(server.as(carol).post('/api/v1/users.delete', { userId: kate.userId }));
      expect(events).toMatchObject([
        {
          type: 'subscription.removed',
          audience: user(kate),
          roomId: 'GENERAL',
          roomType: 'c',
          userId: kate.userId,
        },
        { type: 'user.sessions-revoked', audience: user(kate), userId: kate.userId },
        { type: 'user.deleted', audience: logged, userId: kate.userId, username: 'kate' },
      ]);
    });

    it('permissions.update: one `permission.changed` per permission whose roles changed', async () => {
      const events = await eventsOf(
        server.as(carol).post('/api/v1/permissions.update', {
          permissions: [
            { _id: 'pin-message', roles: ['admin', 'owner'] },
            { _id: 'delete-user', roles: ['admin'] },
          ],
        }),
      );
      expect(events).toMatchObject([
        {
          type: 'permission.changed',
          audience: logged,
          permissionId: 'pin-message',
          roles: ['admin', 'owner'],
        },
      ]);
    });

    it('settings: `setting.changed` for everyone when public, for logged-in users otherwise', async () => {
      const open = await eventsOf(server.as(carol).post('/api/v1/settings/Site_Name', { value: 'Parlons' }));
      expect(open).toMatchObject([
        {
          type: 'setting.changed',
          audience: { kind: 'all' },
          setting: { id: 'Site_Name', value: 'Parlons' },
        },
      ]);
      const closed = await eventsOf(
        server.as(carol).post('/api/v1/settings/Accounts_BlockedUsernameList', { value: 'root' }),
      );
      expect(closed).toMatchObject([
        {
          type: 'setting.changed',
          audience: logged,
          setting: { id: 'Accounts_BlockedUsernameList', value: 'root' },
        },
      ]);
    });
  });

  describe('refused requests', () => {
    it('commit no event: permission refused, not a member, invalid input', async () => {
      const rid = await channel('ev-refused');
      await eventsOf(server.as(bob).post('/api/v1/channels.archive', { roomId: rid }), 403);
      expect(heard).toEqual([]);
      await eventsOf(
        server
          .as(bob)
          .post('/api/v1/permissions.update', { permissions: [{ _id: 'pin-message', roles: ['user'] }] }),
        403,
      );
      expect(heard).toEqual([]);
      await eventsOf(
        server.as(carol).post('/api/v1/chat.sendMessage', { message: { rid, msg: 'not in' } }),
        403,
      );
      expect(heard).toEqual([]);
      await eventsOf(server.as(carol).post('/api/v1/settings/Message_MaxAllowedSize', { value: 0 }), 400);
      expect(heard).toEqual([]);
    });

    it('commit no event, and leave nothing behind, when a write fails after others in its transaction', async () => {
      // Posting to @lena opens the DM first; the alias needs `message-impersonate`, so the post
      // fails inside the same transaction and the new DM is rolled back with its events.
      const lena = await server.makeUser('lena');
      const before = await server.parley.store.events.latestPosition();
      await eventsOf(
        server.as(alice).post('/api/v1/chat.postMessage', { channel: '@lena', text: 'hi', alias: 'Bot' }),
        400,
      );
      expect(heard).toEqual([]);
      expect(await server.parley.store.events.latestPosition()).toBe(before);
      const store = server.parley.store;
      expect(await store.rooms.dmByMembers([alice.userId, lena.userId].sort() as never[])).toBeNull();
    });
  });
});
