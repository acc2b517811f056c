import type { WebSocket } from 'ws';
import type { Actor } from '../domain/shared/actor.js';
import type { User } from '../domain/users/user.js';
import { CloseCode, DDP_VERSIONS, meteorError, MethodError, toMeteorError } from './ddp.js';
import type { MethodContext, MethodTable } from './methods/method.js';

/** What a connection needs from the gateway that owns it. */
export interface ConnectionHost {
  readonly methods: MethodTable;
  /** Answers the `sub` with `ready` or `nosub` itself. */
  subscribe(
    connection: DdpConnection,
    subId: string,
    name: string,
    params: readonly unknown[],
  ): Promise<void>;
  unsubscribe(connection: DdpConnection, subId: string): void;
  loggedIn(connection: DdpConnection, actor: Actor, user: User): Promise<void>;
  loggedOut(connection: DdpConnection, previous: Actor): void;
  /** A method call: the user is active (for presence). */
  active(connection: DdpConnection): void;
  /** The connection went idle, or active again, by the sweep or by `UserPresence:*`. */
  idleChanged(connection: DdpConnection): void;
  closed(connection: DdpConnection): void;
  readonly rateLimit: { readonly burst: number; readonly perSecond: number };
  now(): number;
  newId(): string;
  onError(error: unknown, context: Record<string, unknown>): void;
}

/**
 * One DDP session over one WebSocket: the handshake, heartbeats, methods and subscriptions.
 * A bad frame closes the socket with the code Rocket.Chat's ddp-streamer uses; a bad method call
 * answers an error and the session goes on.
 */
export class DdpConnection {
  readonly id: string;
  actor: Actor | null = null;
  connected = false;
  readonly openedAt: number;
  /** Last frame of any kind (heartbeat), and last method call (presence idleness). */
  lastReceivedAt: number;
  lastActiveAt: number;
  pingSentAt: number | null = null;
  idle = false;
  #tokens: number;
  #tokensAt: number;
  #closed = false;

  constructor(
    readonly socket: WebSocket,
    private readonly host: ConnectionHost,
    readonly address: string,
  ) {
    this.id = host.newId();
    this.openedAt = host.now();
    this.lastReceivedAt = this.openedAt;
    this.lastActiveAt = this.openedAt;
    this.#tokens = host.rateLimit.burst;
    this.#tokensAt = this.openedAt;
    socket.on('message', (data, isBinary) => this.#receive(data, isBinary));
    socket.on('close', () => this.#onClose());
    socket.on('error', () => this.#onClose());
  }

  get isOpen(): boolean {
    return !this.#closed && this.socket.readyState === this.socket.OPEN;
  }

  send(frame: Record<string, unknown>): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** For fan-out: a frame serialised once for every socket. */
  sendRaw(text: string): void {
    if (this.isOpen) this.socket.send(text);
  }

  close(code: number, reason = ''): void {
    if (this.#closed) return;
    this.socket.close(code, reason);
    this.#onClose();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.host.closed(this);
  }

  #receive(data: unknown, isBinary: boolean): void {
    this.lastReceivedAt = this.host.now();
    this.pingSentAt = null;
    if (isBinary) return this.close(CloseCode.unsupportedData, 'binary frames are not DDP');
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return this.close(CloseCode.unsupportedData, 'not JSON');
    }
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame))
      return this.close(CloseCode.unsupportedData, 'not a JSON object');
    const message = frame as Record<string, unknown>;
    if (!this.connected) return this.#handshake(message);
    switch (message.msg) {
      case 'ping':
        return this.send(message.id === undefined ? { msg: 'pong' } : { msg: 'pong', id: message.id });
      case 'pong':
        return;
      case 'method':
        return this.#method(message);
      case 'sub':
        return this.#sub(message);
      case 'unsub':
        if (typeof message.id !== 'string') return this.#badRequest(message);
        return this.host.unsubscribe(this, message.id);
      case 'connect':
        return this.#badRequest(message);
      default:
        // Meteor ignores messages without `msg` (e.g. SockJS's server_id probes); others are errors.
        if (message.msg === undefined) return;
        return this.#badRequest(message);
    }
  }

