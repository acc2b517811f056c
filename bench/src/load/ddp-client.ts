import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/**
 * What the hot path reports, by the sequence number a sent message carries in its `_id` (`B<seq>`)
 * and its method id (`s<seq>`).
 */
export interface LoadSink {
  /** A `stream-room-messages` frame carrying message `seq` reached client `client` at `at` (ms). */
  delivered(seq: number, at: number, client: number): void;
  /** The `sendMessage` call of `seq` was answered at `at`; `ok` false for an error result. */
  acked(seq: number, at: number, ok: boolean): void;
}

const ROOM_MESSAGE = Buffer.from('{"msg":"changed","collection":"stream-room-messages"');
const MESSAGE_ID = Buffer.from('"args":[{"_id":"B');
const HOT_RESULT = Buffer.from('{"msg":"result","id":"s');
const RAW_RESULT = Buffer.from('{"msg":"result","id":"r');
const CHANGED = Buffer.from('{"msg":"changed"');
const PING = Buffer.from('{"msg":"ping"');
const UPDATED = Buffer.from('{"msg":"updated"');
const ZERO = 48;
const NINE = 57;
const LETTER_E = 101;
const QUOTE = 34;

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** The decimal number at `from`, and where it ends. */
function digitsAt(data: Buffer, from: number): { value: number; end: number } {
  let value = 0;
  let i = from;
  for (; i < data.length; i++) {
    const c = data[i] as number;
    if (c < ZERO || c > NINE) break;
    value = value * 10 + (c - ZERO);
  }
  return { value, end: i };
}

interface Pending {
  resolve(frame: Record<string, unknown>): void;
  reject(error: Error): void;
}

interface PendingRaw {
  readonly method: string;
  resolve(frame: Buffer): void;
  reject(error: Error): void;
}

/**
 * A DDP client built for load: frames the benchmark measures (room messages, answers to
 * `sendMessage`) are recognised by their bytes and never decoded or parsed; everything else
 * (handshake, login, `ready`) is parsed as usual. One instance is one simulated user's socket.
 */
export class DdpClient {
  readonly index: number;
  readonly #socket: WebSocket;
  readonly #sink: LoadSink;
  readonly #pending = new Map<string, Pending>();
  readonly #pendingRaw = new Map<number, PendingRaw>();
  #nextId = 0;
  #closing = false;
  #onConnected: Pending | null = null;
  /** Set when the socket closed without `close()` being called. */
  unexpectedClose: string | null = null;
  /** Called once when the socket closes, for whatever reason: a reconnecting client's cue (S4). */
  onClose: ((reason: string) => void) | null = null;
  /** Events of streams other than room messages (user notifications, typing…): counted, never parsed. */
  otherEvents = 0;

