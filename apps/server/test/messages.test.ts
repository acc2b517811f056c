import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomId } from '../src/domain/shared/ids.js';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type Session, type TestServer } from '../src/testing/create-test-server.js';

type Body = Record<string, unknown>;
interface Msg {
  _id: string;
  rid: string;
  msg: string;
  t?: string;
  tcount?: number;
  mentions: { username: string }[];
  md: Body[];
  attachments?: Body[];
  reactions?: Record<string, { usernames: string[]; names: string[] }>;
  editedAt?: string;
  editedBy?: { _id: string; username: string };
  pinned?: boolean;
  pinnedBy?: { username: string };
}
interface Page {
  messages: Msg[];
  count: number;
  offset: number;
  total: number;
}

await onEachBackend('messages: edit, delete, react, pin, star, sync, read receipts, quotes', (backend) => {
  let server: TestServer;
  let skewMs = 0;
  /** alice's public channel (she owns it), with bob as a member. */
  let rid: string;
  /** alice's private group with carol; bob is not in it. */
  let gid: string;
  /** dave is no member of alice's channel. */
  let dave: Session;

  beforeAll(async () => {
    server = await createTestServer({ backend, clock: { now: () => Date.now() + skewMs } });
    const channel = await server
      .as(server.alice)
      .post<{ channel: { _id: string } }>('/api/v1/channels.create', { name: 'messages', members: ['bob'] });
    rid = channel.body.channel._id;
    const group = await server
      .as(server.alice)
      .post<{ group: { _id: string } }>('/api/v1/groups.create', { name: 'secret', members: ['carol'] });
    gid = group.body.group._id;
    dave = await server.makeUser('dave');
  });
  afterAll(() => server.close());

  const send = async (who: Session, msg: string, room = rid, extra: Body = {}): Promise<Msg> => {
    const reply = await server
      .as(who)
      .post<{ message: Msg }>('/api/v1/chat.sendMessage', { message: { rid: room, msg, ...extra } });
    expect(reply.status, reply.raw).toBe(200);
    return reply.body.message;
  };
  const fetchMessage = async (id: string): Promise<Msg> => {
    const reply = await server
      .as(server.alice)
      .get<{ message: Msg }>('/api/v1/chat.getMessage', { msgId: id });
    expect(reply.status, reply.raw).toBe(200);
    return reply.body.message;
  };
  const withSetting = async (id: string, value: unknown, before: unknown, work: () => Promise<void>) => {
    await server.setSetting(id, value);
    try {
      await work();
    } finally {
      await server.setSetting(id, before);
    }
  };
  const patchRoom = async (
    room: string,
    patch: Parameters<TestServer['parley']['store']['rooms']['update']>[1],
  ) => server.parley.store.rooms.update(room as RoomId, patch, Date.now());

  describe('POST /api/v1/chat.update', () => {
    it('edits the caller’s own message, records who edited it and parses the text again', async () => {
      const original = await send(server.alice, 'first draft');
      const reply = await server.as(server.alice).post<{ message: Msg }>('/api/v1/chat.update', {
        roomId: rid,
        msgId: original._id,
        text: 'Now with **bold** and @bob',
      });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.message).toMatchObject({
        _id: original._id,
        msg: 'Now with **bold** and @bob',
        editedBy: { _id: server.alice.userId, username: 'alice' },
      });
      expect(reply.body.message.editedAt).toEqual(expect.any(String));
      expect(reply.body.message.mentions.map((m) => m.username)).toEqual(['bob']);
      expect(JSON.stringify(reply.body.message.md)).toContain('"BOLD"');
      expect((await fetchMessage(original._id)).msg).toBe('Now with **bold** and @bob');
    });

    it('refuses to edit another user’s message with 403 and changes nothing', async () => {
      const original = await send(server.alice, 'mine');
      const reply = await server
        .as(server.bob)
        .post('/api/v1/chat.update', { roomId: rid, msgId: original._id, text: 'hijacked' });
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ success: false, errorType: 'error-unauthorized' });
      expect((await fetchMessage(original._id)).msg).toBe('mine');
    });

    it('lets the room owner edit others’ messages through `edit-message`', async () => {
      const original = await send(server.bob, 'tpyo');
      const reply = await server
        .as(server.alice)
        .post<{ message: Msg }>('/api/v1/chat.update', { roomId: rid, msgId: original._id, text: 'typo' });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.message.editedBy?.username).toBe('alice');
    });

    it('refuses own edits when Message_AllowEditing is off', async () => {
      const original = await send(server.bob, 'locked');
      await withSetting('Message_AllowEditing', false, true, async () => {
        const reply = await server
          .as(server.bob)
          .post('/api/v1/chat.update', { roomId: rid, msgId: original._id, text: 'changed' });
        expect(reply.status).toBe(400);
        expect(reply.body).toMatchObject({ errorType: 'error-action-not-allowed' });
      });
      expect((await fetchMessage(original._id)).msg).toBe('locked');
    });

    it('refuses edits after Message_AllowEditing_BlockEditInMinutes', async () => {
      const original = await send(server.bob, 'old news');
      await withSetting('Message_AllowEditing_BlockEditInMinutes', 1, 0, async () => {
        skewMs = 2 * 60_000;
        try {
          const reply = await server
            .as(server.bob)
            .post('/api/v1/chat.update', { roomId: rid, msgId: original._id, text: 'new news' });
          expect(reply.status).toBe(400);
          expect(reply.body).toMatchObject({ errorType: 'error-message-editing-blocked' });
        } finally {
          skewMs = 0;
        }
      });
    });

    it('refuses a roomId that is not the message’s room, system messages, and deleted messages', async () => {
      const original = await send(server.alice, 'here');
      const mismatch = await server
        .as(server.alice)
        .post('/api/v1/chat.update', { roomId: 'GENERAL', msgId: original._id, text: 'x' });
      expect(mismatch.status).toBe(400);
      expect(mismatch.body).toMatchObject({ errorType: 'error-invalid-room' });

      const notice = await server
        .as(server.alice)
        .post<{ message: Msg }>('/api/v1/chat.pinMessage', { messageId: original._id });
      expect(notice.body.message.t).toBe('message_pinned');
      const systemEdit = await server
        .as(server.alice)
        .post('/api/v1/chat.update', { roomId: rid, msgId: notice.body.message._id, text: 'x' });
      expect(systemEdit.body).toMatchObject({ errorType: 'error-action-not-allowed' });

      await server.as(server.alice).post('/api/v1/chat.delete', { roomId: rid, msgId: original._id });
      const deleted = await server
        .as(server.alice)
        .post('/api/v1/chat.update', { roomId: rid, msgId: original._id, text: 'x' });
      expect(deleted.body).toMatchObject({ errorType: 'error-message-not-found' });
    });

    it('hides messages of rooms the caller cannot read, and refuses archived rooms', async () => {
      const secret = await send(server.alice, 'for carol only', gid);
      const peek = await server
        .as(server.bob)
        .post('/api/v1/chat.update', { roomId: gid, msgId: secret._id, text: 'x' });
      const missing = await server
        .as(server.bob)
        .post('/api/v1/chat.update', { roomId: gid, msgId: 'doesNotExist12345', text: 'x' });
      expect(peek.status).toBe(400);
      expect(peek.body).toEqual(missing.body);
      expect(peek.body).toMatchObject({ errorType: 'error-message-not-found' });

      await patchRoom(gid, { archived: true });
      try {
        const archived = await server
          .as(server.alice)
          .post('/api/v1/chat.update', { roomId: gid, msgId: secret._id, text: 'x' });
        expect(archived.body).toMatchObject({ errorType: 'error-room-archived' });
      } finally {
        await patchRoom(gid, { archived: false });
      }
    });

    it('rejects a body without text with 400', async () => {
      const original = await send(server.alice, 'y');
      const reply = await server
        .as(server.alice)
        .post('/api/v1/chat.update', { roomId: rid, msgId: original._id });
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ success: false });
    });
  });

  describe('POST /api/v1/chat.delete', () => {
    it('deletes the caller’s message and keeps a tombstone for sync', async () => {
      const since = new Date(Date.now() - 1).toISOString();
      const original = await send(server.bob, 'regrettable');
      const reply = await server
        .as(server.bob)
        .post<{ _id: string; ts: string; message: Body }>('/api/v1/chat.delete', {
          roomId: rid,
          msgId: original._id,
        });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body).toMatchObject({
        _id: original._id,
        message: { _id: original._id, rid, u: { _id: server.bob.userId, username: 'bob' } },
      });
      expect(Number(reply.body.ts)).toBeGreaterThan(0);

      const gone = await server.as(server.bob).get('/api/v1/chat.getMessage', { msgId: original._id });
      expect(gone.body).toMatchObject({ errorType: 'error-message-not-found' });
      const deleted = await server
        .as(server.alice)
        .get<{ messages: { _id: string }[]; total: number }>('/api/v1/chat.getDeletedMessages', {
          roomId: rid,
          since,
        });
      expect(deleted.body.messages).toContainEqual({ _id: original._id });
      const sync = await server
        .as(server.alice)
        .get<{ result: { updated: Msg[]; deleted: { _id: string; _deletedAt: string }[] } }>(
          '/api/v1/chat.syncMessages',
          { roomId: rid, lastUpdate: since },
        );
      expect(sync.body.result.deleted.map((d) => d._id)).toContain(original._id);
      expect(sync.body.result.updated.map((m) => m._id)).not.toContain(original._id);
    });

    it('refuses to delete another user’s message with 403 and keeps it', async () => {
      const original = await send(server.alice, 'keep me');
      const reply = await server
        .as(server.bob)
        .post('/api/v1/chat.delete', { roomId: rid, msgId: original._id });
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ errorType: 'error-unauthorized' });
      expect((await fetchMessage(original._id)).msg).toBe('keep me');
    });

    it('lets the room owner delete others’ messages', async () => {
      const original = await send(server.bob, 'spam');
      const reply = await server
        .as(server.alice)
        .post('/api/v1/chat.delete', { roomId: rid, msgId: original._id });
      expect(reply.status, reply.raw).toBe(200);
    });

    it('refuses own deletes when Message_AllowDeleting is off, or after the time limit', async () => {
      const original = await send(server.bob, 'stays');
      await withSetting('Message_AllowDeleting', false, true, async () => {
        const reply = await server
          .as(server.bob)
          .post('/api/v1/chat.delete', { roomId: rid, msgId: original._id });
        expect(reply.status).toBe(400);
        expect(reply.body).toMatchObject({ errorType: 'error-action-not-allowed' });
      });
      await withSetting('Message_AllowDeleting_BlockDeleteInMinutes', 1, 0, async () => {
        skewMs = 2 * 60_000;
        try {
          const reply = await server
            .as(server.bob)
            .post('/api/v1/chat.delete', { roomId: rid, msgId: original._id });
          expect(reply.body).toMatchObject({ errorType: 'error-message-deleting-blocked' });
        } finally {
          skewMs = 0;
        }
      });
      expect((await fetchMessage(original._id)).msg).toBe('stays');
    });

    it('uncounts a deleted thread reply from its parent', async () => {
      const parent = await send(server.alice, 'thread start');
      const first = await send(server.bob, 'reply one', rid, { tmid: parent._id });
      await send(server.bob, 'reply two', rid, { tmid: parent._id });
      expect((await fetchMessage(parent._id)).tcount).toBe(2);
      await server.as(server.bob).post('/api/v1/chat.delete', { roomId: rid, msgId: first._id });
      expect((await fetchMessage(parent._id)).tcount).toBe(1);
    });

    it('refuses a mismatched roomId and a missing msgId with 400', async () => {
      const original = await send(server.bob, 'where am I');
      const mismatch = await server
        .as(server.bob)
        .post('/api/v1/chat.delete', { roomId: 'GENERAL', msgId: original._id });
      expect(mismatch.body).toMatchObject({ errorType: 'error-invalid-room' });
      const bad = await server.as(server.bob).post('/api/v1/chat.delete', { roomId: rid });
      expect(bad.status).toBe(400);
      expect((await fetchMessage(original._id)).msg).toBe('where am I');
    });
  });

  describe('POST /api/v1/chat.react', () => {
    it('adds, keeps and removes reactions with usernames and names, toggling without shouldReact', async () => {
      const message = await send(server.alice, 'react to me');
      const react = (who: Session, body: Body) =>
        server.as(who).post('/api/v1/chat.react', { messageId: message._id, ...body });

      expect((await react(server.bob, { emoji: 'smile' })).status).toBe(200);
      expect((await react(server.alice, { emoji: ':smile:', shouldReact: true })).status).toBe(200);
      expect((await react(server.alice, { reaction: ':smile:', shouldReact: true })).status).toBe(200);
      expect((await fetchMessage(message._id)).reactions).toEqual({
        ':smile:': { usernames: ['bob', 'alice'], names: ['Bob', 'Alice'] },
      });

      await react(server.bob, { emoji: ':smile:' }); // toggles off
      expect((await fetchMessage(message._id)).reactions).toEqual({
        ':smile:': { usernames: ['alice'], names: ['Alice'] },
      });
      await react(server.alice, { emoji: 'smile', shouldReact: false });
      expect((await fetchMessage(message._id)).reactions).toBeUndefined();
    });

    it('refuses an invalid emoji with 400', async () => {
      const message = await send(server.alice, 'no weird emoji');
      for (const emoji of ['Smile', ':a b:', '<script>', 'x'.repeat(65)]) {
        const reply = await server
          .as(server.bob)
          .post('/api/v1/chat.react', { messageId: message._id, emoji });
        expect(reply.status, emoji).toBe(400);
      }
      const missing = await server.as(server.bob).post('/api/v1/chat.react', { messageId: message._id });
      expect(missing.status).toBe(400);
      expect((await fetchMessage(message._id)).reactions).toBeUndefined();
    });

    it('hides unreadable messages and refuses muted users', async () => {
      const secret = await send(server.alice, 'hidden', gid);
      const peek = await server
        .as(server.bob)
        .post('/api/v1/chat.react', { messageId: secret._id, emoji: 'eyes' });
      expect(peek.body).toMatchObject({ errorType: 'error-message-not-found' });

      const message = await send(server.alice, 'quiet please');
      await patchRoom(rid, { muted: ['bob'] });
      try {
        const muted = await server
          .as(server.bob)
          .post('/api/v1/chat.react', { messageId: message._id, emoji: 'eyes' });
        expect(muted.body).toMatchObject({ errorType: 'error-user-muted' });
      } finally {
        await patchRoom(rid, { muted: [] });
      }
      expect((await fetchMessage(message._id)).reactions).toBeUndefined();
    });
  });

  describe('POST /api/v1/chat.pinMessage and chat.unPinMessage', () => {
    it('pins with a `message_pinned` notice quoting the message, lists it, and unpins', async () => {
      const message = await send(server.bob, 'pin-worthy');
      const reply = await server
        .as(server.alice)
        .post<{ message: Msg }>('/api/v1/chat.pinMessage', { messageId: message._id });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.message).toMatchObject({ t: 'message_pinned', rid, u: { username: 'alice' } });
      expect(reply.body.message.attachments?.[0]).toMatchObject({
        text: 'pin-worthy',
        author_name: 'bob',
        author_icon: '/avatar/bob',
      });
      expect(await fetchMessage(message._id)).toMatchObject({
        pinned: true,
        pinnedBy: { username: 'alice' },
      });

      const pinned = await server.as(server.bob).get<Page>('/api/v1/chat.getPinnedMessages', { roomId: rid });
      expect(pinned.status).toBe(200);
      expect(pinned.body).toMatchObject({ count: 1, offset: 0, total: 1 });
      expect(pinned.body.messages[0]?._id).toBe(message._id);

      const unpin = await server
        .as(server.alice)
        .post('/api/v1/chat.unPinMessage', { messageId: message._id });
      expect(unpin.status).toBe(200);
      const after = await server.as(server.bob).get<Page>('/api/v1/chat.getPinnedMessages', { roomId: rid });
      expect(after.body.total).toBe(0);
    });

    it('refuses members without `pin-message` with 403', async () => {
      const message = await send(server.bob, 'not pinnable by bob');
      const reply = await server.as(server.bob).post('/api/v1/chat.pinMessage', { messageId: message._id });
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ errorType: 'error-unauthorized' });
      expect((await fetchMessage(message._id)).pinned).toBeUndefined();
    });

    it('refuses when Message_AllowPinning is off, and hides unreadable messages', async () => {
      const message = await send(server.bob, 'no pins today');
      await withSetting('Message_AllowPinning', false, true, async () => {
        const reply = await server
          .as(server.alice)
          .post('/api/v1/chat.pinMessage', { messageId: message._id });
        expect(reply.body).toMatchObject({ errorType: 'error-action-not-allowed' });
      });
      const secret = await send(server.alice, 'hidden pin', gid);
      const peek = await server.as(server.bob).post('/api/v1/chat.pinMessage', { messageId: secret._id });
      expect(peek.body).toMatchObject({ errorType: 'error-message-not-found' });
      const pinned = await server.as(server.bob).get('/api/v1/chat.getPinnedMessages', { roomId: gid });
      expect(pinned.body).toMatchObject({ errorType: 'error-room-not-found' });
    });
  });

  describe('POST /api/v1/chat.starMessage and chat.unStarMessage', () => {
    it('stars for the caller only, lists them, and unstars', async () => {
      const message = await send(server.alice, 'star me');
      expect(
        (await server.as(server.bob).post('/api/v1/chat.starMessage', { messageId: message._id })).status,
      ).toBe(200);
      const bobs = await server.as(server.bob).get<Page>('/api/v1/chat.getStarredMessages', { roomId: rid });
      expect(bobs.body.messages.map((m) => m._id)).toEqual([message._id]);
      const alices = await server
        .as(server.alice)
        .get<Page>('/api/v1/chat.getStarredMessages', { roomId: rid });
      expect(alices.body.total).toBe(0);

      await server.as(server.bob).post('/api/v1/chat.unStarMessage', { messageId: message._id });
      const after = await server.as(server.bob).get<Page>('/api/v1/chat.getStarredMessages', { roomId: rid });
      expect(after.body.total).toBe(0);
    });

    it('refuses non-members with 403 and refuses when Message_AllowStarring is off', async () => {
      const message = await send(server.alice, 'members only');
      const outsider = await server.as(dave).post('/api/v1/chat.starMessage', { messageId: message._id });
      expect(outsider.status).toBe(403);
      expect(outsider.body).toMatchObject({ errorType: 'error-not-allowed' });
      await withSetting('Message_AllowStarring', false, true, async () => {
        const reply = await server
          .as(server.bob)
          .post('/api/v1/chat.starMessage', { messageId: message._id });
        expect(reply.body).toMatchObject({ errorType: 'error-action-not-allowed' });
      });
      const bobs = await server.as(server.bob).get<Page>('/api/v1/chat.getStarredMessages', { roomId: rid });
      expect(bobs.body.total).toBe(0);
    });
  });

  describe('GET /api/v1/chat.getMentionedMessages', () => {
    it('lists the messages mentioning the caller, newest first, paged', async () => {
      const first = await send(server.alice, 'ping @dave? no, @bob');
      const second = await send(server.alice, '@bob again');
      const reply = await server
        .as(server.bob)
        .get<Page>('/api/v1/chat.getMentionedMessages', { roomId: rid, count: '1' });
      expect(reply.status).toBe(200);
      expect(reply.body.count).toBe(1);
      expect(reply.body.total).toBeGreaterThanOrEqual(2);
      expect(reply.body.messages[0]?._id).toBe(second._id);
      const oldest = await server
        .as(server.bob)
        .get<Page>('/api/v1/chat.getMentionedMessages', { roomId: rid, sort: '{"ts":1}', count: '100' });
      const ids = oldest.body.messages.map((m) => m._id);
      expect(ids.indexOf(first._id)).toBeLessThan(ids.indexOf(second._id));
      const alices = await server
        .as(server.alice)
        .get<Page>('/api/v1/chat.getMentionedMessages', { roomId: rid });
      expect(alices.body.messages.map((m) => m._id)).not.toContain(second._id);
    });

    it('refuses a missing roomId and a bad sort with 400', async () => {
      expect((await server.as(server.bob).get('/api/v1/chat.getMentionedMessages')).status).toBe(400);
      const sort = await server
        .as(server.bob)
        .get('/api/v1/chat.getMentionedMessages', { roomId: rid, sort: '{"msg":1}' });
      expect(sort.body).toMatchObject({ errorType: 'error-invalid-sort' });
    });
  });

  describe('GET /api/v1/chat.syncMessages and chat.getDeletedMessages', () => {
    it('reports edits as updated', async () => {
      const message = await send(server.alice, 'v1');
      const since = new Date(Date.now() + 1).toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await server
        .as(server.alice)
        .post('/api/v1/chat.update', { roomId: rid, msgId: message._id, text: 'v2' });
      const sync = await server
        .as(server.bob)
        .get<{ result: { updated: Msg[] } }>('/api/v1/chat.syncMessages', { roomId: rid, lastUpdate: since });
      expect(sync.status, sync.raw).toBe(200);
      expect(sync.body.result.updated.map((m) => m.msg)).toEqual(['v2']);
    });

    it('refuses bad dates with 400 and unreadable rooms as not found', async () => {
      const noDate = await server.as(server.bob).get('/api/v1/chat.syncMessages', { roomId: rid });
      expect(noDate.body).toMatchObject({ errorType: 'error-lastUpdate-param-invalid' });
      const badDate = await server
        .as(server.bob)
        .get('/api/v1/chat.getDeletedMessages', { roomId: rid, since: 'yesterday' });
      expect(badDate.status).toBe(400);
      const hidden = await server
        .as(server.bob)
        .get('/api/v1/chat.syncMessages', { roomId: gid, lastUpdate: new Date(0).toISOString() });
      expect(hidden.body).toMatchObject({ errorType: 'error-room-not-found' });
    });
  });

  describe('GET /api/v1/chat.getMessageReadReceipts', () => {
    it('lists the members who read the room after the message, without its author', async () => {
      const message = await send(server.alice, 'did you read this?');
      await server.as(server.bob).post('/api/v1/subscriptions.read', { rid });
      const reply = await server
        .as(server.alice)
        .get<{ receipts: Body[] }>('/api/v1/chat.getMessageReadReceipts', { messageId: message._id });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.receipts).toEqual([
        {
          _id: expect.any(String) as string,
          roomId: rid,
          userId: server.bob.userId,
          messageId: message._id,
          ts: expect.any(String) as string,
          user: { _id: server.bob.userId, username: 'bob', name: 'Bob' },
        },
      ]);
    });

    it('is refused when read receipts are off, globally or in the room, and hides unreadable messages', async () => {
      const message = await send(server.alice, 'receipts?');
      await withSetting('Message_Read_Receipt_Enabled', false, true, async () => {
        const reply = await server
          .as(server.alice)
          .get('/api/v1/chat.getMessageReadReceipts', { messageId: message._id });
        expect(reply.body).toMatchObject({ errorType: 'error-action-not-allowed' });
      });
      await patchRoom(rid, { readReceipts: false });
      try {
        const reply = await server
          .as(server.alice)
          .get('/api/v1/chat.getMessageReadReceipts', { messageId: message._id });
        expect(reply.body).toMatchObject({ errorType: 'error-action-not-allowed' });
      } finally {
        await patchRoom(rid, { readReceipts: true });
      }
      const secret = await send(server.alice, 'no receipts for bob', gid);
      const peek = await server
        .as(server.bob)
        .get('/api/v1/chat.getMessageReadReceipts', { messageId: secret._id });
      expect(peek.body).toMatchObject({ errorType: 'error-message-not-found' });
    });
  });

  describe('a read-only room', () => {
    it('takes posts and reactions from the owner through room roles, and refuses bob', async () => {
      await patchRoom(rid, { readOnly: true });
      try {
        // The owner's `post-readonly` comes from her room role, looked up outside the transaction.
        const posted = await send(server.alice, 'announcement');
        const ownerReacts = await server
          .as(server.alice)
          .post('/api/v1/chat.react', { messageId: posted._id, emoji: 'tada' });
        expect(ownerReacts.status, ownerReacts.raw).toBe(200);
        const bobReacts = await server
          .as(server.bob)
          .post('/api/v1/chat.react', { messageId: posted._id, emoji: 'tada' });
        expect(bobReacts.body).toMatchObject({ errorType: 'error-room-read-only' });
        const bobPosts = await server
          .as(server.bob)
          .post('/api/v1/chat.sendMessage', { message: { rid, msg: 'me too' } });
        expect(bobPosts.body).toMatchObject({ errorType: 'error-room-read-only' });
      } finally {
        await patchRoom(rid, { readOnly: false });
      }
    });
  });

  describe('quotes in POST /api/v1/chat.sendMessage', () => {
    it('quotes a linked message the sender may read, from any host', async () => {
      const quoted = await send(server.alice, 'quote **me**');
      const link = `http://parley.test/channel/messages?msg=${quoted._id}`;
      const reply = await send(server.bob, `As said: ${link}`);
      expect(reply.attachments).toEqual([
        {
          text: 'quote **me**',
          author_name: 'alice',
          author_icon: '/avatar/alice',
          message_link: link,
          ts: expect.any(String) as string,
          md: expect.any(Array) as unknown[],
        },
      ]);
      const elsewhere = await send(server.bob, `https://chat.example.com/group/x?msg=${quoted._id} again`);
      expect(elsewhere.attachments?.[0]).toMatchObject({ text: 'quote **me**' });
    });

    it('ignores links to messages the sender cannot read or that do not exist', async () => {
      const secret = await send(server.alice, 'private words', gid);
      const reply = await send(
        server.bob,
        `http://parley.test/group/secret?msg=${secret._id} http://parley.test/x?msg=doesNotExist12345`,
      );
      expect(reply.attachments).toBeUndefined();
    });
  });
});
