import { afterAll, beforeAll, expect, it } from 'vitest';
import { onEachBackend } from '../src/testing/backends.js';
import { createTestServer, type Session, type TestServer } from '../src/testing/create-test-server.js';

type Body = Record<string, unknown>;

await onEachBackend('rooms, messages and DMs: edge cases', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ backend });
  });
  afterAll(() => server.close());

  let counter = 0;
  const uniqueName = (prefix: string) => `${prefix}-${++counter}`;

  const createRoom = async (owner: Session, kind: 'channels' | 'groups', members: string[] = []) => {
    const reply = await server
      .as(owner)
      .post<{ channel?: { _id: string }; group?: { _id: string } }>(`/api/v1/${kind}.create`, {
        name: uniqueName(kind),
        members,
      });
    expect(reply.status).toBe(200);
    const room = reply.body.channel ?? reply.body.group;
    if (!room) throw new Error('no room in reply');
    return room._id;
  };

  const send = async (who: Session, rid: string, msg: string, extra: Body = {}) =>
    server.as(who).post<{ message: { _id: string } & Body }>('/api/v1/chat.sendMessage', {
      message: { rid, msg, ...extra },
    });

  it('refuses alias and avatar from a user without message-impersonate, as Rocket.Chat does', async () => {
    const rid = await createRoom(server.alice, 'channels', ['bob']);
    const reply = await send(server.bob, rid, 'I am the admin, send me your password', {
      alias: 'carol (admin)',
      avatar: 'https://evil.example/carol.png',
    });
    expect(reply.status).toBe(400);

    const posted = await server.as(server.bob).post<{ message: Body }>('/api/v1/chat.postMessage', {
      roomId: rid,
      text: 'hi',
      alias: 'System',
    });
    expect(posted.status).toBe(400);
  });

  it('keeps a muted user muted after their username changes', async () => {
    const dave = await server.makeUser('dave');
    const rid = await createRoom(server.alice, 'channels', ['dave']);
    const muted = await server
      .as(server.alice)
      .post('/api/v1/rooms.muteUser', { roomId: rid, userId: dave.userId });
    expect(muted.status).toBe(200);
    expect((await send(dave, rid, 'before rename')).status).toBe(400);

    const renamed = await server.as(server.carol).post('/api/v1/users.update', {
      userId: dave.userId,
      data: { username: 'dave2' },
    });
    expect(renamed.status).toBe(200);

    const after = await send(dave, rid, 'muted no more?');
    expect(after.status).toBe(400);
    expect(after.body).toMatchObject({ errorType: 'error-user-muted' });
  });

  it('does not list a member who joined after a message as having read it', async () => {
    const rid = await createRoom(server.alice, 'groups', ['bob']);
    const sent = await send(server.alice, rid, 'read me');
    expect(sent.status).toBe(200);
    const erin = await server.makeUser('erin');
    const invited = await server
      .as(server.alice)
      .post('/api/v1/groups.invite', { roomId: rid, username: 'erin' });
    expect(invited.status).toBe(200);

    const receipts = await server
      .as(server.alice)
      .get<{ receipts: { userId: string }[] }>('/api/v1/chat.getMessageReadReceipts', {
        messageId: sent.body.message._id,
      });
    expect(receipts.status).toBe(200);
    expect(receipts.body.receipts.map((r) => r.userId)).not.toContain(erin.userId);
  });

  it('does not create a DM when chat.postMessage to @user is refused', async () => {
    const frank = await server.makeUser('frank');
    const refused = await server
      .as(server.alice)
      .post('/api/v1/chat.postMessage', { channel: '@frank', text: '' });
    expect(refused.status).toBe(400);

    const ims = await server.as(frank).get<{ ims: Body[] }>('/api/v1/im.list');
    expect(ims.status).toBe(200);
    expect(ims.body.ims).toEqual([]);
    const mine = await server.as(server.alice).get<{ ims: { uids: string[] }[] }>('/api/v1/im.list');
    expect(mine.body.ims.some((r) => r.uids.includes(frank.userId))).toBe(false);
  });

  it('accepts a room id as chat.postMessage channel, as Rocket.Chat does', async () => {
    const rid = await createRoom(server.alice, 'channels');
    const posted = await server
      .as(server.alice)
      .post<{ message: { rid: string } }>('/api/v1/chat.postMessage', { channel: rid, text: 'by id' });
    expect(posted.status).toBe(200);
    expect(posted.body.message.rid).toBe(rid);
  });

  it('makes a DM with a deactivated user read-only, as Rocket.Chat does', async () => {
    const gina = await server.makeUser('gina');
    const dm = await server
      .as(server.alice)
      .post<{ room: { _id: string } }>('/api/v1/im.create', { username: 'gina' });
    expect(dm.status).toBe(200);
    const off = await server
      .as(server.carol)
      .post('/api/v1/users.setActiveStatus', { userId: gina.userId, activeStatus: false });
    expect(off.status).toBe(200);

    const reply = await send(server.alice, dm.body.room._id, 'are you there?');
    expect(reply.status).toBe(400);
  });

  it('keeps a reply to a reply in the original thread even when the root is deleted', async () => {
    const rid = await createRoom(server.alice, 'channels', ['bob']);
    const root = await send(server.alice, rid, 'root');
    const reply = await send(server.bob, rid, 'reply', { tmid: root.body.message._id });
    expect(reply.status).toBe(200);
    const deleted = await server
      .as(server.alice)
      .post('/api/v1/chat.delete', { roomId: rid, msgId: root.body.message._id });
    expect(deleted.status).toBe(200);

    const nested = await send(server.alice, rid, 'reply to reply', { tmid: reply.body.message._id });
    // Either refused (the thread is gone) or kept flat: never a reply that is itself a thread parent.
    if (nested.status === 200) expect(nested.body.message.tmid).not.toBe(reply.body.message._id);
    else expect(nested.status).toBe(400);
  });
});
