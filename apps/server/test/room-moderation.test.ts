import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type TestServer } from '../src/testing/create-test-server.js';

await onEachBackend('muting, read-receipt switch and bot posts to @user', (backend) => {
  let server: TestServer;
  let rid: string;
  beforeAll(async () => {
    server = await createTestServer({ backend });
    const room = await server.as(server.alice).post<{ channel: { _id: string } }>('/api/v1/channels.create', {
      name: 'moderated',
      members: ['bob'],
    });
    rid = room.body.channel._id;
  });
  afterAll(() => server.close());

  describe('POST /api/v1/rooms.muteUser and rooms.unmuteUser', () => {
    it('lets the owner mute a member, who then cannot post until unmuted', async () => {
      const muted = await server
        .as(server.alice)
        .post('/api/v1/rooms.muteUser', { roomId: rid, username: 'bob' });
      expect(muted.status).toBe(200);
      const info = await server
        .as(server.bob)
        .get<{ channel: { muted: string[] } }>('/api/v1/channels.info', { roomId: rid });
      expect(info.body.channel.muted).toEqual(['bob']);
      const post = await server
        .as(server.bob)
        .post('/api/v1/chat.sendMessage', { message: { rid, msg: 'can I talk?' } });
      expect(post.status).toBe(400);
      expect(post.body).toMatchObject({ errorType: 'error-user-muted' });
      const history = await server
        .as(server.bob)
        .get<{ messages: { t?: string; msg: string }[] }>('/api/v1/channels.history', { roomId: rid });
      expect(history.body.messages[0]).toMatchObject({ t: 'user-muted', msg: 'bob' });

      expect(
        (
          await server
            .as(server.alice)
            .post('/api/v1/rooms.unmuteUser', { roomId: rid, userId: server.bob.userId })
        ).status,
      ).toBe(200);
      expect(
        (await server.as(server.bob).post('/api/v1/chat.sendMessage', { message: { rid, msg: 'thanks' } }))
          .status,
      ).toBe(200);
    });

    it('refuses members without mute-user, non-members, repeats and bad input, changing nothing', async () => {
      const byBob = await server
        .as(server.bob)
        .post('/api/v1/rooms.muteUser', { roomId: rid, username: 'alice' });
      expect(byBob.status).toBe(403);
      expect(byBob.body).toMatchObject({ errorType: 'error-unauthorized' });
      const outsider = await server
        .as(server.alice)
        .post('/api/v1/rooms.muteUser', { roomId: rid, username: 'carol' });
      expect(outsider.body).toMatchObject({ errorType: 'error-user-not-in-room' });
      const unknown = await server
        .as(server.alice)
        .post('/api/v1/rooms.muteUser', { roomId: rid, username: 'nobody' });
      expect(unknown.body).toMatchObject({ errorType: 'error-invalid-user' });
      const notMuted = await server
        .as(server.alice)
        .post('/api/v1/rooms.unmuteUser', { roomId: rid, username: 'bob' });
      expect(notMuted.body).toMatchObject({ errorType: 'error-user-not-muted' });
      const noUser = await server.as(server.alice).post('/api/v1/rooms.muteUser', { roomId: rid });
      expect(noUser.status).toBe(400);
      const wrongType = await server
        .as(server.alice)
        .post('/api/v1/rooms.muteUser', { roomId: 42, username: 'bob' });
      expect(wrongType.body).toMatchObject({ errorType: 'invalid-params' });
      const info = await server
        .as(server.alice)
        .get<{ channel: { muted: string[] } }>('/api/v1/channels.info', { roomId: rid });
      expect(info.body.channel.muted).toEqual([]);
    });
  });

  describe('read receipts per room', () => {
    it('answer by default and stop when the owner turns them off with rooms.saveRoomSettings', async () => {
      const sent = await server
        .as(server.alice)
        .post<{ message: { _id: string } }>('/api/v1/chat.sendMessage', { message: { rid, msg: 'read me' } });
      await server.as(server.bob).post('/api/v1/subscriptions.read', { rid });
      const receipts = await server
        .as(server.alice)
        .get<{ receipts: { userId: string }[] }>('/api/v1/chat.getMessageReadReceipts', {
          messageId: sent.body.message._id,
        });
      expect(receipts.status).toBe(200);
      expect(receipts.body.receipts.map((r) => r.userId)).toEqual([server.bob.userId]);

      const off = await server
        .as(server.alice)
        .post('/api/v1/rooms.saveRoomSettings', { rid, readReceipts: false });
      expect(off.status).toBe(200);
      const refused = await server
        .as(server.alice)
        .get('/api/v1/chat.getMessageReadReceipts', { messageId: sent.body.message._id });
      expect(refused.status).toBe(400);
      const byMember = await server
        .as(server.bob)
        .post('/api/v1/rooms.saveRoomSettings', { rid, readReceipts: true });
      expect(byMember.status).toBe(403);
    });
  });

  describe('POST /api/v1/chat.postMessage to @username', () => {
    it('posts into the direct message with that user, creating it once', async () => {
      const first = await server
        .as(server.alice)
        .post<{ message: { rid: string } }>('/api/v1/chat.postMessage', { channel: '@bob', text: 'psst' });
      expect(first.status).toBe(200);
      const second = await server
        .as(server.alice)
        .post<{ message: { rid: string } }>('/api/v1/chat.postMessage', { channel: '@bob', text: 'again' });
      expect(second.body.message.rid).toBe(first.body.message.rid);
      const history = await server
        .as(server.bob)
        .get<{ messages: { msg: string }[] }>('/api/v1/im.history', { roomId: first.body.message.rid });
      expect(history.body.messages.map((m) => m.msg)).toEqual(['again', 'psst']);
      const nobody = await server
        .as(server.alice)
        .post('/api/v1/chat.postMessage', { channel: '@nobody', text: 'hello?' });
      expect(nobody.status).toBe(400);
    });
  });
});
