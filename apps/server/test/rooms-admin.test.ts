import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../src/domain/auth/tokens.js';
import type { RoomId } from '../src/domain/shared/ids.js';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type Session, type TestServer } from '../src/testing/create-test-server.js';
import { newRoom } from '../src/domain/rooms/room.js';

interface RoomReply {
  _id: string;
  t: string;
  name: string;
  topic: string;
  description: string;
  announcement: string;
  ro: boolean;
  default: boolean;
  archived: boolean;
  joinCodeRequired: boolean;
  usersCount: number;
  msgs: number;
}
interface Sub {
  rid: string;
  name: string;
  fname: string;
  t: string;
  open: boolean;
  archived: boolean;
  f: boolean;
  roles: string[];
}
interface Msg {
  msg: string;
  t?: string;
  role?: string;
  u: { username: string };
}

await onEachBackend('room administration', (backend) => {
  let server: TestServer;
  let dave: Session;
  let counter = 0;

  beforeAll(async () => {
    server = await createTestServer({ backend });
    dave = await server.makeUser('dave');
  });
  afterAll(() => server.close());

  const as = (who: Session) => server.as(who);
  /** A fresh channel or group owned by alice, with bob as a plain member. */
  const roomOf = async (kind: 'channels' | 'groups', members: string[] = ['bob']): Promise<string> => {
    counter += 1;
    const reply = await as(server.alice).post<{ channel?: { _id: string }; group?: { _id: string } }>(
      `/api/v1/${kind}.create`,
      { name: `admin-${kind}-${counter}`, members },
    );
    expect(reply.status, reply.raw).toBe(200);
    return (reply.body.channel ?? reply.body.group)!._id;
  };
  const info = async (kind: 'channels' | 'groups', rid: string, who = server.alice) => {
    const reply = await as(who).get<{ channel?: RoomReply; group?: RoomReply }>(`/api/v1/${kind}.info`, {
      roomId: rid,
    });
    expect(reply.status, reply.raw).toBe(200);
    return (reply.body.channel ?? reply.body.group)!;
  };
  const subscriptionOf = async (who: Session, rid: string): Promise<Sub | null> =>
    (await as(who).get<{ subscription: Sub | null }>('/api/v1/subscriptions.getOne', { roomId: rid })).body
      .subscription;
  const latest = async (kind: 'channels' | 'groups', rid: string): Promise<Msg | undefined> =>
    (await as(server.alice).get<{ messages: Msg[] }>(`/api/v1/${kind}.history`, { roomId: rid })).body
      .messages[0];
  const expectError = (reply: { status: number; body: unknown }, status: number, errorType: string) => {
    expect(reply.status, JSON.stringify(reply.body)).toBe(status);
    expect(reply.body).toMatchObject({ success: false, errorType });
  };
  const setPermission = (id: string, roles: string[]) =>
    as(server.carol).post('/api/v1/permissions.update', { permissions: [{ _id: id, roles }] });

  describe('POST /api/v1/channels.setTopic, setDescription, setPurpose, setAnnouncement', () => {
    it('lets the owner change each text, answers with the value and posts Rocket.Chat’s system message', async () => {
      const rid = await roomOf('channels');
      const topic = await as(server.alice).post('/api/v1/channels.setTopic', {
        roomId: rid,
        topic: 'Roadmap 🚀',
      });
      expect(topic.body).toEqual({ topic: 'Roadmap 🚀', success: true });
      expect(await latest('channels', rid)).toMatchObject({ t: 'room_changed_topic', msg: 'Roadmap 🚀' });

      const purpose = await as(server.alice).post('/api/v1/channels.setPurpose', {
        roomId: rid,
        purpose: 'Why',
      });
      expect(purpose.body).toEqual({ purpose: 'Why', success: true });
      expect(await latest('channels', rid)).toMatchObject({ t: 'room_changed_description', msg: 'Why' });

      const description = await as(server.alice).post('/api/v1/channels.setDescription', {
        roomId: rid,
        description: 'What',
      });
      expect(description.body).toEqual({ description: 'What', success: true });

      const announcement = await as(server.alice).post('/api/v1/channels.setAnnouncement', {
        roomName: `admin-channels-${counter}`,
        announcement: 'Launch on Friday',
      });
      expect(announcement.body).toEqual({ announcement: 'Launch on Friday', success: true });
      expect(await latest('channels', rid)).toMatchObject({ t: 'room_changed_announcement' });

      expect(await info('channels', rid)).toMatchObject({
        topic: 'Roadmap 🚀',
        description: 'What',
        announcement: 'Launch on Friday',
      });
    });

    it('changes nothing and posts nothing when the value is the same', async () => {
      const rid = await roomOf('channels');
      await as(server.alice).post('/api/v1/channels.setTopic', { roomId: rid, topic: 'same' });
      const before = (await info('channels', rid)).msgs;
      const again = await as(server.alice).post('/api/v1/channels.setTopic', { roomId: rid, topic: 'same' });
      expect(again.body).toEqual({ topic: 'same', success: true });
      expect((await info('channels', rid)).msgs).toBe(before);
    });

    it('works for groups through groups.setTopic', async () => {
      const gid = await roomOf('groups');
      const reply = await as(server.alice).post('/api/v1/groups.setTopic', { roomId: gid, topic: 'private' });
      expect(reply.body).toEqual({ topic: 'private', success: true });
      expect((await info('groups', gid)).topic).toBe('private');
    });

    it('refuses a plain member with 403 and lets a moderator through their room role', async () => {
      const rid = await roomOf('channels');
      const refused = await as(server.bob).post('/api/v1/channels.setTopic', { roomId: rid, topic: 'mine' });
      expectError(refused, 403, 'error-unauthorized');
      expect((await info('channels', rid)).topic).toBe('');

      await as(server.alice).post('/api/v1/channels.addModerator', {
        roomId: rid,
        userId: server.bob.userId,
      });
      const allowed = await as(server.bob).post('/api/v1/channels.setTopic', { roomId: rid, topic: 'mine' });
      expect(allowed.status).toBe(200);
      expect((await info('channels', rid)).topic).toBe('mine');
    });

    it('hides a private group from non-members with error-room-not-found', async () => {
      const gid = await roomOf('groups');
      const reply = await as(dave).post('/api/v1/groups.setTopic', { roomId: gid, topic: 'peek' });
      expectError(reply, 400, 'error-room-not-found');
    });

    it('refuses bad input with 400 and changes nothing', async () => {
      const rid = await roomOf('channels');
      const gid = await roomOf('groups');
      expectError(
        await as(server.alice).post('/api/v1/channels.setTopic', { roomId: rid }),
        400,
        'invalid-params',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.setTopic', { roomId: rid, topic: 'x'.repeat(5001) }),
        400,
        'invalid-params',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.setTopic', { roomId: rid, topic: 42 }),
        400,
        'invalid-params',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.setTopic', { roomId: rid, topic: 'bell\u0007' }),
        400,
        'invalid-params',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.setTopic', { topic: 'no room' }),
        400,
        'error-room-param-not-provided',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.setTopic', { roomId: 'doesNotExist12345', topic: 't' }),
        400,
        'error-room-not-found',
      );
      // A group is not a channel, and a channel is not a group.
      expectError(
        await as(server.alice).post('/api/v1/channels.setTopic', { roomId: gid, topic: 't' }),
        400,
        'error-room-not-found',
      );
      expectError(
        await as(server.alice).post('/api/v1/groups.setTopic', { roomId: rid, topic: 't' }),
        400,
        'error-room-not-found',
      );
      expect((await info('channels', rid)).topic).toBe('');
    });

    it('refuses a direct message passed to channels.* or groups.*', async () => {
      // Inserted directly so this test does not depend on `im.create`.
      const dm = await server.parley.store.transaction(async (tx) => {
        const now = Date.now();
        const id = `dm${counter}${'x'.repeat(15)}`.slice(0, 17) as RoomId;
        await tx.rooms.insert(
          newRoom({
            id,
            t: 'd',
            createdAt: now,
          }),
        );
        return id;
      });
      expectError(
        await as(server.carol).post('/api/v1/channels.setTopic', { roomId: dm, topic: 't' }),
        400,
        'error-room-not-found',
      );
      expectError(
        await as(server.carol).post('/api/v1/groups.archive', { roomId: dm }),
        400,
        'error-room-not-found',
      );
    });
  });

  describe('POST /api/v1/channels.setType', () => {
    it('turns a channel into a private group for every member, and back', async () => {
      const rid = await roomOf('channels');
      const reply = await as(server.alice).post<{ channel: RoomReply }>('/api/v1/channels.setType', {
        roomId: rid,
        type: 'p',
      });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.channel.t).toBe('p');
      expect((await subscriptionOf(server.bob, rid))?.t).toBe('p');
      expect(await latest('groups', rid)).toMatchObject({ t: 'room_changed_privacy', msg: 'private' });
      expect((await info('groups', rid)).t).toBe('p');
      expectError(await as(dave).get('/api/v1/channels.info', { roomId: rid }), 400, 'error-room-not-found');

      const back = await as(server.alice).post<{ group: RoomReply }>('/api/v1/groups.setType', {
        roomId: rid,
        type: 'c',
      });
      expect(back.body.group.t).toBe('c');
      expect((await subscriptionOf(server.bob, rid))?.t).toBe('c');
    });

    it('refuses the same type, a wrong type, a plain member, and a target type the caller may not create', async () => {
      const rid = await roomOf('channels');
      expectError(
        await as(server.alice).post('/api/v1/channels.setType', { roomId: rid, type: 'c' }),
        400,
        'error-room-setting-unchanged',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.setType', { roomId: rid, type: 'd' }),
        400,
        'invalid-params',
      );
      expectError(
        await as(server.bob).post('/api/v1/channels.setType', { roomId: rid, type: 'p' }),
        403,
        'error-unauthorized',
      );
      expect((await setPermission('create-p', ['admin'])).status).toBe(200);
      try {
        expectError(
          await as(server.alice).post('/api/v1/channels.setType', { roomId: rid, type: 'p' }),
          400,
          'error-action-not-allowed',
        );
      } finally {
        await setPermission('create-p', ['admin', 'user', 'federated-external', 'bot', 'app']);
      }
      expect((await info('channels', rid)).t).toBe('c');
    });
  });

  describe('POST /api/v1/channels.setReadOnly', () => {
    it('needs set-readonly besides edit-room: owners have it, moderators do not', async () => {
      const rid = await roomOf('channels');
      await as(server.alice).post('/api/v1/channels.addModerator', {
        roomId: rid,
        userId: server.bob.userId,
      });
      expectError(
        await as(server.bob).post('/api/v1/channels.setReadOnly', { roomId: rid, readOnly: true }),
        403,
        'error-unauthorized',
      );
      const reply = await as(server.alice).post<{ channel: RoomReply }>('/api/v1/channels.setReadOnly', {
        roomId: rid,
        readOnly: true,
      });
      expect(reply.body.channel.ro).toBe(true);
      expect(await latest('channels', rid)).toMatchObject({ t: 'room-set-read-only' });
      expectError(
        await as(server.alice).post('/api/v1/channels.setReadOnly', { roomId: rid, readOnly: true }),
        400,
        'error-room-setting-unchanged',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.setReadOnly', { roomId: rid, readOnly: 'yes' }),
        400,
        'invalid-params',
      );
      const groupReply = await as(server.alice).post<{ group: RoomReply }>('/api/v1/groups.setReadOnly', {
        roomId: await roomOf('groups'),
        readOnly: true,
      });
      expect(groupReply.body.group.ro).toBe(true);
      await as(server.alice).post('/api/v1/channels.setReadOnly', { roomId: rid, readOnly: false });
      expect(await latest('channels', rid)).toMatchObject({ t: 'room-removed-read-only' });
    });
  });

  describe('POST /api/v1/channels.setDefault', () => {
    it('is for room administrators: the owner is refused, the admin succeeds', async () => {
      const rid = await roomOf('channels');
      expectError(
        await as(server.alice).post('/api/v1/channels.setDefault', { roomId: rid, default: true }),
        403,
        'error-unauthorized',
      );
      const reply = await as(server.carol).post<{ channel: RoomReply }>('/api/v1/channels.setDefault', {
        roomId: rid,
        default: true,
      });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.channel.default).toBe(true);
      // New users now join it.
      const erin = await server.makeUser(`erin${counter}`);
      expect(await subscriptionOf(erin, rid)).not.toBeNull();
      await as(server.carol).post('/api/v1/channels.setDefault', { roomId: rid, default: false });
    });

    it('exists only for channels', async () => {
      const reply = await as(server.carol).post('/api/v1/groups.setDefault', { roomId: 'x', default: true });
      expect(reply.status).toBe(404);
    });
  });

  describe('POST /api/v1/channels.setJoinCode', () => {
    it('stores only a hash; joining then needs the code', async () => {
      const rid = await roomOf('channels', []);
      const reply = await as(server.alice).post<{ channel: RoomReply }>('/api/v1/channels.setJoinCode', {
        roomId: rid,
        joinCode: 's3cret',
      });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.channel.joinCodeRequired).toBe(true);
      expect(reply.raw).not.toContain('s3cret');
      const stored = await server.parley.store.rooms.byId(rid as RoomId);
      expect(stored?.joinCodeHash).toBe(hashToken('s3cret'));

      expectError(
        await as(server.bob).post('/api/v1/channels.join', { roomId: rid }),
        400,
        'error-code-invalid',
      );
      const joined = await as(server.bob).post('/api/v1/channels.join', { roomId: rid, joinCode: 's3cret' });
      expect(joined.status).toBe(200);

      expectError(
        await as(server.bob).post('/api/v1/channels.setJoinCode', { roomId: rid, joinCode: 'mine' }),
        403,
        'error-unauthorized',
      );
      const cleared = await as(server.alice).post<{ channel: RoomReply }>('/api/v1/channels.setJoinCode', {
        roomId: rid,
        joinCode: '',
      });
      expect(cleared.body.channel.joinCodeRequired).toBe(false);
      expect(
        (await as(server.alice).post('/api/v1/groups.setJoinCode', { roomId: rid, joinCode: 'x' })).status,
      ).toBe(404);
    });
  });

  describe('POST /api/v1/channels.rename', () => {
    it('renames the room and every member’s subscription, and posts `r`', async () => {
      const rid = await roomOf('channels');
      const name = `renamed-${counter}`;
      const reply = await as(server.alice).post<{ channel: RoomReply }>('/api/v1/channels.rename', {
        roomId: rid,
        name,
      });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.channel.name).toBe(name);
      expect(await subscriptionOf(server.bob, rid)).toMatchObject({ name, fname: name });
      expect(await latest('channels', rid)).toMatchObject({ t: 'r', msg: name });
      const byName = await as(server.bob).get<{ channel: RoomReply }>('/api/v1/channels.info', {
        roomName: name,
      });
      expect(byName.body.channel._id).toBe(rid);

      // A change of case is a rename of the same room, not a duplicate.
      const upper = await as(server.alice).post('/api/v1/channels.rename', {
        roomId: rid,
        name: name.toUpperCase(),
      });
      expect(upper.status, upper.raw).toBe(200);
    });

    it('refuses duplicates, invalid names, the same name and plain members, changing nothing', async () => {
      const rid = await roomOf('channels');
      const gid = await roomOf('groups');
      const { name } = await info('channels', rid);
      expectError(
        await as(server.alice).post('/api/v1/channels.rename', { roomId: rid, name: 'general' }),
        400,
        'error-duplicate-channel-name',
      );
      const groupName = (await info('groups', gid)).name;
      expectError(
        await as(server.alice).post('/api/v1/channels.rename', { roomId: rid, name: groupName }),
        400,
        'error-duplicate-channel-name',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.rename', { roomId: rid, name: 'has space' }),
        400,
        'error-invalid-room-name',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.rename', { roomId: rid, name: '' }),
        400,
        'invalid-params',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.rename', { roomId: rid, name }),
        400,
        'error-room-setting-unchanged',
      );
      expectError(
        await as(server.bob).post('/api/v1/channels.rename', { roomId: rid, name: 'bobs' }),
        403,
        'error-unauthorized',
      );
      expect((await info('channels', rid)).name).toBe(name);
      expect((await subscriptionOf(server.bob, rid))?.name).toBe(name);
    });
  });

  describe('POST /api/v1/channels.archive and unarchive', () => {
    it('archives for the owner, refuses writes, and unarchives for the admin only', async () => {
      const rid = await roomOf('channels');
      expectError(
        await as(server.bob).post('/api/v1/channels.archive', { roomId: rid }),
        403,
        'error-unauthorized',
      );

      const archived = await as(server.alice).post('/api/v1/channels.archive', { roomId: rid });
      expect(archived.body).toEqual({ success: true });
      expect((await info('channels', rid)).archived).toBe(true);
      expect(await subscriptionOf(server.bob, rid)).toMatchObject({ archived: true, open: false });
      expect(await latest('channels', rid)).toMatchObject({ t: 'room-archived', msg: '' });

      expectError(
        await as(server.alice).post('/api/v1/chat.sendMessage', { message: { rid, msg: 'hello?' } }),
        400,
        'error-room-archived',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.setTopic', { roomId: rid, topic: 't' }),
        400,
        'error-room-archived',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.addOwner', { roomId: rid, userId: server.bob.userId }),
        400,
        'error-room-archived',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.archive', { roomId: rid }),
        400,
        'error-room-archived',
      );

      // `unarchive-room` belongs to admins by default.
      expectError(
        await as(server.alice).post('/api/v1/channels.unarchive', { roomId: rid }),
        403,
        'error-unauthorized',
      );
      const unarchived = await as(server.carol).post('/api/v1/channels.unarchive', { roomId: rid });
      expect(unarchived.body).toEqual({ success: true });
      expect(await subscriptionOf(server.bob, rid)).toMatchObject({ archived: false, open: true });
      expect(await latest('channels', rid)).toMatchObject({ t: 'room-unarchived' });
      expectError(
        await as(server.carol).post('/api/v1/channels.unarchive', { roomId: rid }),
        400,
        'error-room-not-archived',
      );
    });

    it('archives groups too', async () => {
      const gid = await roomOf('groups');
      expect((await as(server.alice).post('/api/v1/groups.archive', { roomId: gid })).status).toBe(200);
      expect((await info('groups', gid)).archived).toBe(true);
      expectError(
        await as(dave).post('/api/v1/groups.archive', { roomId: gid }),
        400,
        'error-room-not-found',
      );
    });
  });

  describe('POST /api/v1/channels.delete', () => {
    it('deletes the room, its messages and memberships, and tells members’ other devices', async () => {
      const rid = await roomOf('channels');
      await as(server.bob).post('/api/v1/chat.sendMessage', { message: { rid, msg: 'soon gone' } });
      const since = new Date(Date.now() - 1).toISOString();
      expectError(
        await as(server.bob).post('/api/v1/channels.delete', { roomId: rid }),
        403,
        'error-unauthorized',
      );
      expect((await info('channels', rid)).usersCount).toBe(2);

      const reply = await as(server.alice).post('/api/v1/channels.delete', { roomId: rid });
      expect(reply.body).toEqual({ success: true });
      expectError(
        await as(server.alice).get('/api/v1/channels.info', { roomId: rid }),
        400,
        'error-room-not-found',
      );
      expect(await subscriptionOf(server.bob, rid)).toBeNull();
      const sync = await as(server.bob).get<{ remove: { rid?: string; _id: string }[] }>(
        '/api/v1/subscriptions.get',
        { updatedSince: since },
      );
      expect(sync.body.remove.length).toBeGreaterThanOrEqual(1);
      const messages = await server.parley.store.messages.find({
        roomId: rid as RoomId,
        offset: 0,
        count: 10,
      });
      expect(messages.total).toBe(0);
    });

    it('deletes groups with delete-p, and archived rooms too', async () => {
      const gid = await roomOf('groups');
      await as(server.alice).post('/api/v1/groups.archive', { roomId: gid });
      expectError(
        await as(server.bob).post('/api/v1/groups.delete', { roomId: gid }),
        403,
        'error-unauthorized',
      );
      expect((await as(server.alice).post('/api/v1/groups.delete', { roomId: gid })).body).toEqual({
        success: true,
      });
      expectError(
        await as(server.alice).get('/api/v1/groups.info', { roomId: gid }),
        400,
        'error-room-not-found',
      );
    });
  });

  describe('POST /api/v1/channels.open and close', () => {
    it('hides and shows the room in the caller’s own sidebar', async () => {
      const rid = await roomOf('channels');
      expect((await as(server.bob).post('/api/v1/channels.close', { roomId: rid })).body).toEqual({
        success: true,
      });
      expect((await subscriptionOf(server.bob, rid))?.open).toBe(false);
      expect((await subscriptionOf(server.alice, rid))?.open).toBe(true);
      expectError(
        await as(server.bob).post('/api/v1/channels.close', { roomId: rid }),
        400,
        'error-room-already-closed',
      );
      expect((await as(server.bob).post('/api/v1/channels.open', { roomId: rid })).status).toBe(200);
      expect((await subscriptionOf(server.bob, rid))?.open).toBe(true);
      expectError(
        await as(server.bob).post('/api/v1/channels.open', { roomId: rid }),
        400,
        'error-room-already-open',
      );
      expectError(
        await as(dave).post('/api/v1/channels.close', { roomId: rid }),
        400,
        'error-user-not-in-room',
      );

      const gid = await roomOf('groups');
      expect((await as(server.bob).post('/api/v1/groups.close', { roomId: gid })).status).toBe(200);
      expectError(await as(dave).post('/api/v1/groups.close', { roomId: gid }), 400, 'error-room-not-found');
    });
  });

  describe('POST /api/v1/channels.addOwner and the other room roles', () => {
    it('grants and revokes owner, moderator and leader, posting subscription-role-* with the role', async () => {
      const rid = await roomOf('channels');
      const add = await as(server.alice).post('/api/v1/channels.addOwner', {
        roomId: rid,
        userId: server.bob.userId,
      });
      expect(add.body).toEqual({ success: true });
      expect((await subscriptionOf(server.bob, rid))?.roles).toEqual(['owner']);
      expect(await latest('channels', rid)).toMatchObject({
        t: 'subscription-role-added',
        msg: 'bob',
        role: 'owner',
        u: { username: 'alice' },
      });
      expectError(
        await as(server.alice).post('/api/v1/channels.addOwner', { roomId: rid, userId: server.bob.userId }),
        400,
        'error-user-already-owner',
      );

      await as(server.alice).post('/api/v1/channels.addModerator', { roomId: rid, username: 'bob' });
      await as(server.alice).post('/api/v1/channels.addLeader', { roomId: rid, userId: server.bob.userId });
      expect((await subscriptionOf(server.bob, rid))?.roles).toEqual(['owner', 'moderator', 'leader']);

      const moderators = await as(server.bob).get('/api/v1/channels.moderators', { roomId: rid });
      expect(moderators.body).toEqual({
        moderators: [{ _id: server.bob.userId, username: 'bob', name: 'Bob' }],
        success: true,
      });

      await as(server.alice).post('/api/v1/channels.removeLeader', {
        roomId: rid,
        userId: server.bob.userId,
      });
      expect(await latest('channels', rid)).toMatchObject({ t: 'subscription-role-removed', role: 'leader' });
      await as(server.alice).post('/api/v1/channels.removeModerator', {
        roomId: rid,
        userId: server.bob.userId,
      });
      expectError(
        await as(server.alice).post('/api/v1/channels.removeModerator', {
          roomId: rid,
          userId: server.bob.userId,
        }),
        400,
        'error-user-not-moderator',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.removeLeader', {
          roomId: rid,
          userId: server.bob.userId,
        }),
        400,
        'error-user-not-leader',
      );

      // bob, now an owner, may remove alice; then he is the last owner and cannot be removed.
      expect(
        (
          await as(server.bob).post('/api/v1/channels.removeOwner', {
            roomId: rid,
            userId: server.alice.userId,
          })
        ).status,
      ).toBe(200);
      expectError(
        await as(server.carol).post('/api/v1/channels.removeOwner', {
          roomId: rid,
          userId: server.bob.userId,
        }),
        400,
        'error-remove-last-owner',
      );
      expect((await subscriptionOf(server.bob, rid))?.roles).toEqual(['owner']);
    });

    it('refuses members without set-owner, non-members, unknown users and missing users', async () => {
      const rid = await roomOf('channels');
      expectError(
        await as(server.bob).post('/api/v1/channels.addOwner', { roomId: rid, userId: server.bob.userId }),
        403,
        'error-unauthorized',
      );
      expectError(
        await as(server.bob).post('/api/v1/channels.addModerator', {
          roomId: rid,
          userId: server.bob.userId,
        }),
        403,
        'error-unauthorized',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.addOwner', { roomId: rid, userId: dave.userId }),
        400,
        'error-user-not-in-room',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.addOwner', {
          roomId: rid,
          userId: 'nobody12345678901',
        }),
        400,
        'error-invalid-user',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.addOwner', { roomId: rid }),
        400,
        'error-user-param-not-provided',
      );
      expectError(
        await as(server.alice).post('/api/v1/channels.removeOwner', {
          roomId: rid,
          userId: server.bob.userId,
        }),
        400,
        'error-user-not-owner',
      );
      expect((await subscriptionOf(server.bob, rid))?.roles).toEqual([]);
    });

    it('works for groups, and a moderator of a group may not appoint owners', async () => {
      const gid = await roomOf('groups');
      expect(
        (
          await as(server.alice).post('/api/v1/groups.addModerator', {
            roomId: gid,
            userId: server.bob.userId,
          })
        ).status,
      ).toBe(200);
      expectError(
        await as(server.bob).post('/api/v1/groups.addOwner', { roomId: gid, userId: server.bob.userId }),
        403,
        'error-unauthorized',
      );
      const moderators = await as(server.bob).get<{ moderators: { username: string }[] }>(
        '/api/v1/groups.moderators',
        { roomId: gid },
      );
      expect(moderators.body.moderators.map((m) => m.username)).toEqual(['bob']);
      expectError(
        await as(dave).get('/api/v1/groups.moderators', { roomId: gid }),
        400,
        'error-room-not-found',
      );
    });
  });

  describe('POST /api/v1/channels.addAll', () => {
    it('is refused to the owner and adds every active user for the admin', async () => {
      const frank = await server.makeUser(`frank${counter}`);
      await as(server.carol).post('/api/v1/users.setActiveStatus', {
        userId: frank.userId,
        activeStatus: false,
      });
      const rid = await roomOf('channels', []);
      expectError(
        await as(server.alice).post('/api/v1/channels.addAll', { roomId: rid }),
        403,
        'error-unauthorized',
      );
      expect((await info('channels', rid)).usersCount).toBe(1);

      const reply = await as(server.carol).post<{ channel: RoomReply }>('/api/v1/channels.addAll', {
        roomId: rid,
      });
      expect(reply.status, reply.raw).toBe(200);
      const users = await server.parley.store.users.list({ offset: 0, count: 1000 });
      const active = users.items.filter((u) => u.active).length;
      expect(reply.body.channel.usersCount).toBe(active);
      expect(await subscriptionOf(dave, rid)).not.toBeNull();
      expect(await latest('channels', rid)).toMatchObject({ t: 'uj' });
      expect(
        await server.parley.store.subscriptions.byRoomAndUser(rid as RoomId, frank.userId as never),
      ).toBeNull();

      const gid = await roomOf('groups', []);
      await as(server.alice).post('/api/v1/groups.invite', { roomId: gid, username: 'carol' });
      const group = await as(server.carol).post<{ group: RoomReply }>('/api/v1/groups.addAll', {
        roomId: gid,
      });
      expect(group.body.group.usersCount).toBe(active);
    });
  });

  describe('POST /api/v1/rooms.saveRoomSettings', () => {
    it('changes several settings at once and answers with the rid', async () => {
      const rid = await roomOf('groups');
      const name = `saved-${counter}`;
      const reply = await as(server.alice).post('/api/v1/rooms.saveRoomSettings', {
        rid,
        roomName: name,
        roomTopic: 'topic',
        roomAnnouncement: 'announcement',
        roomDescription: 'description',
        readOnly: true,
        roomType: 'c',
      });
      expect(reply.body).toEqual({ rid, success: true });
      expect(await info('channels', rid)).toMatchObject({
        name,
        t: 'c',
        topic: 'topic',
        announcement: 'announcement',
        description: 'description',
        ro: true,
      });
      expect((await subscriptionOf(server.bob, rid))?.name).toBe(name);
    });

    it('is all or nothing: one bad setting or a missing permission changes nothing', async () => {
      const rid = await roomOf('channels');
      expectError(
        await as(server.alice).post('/api/v1/rooms.saveRoomSettings', {
          rid,
          roomTopic: 'kept?',
          roomName: 'bad name',
        }),
        400,
        'error-invalid-room-name',
      );
      expectError(
        await as(server.alice).post('/api/v1/rooms.saveRoomSettings', {
          rid,
          roomTopic: 'kept?',
          default: true,
        }),
        403,
        'error-unauthorized',
      );
      expectError(
        await as(server.bob).post('/api/v1/rooms.saveRoomSettings', { rid, roomTopic: 'mine' }),
        403,
        'error-unauthorized',
      );
      expectError(
        await as(server.alice).post('/api/v1/rooms.saveRoomSettings', { roomTopic: 'x' }),
        400,
        'invalid-params',
      );
      expect((await info('channels', rid)).topic).toBe('');
    });
  });

  describe('POST /api/v1/rooms.favorite', () => {
    it('stars and unstars the caller’s subscription', async () => {
      const rid = await roomOf('channels');
      expect(
        (await as(server.bob).post('/api/v1/rooms.favorite', { roomId: rid, favorite: true })).body,
      ).toEqual({
        success: true,
      });
      expect((await subscriptionOf(server.bob, rid))?.f).toBe(true);
      expect((await subscriptionOf(server.alice, rid))?.f).toBe(false);
      await as(server.bob).post('/api/v1/rooms.favorite', { roomId: rid, favorite: false });
      expect((await subscriptionOf(server.bob, rid))?.f).toBe(false);

      expectError(
        await as(dave).post('/api/v1/rooms.favorite', { roomId: rid, favorite: true }),
        400,
        'error-invalid-subscription',
      );
      const gid = await roomOf('groups');
      expectError(
        await as(dave).post('/api/v1/rooms.favorite', { roomId: gid, favorite: true }),
        400,
        'error-room-not-found',
      );
      expectError(
        await as(server.bob).post('/api/v1/rooms.favorite', { roomId: rid }),
        400,
        'invalid-params',
      );
    });
  });

  describe('POST /api/v1/rooms.leave', () => {
    it('lets a member leave and keeps the last owner in', async () => {
      const rid = await roomOf('groups');
      expectError(
        await as(server.alice).post('/api/v1/rooms.leave', { roomId: rid }),
        400,
        'error-you-are-last-owner',
      );
      expect((await as(server.bob).post('/api/v1/rooms.leave', { roomId: rid })).body).toEqual({
        success: true,
      });
      expect(await subscriptionOf(server.bob, rid)).toBeNull();
      expectError(
        await as(server.bob).post('/api/v1/rooms.leave', { roomId: rid }),
        400,
        'error-room-not-found',
      );
    });
  });

  it('answers room administration routes only to logged-in callers, with 401', async () => {
    for (const path of [
      'channels.setTopic',
      'groups.rename',
      'channels.archive',
      'groups.delete',
      'channels.addOwner',
      'rooms.saveRoomSettings',
      'rooms.favorite',
      'rooms.leave',
    ]) {
      const reply = await server.anonymous.post(`/api/v1/${path}`, { roomId: 'GENERAL', rid: 'GENERAL' });
      expect(reply.status, path).toBe(401);
      expect(reply.body).toMatchObject({ success: false });
    }
  });
});