  private constructor(socket: WebSocket, index: number, sink: LoadSink) {
    this.#socket = socket;
    this.index = index;
    this.#sink = sink;
    socket.on('message', (data: Buffer) => this.#receive(data));
    socket.on('close', (code) => this.#closed(`closed with ${code}`));
    socket.on('error', (error) => this.#closed(error.message));
  }

  /** Opens the socket and completes the DDP handshake. */
  static open(url: string, index: number, sink: LoadSink, timeoutMs = 30_000): Promise<DdpClient> {
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: timeoutMs,
    });
    const client = new DdpClient(socket, index, sink);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('DDP handshake timed out'));
        // Given up on: the socket must not connect later and linger on the server.
        client.terminate();
      }, timeoutMs);
      client.#onConnected = {
        resolve: () => {
          clearTimeout(timer);
          resolve(client);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      socket.once('open', () => socket.send('{"msg":"connect","version":"1","support":["1","pre2","pre1"]}'));
    });
  }

  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** A method call off the hot path; resolves with `result`, rejects with the Meteor error. */
  call(method: string, params: readonly unknown[]): Promise<unknown> {
    const id = `c${this.#nextId++}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (frame) =>
          frame.error
            ? reject(new Error(`${method}: ${JSON.stringify(frame.error)}`))
            : resolve(frame.result),
        reject,
      });
      this.#socket.send(JSON.stringify({ msg: 'method', id, method, params }));
    });
  }

  /**
   * A method call whose answer is not parsed: resolves with the raw result frame, rejects on an
   * error answer. For big results (history pages) that the load generator at most scans.
   */
  callRaw(method: string, params: readonly unknown[]): Promise<Buffer> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pendingRaw.set(id, { method, resolve, reject });
      this.#socket.send(JSON.stringify({ msg: 'method', id: `r${id}`, method, params }));
    });
  }

  async loginWithToken(token: string): Promise<void> {
    await this.call('login', [{ resume: token }]);
  }

  /** Subscribes to one stream event; resolves on `ready`, rejects on `nosub`. */
  subscribe(stream: string, eventName: string): Promise<void> {
    const id = `c${this.#nextId++}`;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: () => resolve(), reject });
      this.#socket.send(
        JSON.stringify({
          msg: 'sub',
          id,
          name: stream,
          params: [eventName, { useCollection: false, args: [] }],
        }),
      );
    });
  }

  /**
   * Hot path: posts message `seq` into `roomId`. `jsonText` is the text already JSON-encoded
   * (quotes included), so nothing is serialised per send.
   */
  sendMessage(seq: number, roomId: string, jsonText: string, threadId?: string): void {
    const tmid = threadId === undefined ? '' : `,"tmid":"${threadId}"`;
    this.#socket.send(
      `{"msg":"method","id":"s${seq}","method":"sendMessage","params":[{"_id":"B${seq}","rid":"${roomId}","msg":${jsonText}${tmid}}]}`,
    );
  }

  close(): void {
    this.#closing = true;
    this.#socket.close(1000);
  }

  /** Drops the TCP connection without a close handshake (a client that vanished). */
  terminate(): void {
    this.#closing = true;
    this.#socket.terminate();
  }

  #receive(data: Buffer): void {
    const at = performance.now();
    if (startsWith(data, ROOM_MESSAGE)) {
      const mark = data.indexOf(MESSAGE_ID, ROOM_MESSAGE.length);
      if (mark >= 0) {
        const { value, end } = digitsAt(data, mark + MESSAGE_ID.length);
        // `B123"` is a run's message; a data-set id that merely starts with B and digits is not.
        if (end > mark + MESSAGE_ID.length && data[end] === QUOTE)
          this.#sink.delivered(value, at, this.index);
      }
      return;
    }
    if (startsWith(data, HOT_RESULT)) {
      const { value, end } = digitsAt(data, HOT_RESULT.length);
      // After the id comes `","result":` or `","error":`.
      this.#sink.acked(value, at, data[end + 3] !== LETTER_E);
      return;
    }
    if (startsWith(data, RAW_RESULT)) {
      const { value, end } = digitsAt(data, RAW_RESULT.length);
      const pending = this.#pendingRaw.get(value);
      if (!pending) return;
      this.#pendingRaw.delete(value);
      if (data[end + 3] === LETTER_E)
        pending.reject(new Error(`${pending.method}: ${data.toString('utf8', end + 3, end + 300)}`));
      else pending.resolve(data);
      return;
    }
    if (startsWith(data, UPDATED)) return;
    if (startsWith(data, CHANGED)) {
      this.otherEvents++;
      return;
    }
    if (startsWith(data, PING)) {
      this.#socket.send('{"msg":"pong"}');
      return;
    }
    this.#control(JSON.parse(data.toString('utf8')) as Record<string, unknown>);
  }

  #control(frame: Record<string, unknown>): void {
    switch (frame.msg) {
      case 'connected':
        this.#onConnected?.resolve(frame);
        this.#onConnected = null;
        return;
      case 'failed':
        this.#onConnected?.reject(new Error(`DDP version refused: ${JSON.stringify(frame)}`));
        this.#onConnected = null;
        return;
      case 'result':
        return this.#settle(frame.id, (p) => p.resolve(frame));
      case 'ready':
        for (const id of Array.isArray(frame.subs) ? frame.subs : [])
          this.#settle(id, (p) => p.resolve(frame));
        return;
      case 'nosub':
        return this.#settle(frame.id, (p) => p.reject(new Error(`nosub: ${JSON.stringify(frame.error)}`)));
      default:
        // `added` (the user's own document at login), `changed` of other streams, `server_id`.
        return;
    }
  }

  #settle(id: unknown, how: (pending: Pending) => void): void {
    if (typeof id !== 'string') return;
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    how(pending);
  }

  #closed(reason: string): void {
    if (!this.#closing && this.unexpectedClose === null) this.unexpectedClose = reason;
    const onClose = this.onClose;
    this.onClose = null;
    const error = new Error(`socket ${reason}`);
    this.#onConnected?.reject(error);
    this.#onConnected = null;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    for (const pending of this.#pendingRaw.values()) pending.reject(error);
    this.#pendingRaw.clear();
    onClose?.(reason);
  }
}