  #handshake(message: Record<string, unknown>): void {
    if (message.msg !== 'connect')
      return this.close(CloseCode.protocolError, 'the first message must be connect');
    const version = message.version;
    if (typeof version !== 'string' || !(DDP_VERSIONS as readonly string[]).includes(version)) {
      this.send({ msg: 'failed', version: '1' });
      return this.close(CloseCode.protocolError, 'unsupported DDP version');
    }
    this.connected = true;
    this.send({ msg: 'connected', session: this.id });
  }

  #badRequest(message: Record<string, unknown>): void {
    this.send({ msg: 'error', reason: 'Bad request', offendingMessage: message });
  }

  /** A token bucket: `burst` calls at once, refilled at `perSecond`. Returns the wait in ms, 0 if allowed. */
  #take(): number {
    const now = this.host.now();
    const { burst, perSecond } = this.host.rateLimit;
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#tokensAt) / 1000) * perSecond);
    this.#tokensAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / perSecond) * 1000);
  }

  #method(message: Record<string, unknown>): void {
    const id = message.id;
    const name = message.method;
    const params = message.params ?? [];
    if (typeof id !== 'string' || typeof name !== 'string' || !Array.isArray(params))
      return this.#badRequest(message);
    const wait = this.#take();
    if (wait > 0) {
      return this.#result(id, {
        error: meteorError(
          'too-many-requests',
          `Error, too many requests. Please slow down. You must wait ${Math.ceil(wait / 1000)} seconds before trying again.`,
          { timeToReset: wait },
        ),
      });
    }
    this.lastActiveAt = this.host.now();
    this.host.active(this);
    void this.#run(id, name, params as unknown[]);
  }

  async #run(id: string, name: string, params: readonly unknown[]): Promise<void> {
    try {
      const definition = this.host.methods.get(name);
      if (!definition) throw MethodError.notFound(name);
      if (!definition.anonymous && !this.actor) throw new MethodError('error-not-allowed', 'Not allowed');
      const result = await definition.run(this.#context(), params);
      this.#result(id, result === undefined ? {} : { result });
    } catch (error) {
      if (!(error instanceof MethodError) && (error as { name?: string }).name !== 'ChatError')
        this.host.onError(error, { method: name, connection: this.id });
      this.#result(id, { error: toMeteorError(error) });
    }
  }

  #result(id: string, outcome: { result?: unknown; error?: unknown }): void {
    this.send({ msg: 'result', id, ...outcome });
    this.send({ msg: 'updated', methods: [id] });
  }

  #context(): MethodContext {
    return {
      actor: this.actor,
      connectionId: this.id,
      address: this.address,
      loggedIn: async (actor, user) => {
        // Logging in again as someone else first ends the previous login on this connection.
        const previous = this.actor;
        if (previous) {
          this.actor = null;
          this.host.loggedOut(this, previous);
        }
        this.actor = actor;
        await this.host.loggedIn(this, actor, user);
      },
      markIdle: (idle) => {
        if (this.idle === idle || !this.actor) return;
        this.idle = idle;
        this.host.idleChanged(this);
      },
      loggedOut: () => {
        const previous = this.actor;
        this.actor = null;
        if (previous) this.host.loggedOut(this, previous);
      },
    };
  }

  #sub(message: Record<string, unknown>): void {
    const id = message.id;
    const name = message.name;
    const params = message.params ?? [];
    if (typeof id !== 'string' || typeof name !== 'string' || !Array.isArray(params))
      return this.#badRequest(message);
    const wait = this.#take();
    if (wait > 0) {
      return this.send({
        msg: 'nosub',
        id,
        error: meteorError('too-many-requests', 'Error, too many requests. Please slow down.', {
          timeToReset: wait,
        }),
      });
    }
    void this.host.subscribe(this, id, name, params as unknown[]).catch((error: unknown) => {
      this.host.onError(error, { sub: name, connection: this.id });
      this.send({ msg: 'nosub', id, error: toMeteorError(error) });
    });
  }
}
