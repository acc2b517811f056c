import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type Session, type TestServer } from '../src/testing/create-test-server.js';

interface Msg {
  _id: string;
  msg: string;
  tmid?: string;
  tcount?: number;
  replies?: string[];
}
interface Threads {
  threads: Msg[];
  count: number;
  offset: number;
  total: number;
}

await onEachBackend('threads: list, replies, sync, follow', (backend) => {
  let server: TestServer;
  /** alice's channel with bob; dave reads it without joining. */
  let rid: string;
  /** alice's private group; bob is not in it. */
  let gid: string;
  let dave: Session;
  /** Threads started in `rid`: design (bob replied), release (alice replied to herself). */
  let design: Msg;
  let release: Msg;

  beforeAll(async () => {
    server = await createTestServer({ backend });
    const channel = await server
      .as(server.alice)
      .post<{ channel: { _id: string } }>('/api/v1/channels.create', { name: 'threads', members: ['bob'] });
    rid = channel.body.channel._id;
    const group = await server
      .as(server.alice)
      .post<{ group: { _id: string } }>('/api/v1/groups.create', { name: 'hidden-threads', members: [] });
    gid = group.body.group._id;
    dave = await server.makeUser('dave');

    design = await send(server.alice, 'Design review');
    release = await send(server.alice, 'Release plan');
    await send(server.alice, 'Not a thread');
    await send(server.bob, 'first reply', { tmid: design._id });
    await send(server.alice, 'note to self', { tmid: release._id });
    await send(server.bob, 'second reply', { tmid: design._id });
  });
  afterAll(() => server.close());

  async function send(who: Session, msg: string, extra: Record<string, unknown> = {}, room?: string) {
    const reply = await server
      .as(who)
      .post<{ message: Msg }>('/api/v1/chat.sendMessage', { message: { rid: room ?? rid, msg, ...extra } });
    expect(reply.status, reply.raw).toBe(200);
    return reply.body.message;
  }
  const threads = (who: Session, query: Record<string, string> = {}) =>
    server.as(who).get<Threads>('/api/v1/chat.getThreadsList', { rid, ...query });

  describe('GET /api/v1/chat.getThreadsList', () => {
    it('lists the room’s threads, most recent reply first, paged', async () => {
      const all = await threads(server.bob);
      expect(all.status, all.raw).toBe(200);
      expect(all.body).toMatchObject({ count: 2, offset: 0, total: 2 });
      expect(all.body.threads.map((t) => t.msg)).toEqual(['Design review', 'Release plan']);
      expect(all.body.threads[0]).toMatchObject({ tcount: 2 });
      const second = await threads(server.bob, { count: '1', offset: '1' });
      expect(second.body).toMatchObject({ count: 1, offset: 1, total: 2 });
      expect(second.body.threads[0]?.msg).toBe('Release plan');
    });

    it('filters by following, unread and text', async () => {
      const following = await threads(server.bob, { type: 'following' });
      expect(following.body.threads.map((t) => t.msg)).toEqual(['Design review']);
      // alice started both; bob's replies to Design review are unread for her.
      const unread = await threads(server.alice, { type: 'unread' });
      expect(unread.body.threads.map((t) => t.msg)).toEqual(['Design review']);
      const text = await threads(server.bob, { text: 'RELEASE' });
      expect(text.body.threads.map((t) => t.msg)).toEqual(['Release plan']);
      const percent = await threads(server.bob, { text: '%' });
      expect(percent.body.total).toBe(0);
    });

    it('refuses a bad type with 400 and hides rooms the caller cannot read', async () => {
      const bad = await threads(server.bob, { type: 'mine' });
      expect(bad.status).toBe(400);
      const missing = await server.as(server.bob).get('/api/v1/chat.getThreadsList');
      expect(missing.status).toBe(400);
      const hidden = await server.as(server.bob).get('/api/v1/chat.getThreadsList', { rid: gid });
      expect(hidden.body).toMatchObject({ errorType: 'error-room-not-found' });
    });

    it('is refused when Threads_enabled is off', async () => {
      await server.setSetting('Threads_enabled', false);
      try {
        const reply = await threads(server.bob);
        expect(reply.status).toBe(403);
        expect(reply.body).toMatchObject({ errorType: 'error-not-allowed' });
      } finally {
        await server.setSetting('Threads_enabled', true);
      }
    });
  });

  describe('GET /api/v1/chat.getThreadMessages', () => {
    it('lists a thread’s replies oldest first, without the parent', async () => {
      const reply = await server
        .as(dave)
        .get<{ messages: Msg[]; total: number }>('/api/v1/chat.getThreadMessages', { tmid: design._id });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.messages.map((m) => m.msg)).toEqual(['first reply', 'second reply']);
      expect(reply.body.total).toBe(2);
    });

    it('hides threads of rooms the caller cannot read, and refuses a missing tmid', async () => {
      const secret = await send(server.alice, 'private thread', {}, gid);
      const peek = await server.as(server.bob).get('/api/v1/chat.getThreadMessages', { tmid: secret._id });
      const missing = await server
        .as(server.bob)
        .get('/api/v1/chat.getThreadMessages', { tmid: 'doesNotExist12345' });
      expect(peek.body).toEqual(missing.body);
      expect(peek.body).toMatchObject({ errorType: 'error-message-not-found' });
      expect((await server.as(server.bob).get('/api/v1/chat.getThreadMessages')).status).toBe(400);
    });
  });

  describe('GET /api/v1/chat.syncThreadMessages', () => {
    it('reports replies changed and deleted since a time', async () => {
      const parent = await send(server.alice, 'Sync me');
      const edited = await send(server.bob, 'edit me', { tmid: parent._id });
      const deleted = await send(server.bob, 'delete me', { tmid: parent._id });
      const since = new Date(Date.now() + 1).toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await server
        .as(server.bob)
        .post('/api/v1/chat.update', { roomId: rid, msgId: edited._id, text: 'edited' });
      await server.as(server.bob).post('/api/v1/chat.delete', { roomId: rid, msgId: deleted._id });

      const reply = await server
        .as(server.alice)
        .get<{ messages: { update: Msg[]; remove: Msg[] } }>('/api/v1/chat.syncThreadMessages', {
          tmid: parent._id,
          updatedSince: since,
        });
      expect(reply.status, reply.raw).toBe(200);
      expect(reply.body.messages.update.map((m) => m.msg)).toEqual(['edited']);
      expect(reply.body.messages.remove.map((m) => m._id)).toEqual([deleted._id]);
    });

    it('refuses a missing or invalid updatedSince with 400', async () => {
      const none = await server.as(server.alice).get('/api/v1/chat.syncThreadMessages', { tmid: design._id });
      expect(none.status).toBe(400);
      const bad = await server
        .as(server.alice)
        .get('/api/v1/chat.syncThreadMessages', { tmid: design._id, updatedSince: 'soon' });
      expect(bad.body).toMatchObject({ errorType: 'error-updatedSince-param-invalid' });
    });
  });

  describe('POST /api/v1/chat.followMessage and chat.unfollowMessage', () => {
    it('adds and removes the caller from the thread’s followers, through a reply too', async () => {
      const follow = await server.as(dave).post('/api/v1/chat.followMessage', { mid: release._id });
      expect(follow.status, follow.raw).toBe(200);
      const following = await threads(dave, { type: 'following' });
      expect(following.body.threads.map((t) => t.msg)).toEqual(['Release plan']);

      const replies = await server
        .as(dave)
        .get<{ messages: Msg[] }>('/api/v1/chat.getThreadMessages', { tmid: release._id });
      const reply = replies.body.messages[0];
      const unfollow = await server.as(dave).post('/api/v1/chat.unfollowMessage', { mid: reply?._id });
      expect(unfollow.status, unfollow.raw).toBe(200);
      expect((await threads(dave, { type: 'following' })).body.total).toBe(0);
    });

    it('clears the thread from the caller’s unread threads on unfollow', async () => {
      const before = await threads(server.alice, { type: 'unread' });
      expect(before.body.threads.map((t) => t._id)).toContain(design._id);
      await server.as(server.alice).post('/api/v1/chat.unfollowMessage', { mid: design._id });
      const after = await threads(server.alice, { type: 'unread' });
      expect(after.body.threads.map((t) => t._id)).not.toContain(design._id);
      expect(after.body.total).toBe(before.body.total - 1);
      const parent = await server
        .as(server.alice)
        .get<{ message: Msg }>('/api/v1/chat.getMessage', { msgId: design._id });
      expect(parent.body.message.replies).not.toContain(server.alice.userId);
    });

    it('refuses a missing mid with 400 and hides unreadable messages', async () => {
      expect((await server.as(server.bob).post('/api/v1/chat.followMessage', {})).status).toBe(400);
      const secret = await send(server.alice, 'follow me not', {}, gid);
      const peek = await server.as(server.bob).post('/api/v1/chat.followMessage', { mid: secret._id });
      expect(peek.body).toMatchObject({ errorType: 'error-message-not-found' });
    });
  });
});
