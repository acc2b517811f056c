import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusModeServer, onEachBackendAndBusMode } from '../src/testing/bus-modes.js';
import type { Session, TestServer } from '../src/testing/create-test-server.js';
import type { TestDdpClient } from '../src/testing/ddp-client.js';
import { errorOf } from '../src/testing/meteor-error.js';

type EjsonDate = { $date: number };
interface Msg {
  _id: string;
  rid: string;
  msg: string;
  ts: EjsonDate;
  _updatedAt: EjsonDate;
  u: { _id: string; username: string };
  editedAt?: EjsonDate;
  reactions?: Record<string, { usernames: string[] }>;
}
interface Sub {
  _id: string;
  rid: string;
  unread: number;
  ts: EjsonDate;
}
interface RoomWire {
  _id: string;
  rid: string;
  t: string;
  name?: string;
  usernames?: string[];
  ts: EjsonDate;
}
interface History {
  messages: Msg[];
  firstUnread?: Msg;
  unreadNotLoaded: number;
}
type Sync<T> = { update: T[]; remove: { _id: string; _deletedAt: EjsonDate }[] };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await onEachBackendAndBusMode('DDP methods: messages and rooms', (backend, mode) => {
  let s: TestServer;
  let dave: Session;
  let alice: TestDdpClient;
  let bob: TestDdpClient;
  /** alice's channel, bob a member. */
  let lobby: RoomWire;
  /** alice's private group; bob is not in it. */
  let secret: RoomWire;

  beforeAll(async () => {
    s = await createBusModeServer(mode, { backend, listen: true });
    dave = await s.makeUser('dave');
    alice = await s.ddp(s.alice);
    bob = await s.ddp(s.bob);
    lobby = await alice.ok<RoomWire>('createChannel', 'ddp-lobby', ['bob']);
    secret = await alice.ok<RoomWire>('createPrivateGroup', 'ddp-secret', []);
  });
  afterAll(() => s.close());

  describe('sendMessage', () => {
    it('posts with the client-chosen _id and answers the message with EJSON dates', async () => {
      const sent = await alice.ok<Msg>('sendMessage', {
        _id: 'ddpSendOne',
        rid: lobby._id,
        msg: 'hello *ddp*',
      });
      expect(sent).toMatchObject({
        _id: 'ddpSendOne',
        rid: lobby._id,
        msg: 'hello *ddp*',
        u: { username: 'alice' },
      });
      expect(sent.ts.$date).toBeTypeOf('number');
      expect(sent._updatedAt.$date).toBeTypeOf('number');
      const rest = await s.as(s.bob).get<{ message: { ts: string } }>('/api/v1/chat.getMessage', {
        msgId: 'ddpSendOne',
      });
      expect(Date.parse(rest.body.message.ts)).toBe(sent.ts.$date);
    });

    it('refuses a private group the caller is not in with the code REST gives', async () => {
      expect(await errorOf(bob, 'sendMessage', { rid: secret._id, msg: 'let me in' })).toBe(
        'error-room-not-found',
      );
    });

    it('answers bad params with error-invalid-params and keeps the socket', async () => {
      expect(await errorOf(alice, 'sendMessage')).toBe('error-invalid-params');
      expect(await errorOf(alice, 'sendMessage', 'not an object')).toBe('error-invalid-params');
      expect(await errorOf(alice, 'sendMessage', { rid: 42, msg: 'x' })).toBe('error-invalid-params');
      expect(await errorOf(alice, 'sendMessage', { rid: lobby._id, msg: 7 })).toBe('error-invalid-params');
      expect(await errorOf(alice, 'sendMessage', { rid: lobby._id, msg: 'x', attachments: 'no' })).toBe(
        'error-invalid-params',
      );
      expect(alice.closeCode).toBeNull();
      expect((await alice.ok<Msg>('sendMessage', { rid: lobby._id, msg: 'still here' })).msg).toBe(
        'still here',
      );
    });
  });

  describe('updateMessage and deleteMessage', () => {
    it('edits one’s own message, with or without rid', async () => {
      const sent = await alice.ok<Msg>('sendMessage', { rid: lobby._id, msg: 'first draft' });
      expect(
        (await alice.call('updateMessage', { _id: sent._id, rid: lobby._id, msg: 'second draft' })).error,
      ).toBeUndefined();
      expect((await alice.call('updateMessage', { _id: sent._id, msg: 'final' })).error).toBeUndefined();
      const rest = await s
        .as(s.alice)
        .get<{ message: { msg: string; editedAt?: string } }>('/api/v1/chat.getMessage', { msgId: sent._id });
      expect(rest.body.message).toMatchObject({ msg: 'final' });
      expect(rest.body.message.editedAt).toBeDefined();
    });

    it('refuses to edit or delete another user’s message, and a message of another room', async () => {
      const sent = await alice.ok<Msg>('sendMessage', { rid: lobby._id, msg: 'mine' });
      expect(await errorOf(bob, 'updateMessage', { _id: sent._id, msg: 'yours now' })).toBe(
        'error-unauthorized',
      );
      expect(await errorOf(bob, 'deleteMessage', { _id: sent._id })).toBe('error-unauthorized');
      expect(await errorOf(alice, 'updateMessage', { _id: sent._id, rid: secret._id, msg: 'moved' })).toBe(
        'error-invalid-room',
      );
      expect(await errorOf(alice, 'updateMessage', { _id: sent._id })).toBe('error-invalid-params');
      expect(await errorOf(alice, 'deleteMessage', {})).toBe('error-invalid-params');
    });

    it('deletes one’s own message', async () => {
      const sent = await alice.ok<Msg>('sendMessage', { rid: lobby._id, msg: 'regret' });
      const reply = await alice.call('deleteMessage', { _id: sent._id });
      expect(reply.error).toBeUndefined();
      expect(reply.result).toBeUndefined();
      const gone = await s.as(s.alice).get('/api/v1/chat.getMessage', { msgId: sent._id });
      expect(gone.body).toMatchObject({ errorType: 'error-message-not-found' });
      expect(await errorOf(alice, 'deleteMessage', { _id: sent._id })).toBe('error-message-not-found');
    });
  });

  describe('setReaction', () => {
    it('adds, toggles off and explicitly sets a reaction', async () => {
      const sent = await alice.ok<Msg>('sendMessage', { rid: lobby._id, msg: 'react to me' });
      const reactions = async () =>
        (await s.as(s.alice).get<{ message: Msg }>('/api/v1/chat.getMessage', { msgId: sent._id })).body
          .message.reactions;
      expect((await bob.call('setReaction', ':tada:', sent._id)).error).toBeUndefined();
      expect(await reactions()).toEqual({ ':tada:': { usernames: ['bob'], names: ['Bob'] } });
      await bob.ok('setReaction', ':tada:', sent._id);
      expect(await reactions()).toBeUndefined();
      await bob.ok('setReaction', 'tada', sent._id, true);
      await bob.ok('setReaction', 'tada', sent._id, true);
      expect((await reactions())?.[':tada:']?.usernames).toEqual(['bob']);
      await bob.ok('setReaction', ':tada:', sent._id, false);
      expect(await reactions()).toBeUndefined();
    });

    it('refuses a bad emoji, a hidden message, and bad params', async () => {
      const hidden = await alice.ok<Msg>('sendMessage', { rid: secret._id, msg: 'psst' });
      expect(await errorOf(bob, 'setReaction', ':tada:', hidden._id)).toBe('error-message-not-found');
      expect(await errorOf(bob, 'setReaction', 'not an emoji!', hidden._id)).toBe('error-invalid-emoji');
      expect(await errorOf(bob, 'setReaction', ':tada:')).toBe('error-invalid-params');
      expect(await errorOf(bob, 'setReaction', ':tada:', hidden._id, 'yes')).toBe('error-invalid-params');
    });
  });

  describe('loadHistory', () => {
    let rid: string;
    let sent: Msg[];
    beforeAll(async () => {
      rid = (await alice.ok<RoomWire>('createChannel', 'ddp-history', [])).rid;
      sent = [];
      for (const text of ['m1', 'm2', 'm3', 'm4', 'm5']) {
        sent.push(await alice.ok<Msg>('sendMessage', { rid, msg: text }));
        await sleep(3);
      }
    });
    const texts = (h: History) => h.messages.map((m) => m.msg);

    it('pages backwards from the newest: messages older than `end`, newest first', async () => {
      const first = await alice.ok<History>('loadHistory', rid, null, 2);
      expect(texts(first)).toEqual(['m5', 'm4']);
      expect(first.unreadNotLoaded).toBe(0);
      expect(first.messages[0]?.ts).toEqual(sent[4]?.ts);
      const second = await alice.ok<History>('loadHistory', rid, first.messages[1]?.ts, 2);
      expect(texts(second)).toEqual(['m3', 'm2']);
      const rest = await alice.ok<History>('loadHistory', rid, second.messages[1]?.ts, 50);
      expect(texts(rest)).toEqual(['m1']);
      expect(texts(await alice.ok<History>('loadHistory', rid))).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
    });

    it('counts the unread messages not loaded after `ls`, and names the first of them', async () => {
      const page = await alice.ok<History>('loadHistory', rid, null, 2, sent[0]?.ts);
      expect(texts(page)).toEqual(['m5', 'm4']);
      expect(page.unreadNotLoaded).toBe(2);
      expect(page.firstUnread).toMatchObject({ msg: 'm2' });
    });

    it('answers false for a room the caller may not read, as Rocket.Chat', async () => {
      expect((await bob.call('loadHistory', secret._id, null, 20)).result).toBe(false);
      expect((await bob.call('loadHistory', 'noSuchRoom')).result).toBe(false);
    });

    it('refuses bad params', async () => {
      expect(await errorOf(alice, 'loadHistory')).toBe('error-invalid-params');
      expect(await errorOf(alice, 'loadHistory', rid, 'not a date')).toBe('error-invalid-params');
      expect(await errorOf(alice, 'loadHistory', rid, null, 'ten')).toBe('error-invalid-params');
      expect(await errorOf(alice, 'loadHistory', rid, null, -1)).toBe('error-invalid-params');
    });
  });

  describe('readMessages', () => {
    it('clears the caller’s unread count', async () => {
      await alice.ok('sendMessage', { rid: lobby._id, msg: 'unread for bob' });
      const unread = async () =>
        (await s.as(s.bob).get<{ subscription: Sub }>('/api/v1/subscriptions.getOne', { roomId: lobby._id }))
          .body.subscription.unread;
      expect(await unread()).toBeGreaterThan(0);
      expect((await bob.call('readMessages', lobby._id)).error).toBeUndefined();
      expect(await unread()).toBe(0);
    });

    it('refuses a room the caller is not in, and bad params', async () => {
      expect(await errorOf(bob, 'readMessages', secret._id)).toBe('error-invalid-subscription');
      expect(await errorOf(bob, 'readMessages', 12)).toBe('error-invalid-params');
      expect(await errorOf(bob, 'readMessages', lobby._id, 'yes')).toBe('error-invalid-params');
    });
  });

  describe('getRoomIdByNameOrId and getRoomNameById', () => {
    it('finds a room by name or id, and its name by id', async () => {
      expect((await bob.call('getRoomIdByNameOrId', 'ddp-lobby')).result).toBe(lobby._id);
      expect((await bob.call('getRoomIdByNameOrId', lobby._id)).result).toBe(lobby._id);
      expect((await bob.call('getRoomIdByNameOrId', 'GENERAL')).result).toBe('GENERAL');
      expect((await bob.call('getRoomNameById', lobby._id)).result).toBe('ddp-lobby');
    });

    it('answers error-not-allowed for a hidden or unknown room', async () => {
      expect(await errorOf(bob, 'getRoomIdByNameOrId', 'ddp-secret')).toBe('error-not-allowed');
      expect(await errorOf(bob, 'getRoomIdByNameOrId', 'no-such-room')).toBe('error-not-allowed');
      expect(await errorOf(bob, 'getRoomNameById', secret._id)).toBe('error-not-allowed');
      expect(await errorOf(bob, 'getRoomNameById', 'nope')).toBe('error-not-allowed');
      expect(await errorOf(bob, 'getRoomIdByNameOrId')).toBe('error-invalid-params');
    });
  });

  describe('createChannel, createPrivateGroup, joinRoom, leaveRoom', () => {
    it('creates a channel (Rocket.Chat’s {rid, …room}) that another user joins and leaves', async () => {
      const created = await alice.ok<RoomWire & { topic: string; ro: boolean }>(
        'createChannel',
        'ddp-open',
        [],
        true,
        {},
        { topic: 'all welcome' },
      );
      expect(created).toMatchObject({ t: 'c', name: 'ddp-open', topic: 'all welcome', ro: true });
      expect(created.rid).toBe(created._id);
      expect(created.ts.$date).toBeTypeOf('number');

      const d = await s.ddp(dave);
      expect((await d.call('joinRoom', created.rid)).result).toBe(true);
      const subs = await d.ok<Sub[]>('subscriptions/get');
      const sub = subs.find((x) => x.rid === created.rid);
      expect(sub?.ts.$date).toBeTypeOf('number');
      expect((await d.ok<RoomWire[]>('rooms/get')).map((r) => r._id)).toContain(created.rid);

      const since = Date.now();
      await sleep(5);
      const left = await d.call('leaveRoom', created.rid);
      expect(left.error).toBeUndefined();
      const subSync = await d.ok<Sync<Sub>>('subscriptions/get', { $date: since });
      expect(subSync.update.map((x) => x.rid)).not.toContain(created.rid);
      const removed = subSync.remove.find((r) => r._id === sub?._id);
      expect(removed?._deletedAt.$date).toBeGreaterThanOrEqual(since);
      const roomSync = await d.ok<Sync<RoomWire>>('rooms/get', { $date: since });
      expect(roomSync.remove.map((r) => r._id)).toContain(created.rid);
      expect(roomSync.update.map((r) => r._id)).not.toContain(created.rid);
      expect(await errorOf(d, 'leaveRoom', created.rid)).toBe('error-user-not-in-room');
    });

    it('creates a private group that outsiders cannot join', async () => {
      const group = await alice.ok<RoomWire>('createPrivateGroup', 'ddp-closed', ['bob']);
      expect(group).toMatchObject({ t: 'p', name: 'ddp-closed', rid: group._id });
      expect((await bob.ok<Sub[]>('subscriptions/get')).map((x) => x.rid)).toContain(group.rid);
      const d = await s.ddp(dave);
      expect(await errorOf(d, 'joinRoom', group.rid)).toBe('error-room-not-found');
    });

    it('refuses a taken name, bad params, and leaving as the last owner', async () => {
      expect(await errorOf(alice, 'createChannel', 'ddp-lobby', [])).toBe('error-duplicate-channel-name');
      expect(await errorOf(alice, 'createChannel', 42, [])).toBe('error-invalid-params');
      expect(await errorOf(alice, 'createChannel', 'ddp-x', 'bob')).toBe('error-invalid-params');
      expect(await errorOf(alice, 'createChannel', 'ddp-x', [1])).toBe('error-invalid-params');
      expect(await errorOf(alice, 'createPrivateGroup', 'ddp-x', [], 'yes')).toBe('error-invalid-params');
      expect(await errorOf(alice, 'joinRoom')).toBe('error-invalid-params');
      expect(await errorOf(alice, 'leaveRoom', lobby._id)).toBe('error-you-are-last-owner');
    });
  });

  describe('createDirectMessage and addUsersToRoom', () => {
    it('opens the DM with Rocket.Chat’s id and answers {rid, t: "d", usernames}', async () => {
      const dm = await alice.ok<RoomWire>('createDirectMessage', 'bob');
      expect(dm).toMatchObject({ t: 'd', rid: dm._id });
      expect(dm.rid).toBe([s.alice.userId, s.bob.userId].sort().join(''));
      expect(dm.usernames).toEqual(expect.arrayContaining(['alice', 'bob']));
      expect((await alice.ok<RoomWire>('createDirectMessage', 'bob')).rid).toBe(dm.rid);
      expect((await bob.call('getRoomNameById', dm.rid)).result).toBeUndefined();
      expect(await errorOf(alice, 'leaveRoom', dm.rid)).toBe('error-action-not-allowed');
    });

    it('refuses unknown users and bad params', async () => {
      expect(await errorOf(alice, 'createDirectMessage', 'nobody-here')).toBe('error-invalid-user');
      expect(await errorOf(alice, 'createDirectMessage')).toBe('invalid-params');
      expect(await errorOf(alice, 'createDirectMessage', 'bob', 3)).toBe('error-invalid-params');
    });

    it('adds users to a room the caller may invite to', async () => {
      const group = await alice.ok<RoomWire>('createPrivateGroup', 'ddp-invites', []);
      expect((await alice.call('addUsersToRoom', { rid: group.rid, users: ['dave'] })).result).toBe(true);
      const d = await s.ddp(dave);
      expect((await d.ok<Sub[]>('subscriptions/get')).map((x) => x.rid)).toContain(group.rid);
      expect(await errorOf(bob, 'addUsersToRoom', { rid: group.rid, users: ['bob'] })).toBe(
        'error-room-not-found',
      );
      expect(await errorOf(alice, 'addUsersToRoom', { rid: group.rid, users: 'dave' })).toBe(
        'error-invalid-params',
      );
    });
  });

  describe('permissions/get, public-settings/get, subscriptions/get and rooms/get before login', () => {
    it('lists permissions with EJSON dates, and {update, remove} after updatedSince', async () => {
      const all =
        await alice.ok<{ _id: string; roles: string[]; _updatedAt: EjsonDate }[]>('permissions/get');
      expect(all.find((p) => p._id === 'create-c')?.roles).toContain('user');
      expect(all[0]?._updatedAt.$date).toBeTypeOf('number');
      expect(await alice.ok('permissions/get', { $date: Date.now() + 60_000 })).toEqual({
        update: [],
        remove: [],
      });
      expect(await errorOf(alice, 'permissions/get', { $date: 'soon' })).toBe('error-invalid-params');
    });

    it('serves public settings to anyone, and only those changed after updatedSince', async () => {
      const anonymous = await s.ddp();
      const settings = await anonymous.ok<{ _id: string; value: unknown }[]>('public-settings/get');
      expect(settings).toContainEqual({ _id: 'Site_Name', value: 'Parley' });
      const since = Date.now();
      await sleep(5);
      // Subscribed first, so the change is known to have reached the socket's process (with NATS,
      // another process) before asking for it.
      await anonymous.sub('stream-notify-all', 'public-settings-changed');
      await s.setSetting('Site_Name', 'Parley DDP');
      await anonymous.event('stream-notify-all', 'public-settings-changed');
      const changed = await anonymous.ok<Sync<{ _id: string; value: unknown }>>('public-settings/get', {
        $date: since,
      });
      expect(changed).toEqual({ update: [{ _id: 'Site_Name', value: 'Parley DDP' }], remove: [] });
    });

    it('answers [] to subscriptions/get and rooms/get before login, and refuses the rest', async () => {
      const anonymous = await s.ddp();
      expect((await anonymous.call('subscriptions/get')).result).toEqual([]);
      expect((await anonymous.call('rooms/get')).result).toEqual([]);
      expect(await errorOf(anonymous, 'permissions/get')).toBe('error-not-allowed');
      expect(await errorOf(anonymous, 'sendMessage', { rid: 'GENERAL', msg: 'hi' })).toBe(
        'error-not-allowed',
      );
      expect(await errorOf(anonymous, 'loadHistory', 'GENERAL')).toBe('error-not-allowed');
    });

    it('lists the holders of publicly shown roles with getUserRoles', async () => {
      const alice = await s.ddp(s.alice);
      const roles = await alice.ok<{ _id: string; username: string; roles: string[] }[]>('getUserRoles');
      expect(roles).toContainEqual({ _id: s.carol.userId, username: 'carol', roles: ['admin'] });
      expect(roles.find((r) => r._id === s.alice.userId)).toBeUndefined();
      expect(await errorOf(await s.ddp(), 'getUserRoles')).toBe('error-not-allowed');
    });
  });
});
