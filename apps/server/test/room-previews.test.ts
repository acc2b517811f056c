import { afterAll, beforeAll, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type TestServer } from '../src/testing/create-test-server.js';

interface RoomItem {
  _id: string;
  lastMessage?: { _id: string; msg: string };
  lm?: string;
}

await onEachBackend('room lists carry the last message', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ backend });
  });
  afterAll(() => server.close());

  it('rooms.get, channels.list.joined and im.list show each room’s last message, for the sidebar', async () => {
    const room = await server
      .as(server.alice)
      .post<{ channel: { _id: string } }>('/api/v1/channels.create', { name: 'previews', members: ['bob'] });
    const rid = room.body.channel._id;
    await server.as(server.alice).post('/api/v1/chat.sendMessage', { message: { rid, msg: 'first' } });
    const last = await server
      .as(server.bob)
      .post<{ message: { _id: string } }>('/api/v1/chat.sendMessage', { message: { rid, msg: 'latest' } });

    const rooms = await server.as(server.alice).get<{ update: RoomItem[] }>('/api/v1/rooms.get');
    expect(rooms.body.update.find((r) => r._id === rid)?.lastMessage).toMatchObject({
      _id: last.body.message._id,
      msg: 'latest',
    });
    const joined = await server.as(server.bob).get<{ channels: RoomItem[] }>('/api/v1/channels.list.joined');
    expect(joined.body.channels.find((r) => r._id === rid)?.lastMessage?.msg).toBe('latest');

    const dm = await server.as(server.alice).post<{ message: { rid: string } }>('/api/v1/chat.postMessage', {
      channel: '@bob',
      text: 'dm preview',
    });
    const ims = await server.as(server.bob).get<{ ims: RoomItem[] }>('/api/v1/im.list');
    expect(ims.body.ims.find((r) => r._id === dm.body.message.rid)?.lastMessage?.msg).toBe('dm preview');
  });

  it('deleting the last message moves the preview back to the message before it', async () => {
    const room = await server
      .as(server.alice)
      .post<{ channel: { _id: string } }>('/api/v1/channels.create', { name: 'undo' });
    const rid = room.body.channel._id;
    await server.as(server.alice).post('/api/v1/chat.sendMessage', { message: { rid, msg: 'keep' } });
    const oops = await server
      .as(server.alice)
      .post<{ message: { _id: string } }>('/api/v1/chat.sendMessage', { message: { rid, msg: 'oops' } });
    expect(
      (
        await server
          .as(server.alice)
          .post('/api/v1/chat.delete', { roomId: rid, msgId: oops.body.message._id })
      ).status,
    ).toBe(200);
    const info = await server
      .as(server.alice)
      .get<{ channel: RoomItem }>('/api/v1/channels.info', { roomId: rid });
    expect(info.body.channel.lastMessage?.msg).toBe('keep');
  });
});
