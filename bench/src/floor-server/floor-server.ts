import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The floor: the least a Node `ws` server must do to give S2's clients what Parley gives them.
 * DDP handshake, any `login` accepted, `stream-room-messages` subscriptions kept in a map, and
 * `sendMessage` answered and broadcast as Parley's frames look (one `JSON.parse` per call, one
 * `JSON.stringify` per message, the same text written to every subscriber). No storage, no
 * permissions, no markdown: what remains is the cost of sockets and JSON, the physics Parley pays
 * too. Parley's cost is reported as a multiple of this.
 */
export function createFloorServer(): Server {
  const http = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
  });
  const wss = new WebSocketServer({ server: http, path: '/websocket', perMessageDeflate: false });
  const rooms = new Map<string, Set<WebSocket>>();
  let sessions = 0;

  wss.on('connection', (socket) => {
    const joined = new Set<string>();
    let user = { _id: 'floor', username: 'floor', name: 'Floor' };
    socket.send('{"server_id":"0"}');
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      const id = frame.id as string;
      switch (frame.msg) {
        case 'connect':
          socket.send(JSON.stringify({ msg: 'connected', session: `s${sessions++}` }));
          return;
        case 'ping':
          socket.send('{"msg":"pong"}');
          return;
        case 'sub': {
          const [eventName] = frame.params as [string];
          const subscribers = rooms.get(eventName) ?? new Set<WebSocket>();
          subscribers.add(socket);
          rooms.set(eventName, subscribers);
          joined.add(eventName);
          socket.send(JSON.stringify({ msg: 'ready', subs: [id] }));
          return;
        }
        case 'method': {
          const [arg] = (frame.params ?? []) as [Record<string, unknown> | undefined];
          let result: unknown = null;
          if (frame.method === 'login') {
            const token = typeof arg?.resume === 'string' ? arg.resume : '';
            user = { _id: token.slice(0, 17), username: `u${token.slice(0, 8)}`, name: 'Floor user' };
            result = {
              id: user._id,
              token,
              tokenExpires: { $date: Date.now() + 86_400_000 },
              type: 'resume',
            };
          } else if (frame.method === 'sendMessage' && arg) {
            result = broadcast(arg, user);
          }
          socket.send(JSON.stringify({ msg: 'result', id, result }));
          socket.send(JSON.stringify({ msg: 'updated', methods: [id] }));
          return;
        }
        default:
          return;
      }
    });
    socket.on('close', () => {
      for (const roomId of joined) rooms.get(roomId)?.delete(socket);
    });
  });

  function broadcast(arg: Record<string, unknown>, user: { _id: string; username: string; name: string }) {
    const now = { $date: Date.now() };
    const rid = String(arg.rid);
    const text = String(arg.msg);
    // The shape and size of Parley's message: same fields, a plain-paragraph `md`.
    const message = {
      _id: arg._id,
      rid,
      msg: text,
      ts: now,
      u: user,
      _updatedAt: now,
      mentions: [],
      channels: [],
      md: [{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: text }] }],
    };
    const frame = JSON.stringify({
      msg: 'changed',
      collection: 'stream-room-messages',
      id: 'id',
      fields: { eventName: rid, args: [message] },
    });
    for (const subscriber of rooms.get(rid) ?? []) subscriber.send(frame);
    return message;
  }

  return http;
}
