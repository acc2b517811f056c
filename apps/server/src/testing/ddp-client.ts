import WebSocket from 'ws';

export type Frame = Record<string, unknown> & { msg?: string };

/**
 * A small DDP client for tests: it records every frame and lets a test wait for the one it
 * expects. Not a product client (see `@rocket.chat/sdk` in the third-party test for that).
 */
export class TestDdpClient {
  /** Frames not yet taken by `next`. */
  readonly frames: Frame[] = [];
  /** Every frame received, in order. */
  readonly log: Frame[] = [];
  closeCode: number | null = null;
  #waiters: { predicate: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  #nextId = 1;
  #closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString('utf8')) as Frame;
      // Answer the server's heartbeats, as real clients do.
      if (frame.msg === 'ping' && this.autoPong) socket.send(JSON.stringify({ msg: 'pong' }));
      this.frames.push(frame);
      this.log.push(frame);
      for (const waiter of [...this.#waiters]) {
        if (waiter.predicate(frame)) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          waiter.resolve(frame);
        }
      }
    });
    this.#closed = new Promise((resolve) =>
      socket.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  autoPong = true;

  /** Opens the socket; with `handshake` (the default) also does `connect`. */
  static async open(url: string, options: { handshake?: boolean } = {}): Promise<TestDdpClient> {
    const socket = new WebSocket(url);
    // Listening starts before the socket opens: the server greets at once.
    const client = new TestDdpClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    if (options.handshake !== false) {
      client.send({ msg: 'connect', version: '1', support: ['1', 'pre2', 'pre1'] });
      await client.next((f) => f.msg === 'connected');
    }
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received, or to come) matching `predicate`. */
  next(predicate: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const seen = this.frames.find(predicate);
    if (seen) {
      this.frames.splice(this.frames.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(f), 1);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 2000)}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Calls a method; resolves with the `result` frame (which has `result` or `error`). */
  async call(
    method: string,
    ...params: unknown[]
  ): Promise<Frame & { result?: unknown; error?: Record<string, unknown> }> {
    const id = String(this.#nextId++);
    this.send({ msg: 'method', id, method, params });
    const result = await this.next((f) => f.msg === 'result' && f.id === id);
    await this.next((f) => f.msg === 'updated' && Array.isArray(f.methods) && f.methods.includes(id));
    return result;
  }

  /** Calls a method and returns its result, or throws with its error. */
  async ok<T = Record<string, unknown>>(method: string, ...params: unknown[]): Promise<T> {
    const frame = await this.call(method, ...params);
    if (frame.error) throw new Error(`${method} failed: ${JSON.stringify(frame.error)}`);
    return frame.result as T;
  }

  async login(authToken: string): Promise<Record<string, unknown>> {
    return this.ok('login', { resume: authToken });
  }

  /** Subscribes; resolves with `ready` or `nosub`. */
  async sub(
    name: string,
    eventName: string,
    options: unknown = { useCollection: false, args: [] },
  ): Promise<Frame> {
    const id = `s${this.#nextId++}`;
    this.send({ msg: 'sub', id, name, params: [eventName, options] });
    const frame = await this.next(
      (f) =>
        (f.msg === 'ready' && Array.isArray(f.subs) && f.subs.includes(id)) ||
        (f.msg === 'nosub' && f.id === id),
    );
    return { ...frame, subId: id };
  }

  /** The next `changed` frame of a stream event, its `args` returned. */
  async event(stream: string, eventName: string, timeoutMs = 3000): Promise<unknown[]> {
    const frame = await this.next(
      (f) =>
        f.msg === 'changed' &&
        f.collection === stream &&
        (f.fields as { eventName?: string } | undefined)?.eventName === eventName,
      timeoutMs,
    );
    return (frame.fields as { args: unknown[] }).args;
  }

  /** True if no such frame arrives within `ms`. */
  async none(predicate: (f: Frame) => boolean, ms = 300): Promise<boolean> {
    try {
      await this.next(predicate, ms);
      return false;
    } catch {
      return true;
    }
  }

  closed(): Promise<number> {
    return this.#closed;
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(1000);
    await this.#closed;
  }
}
