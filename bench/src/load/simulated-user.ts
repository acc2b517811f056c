import type { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PlannedRoom, PlannedUser } from '../dataset/plan.js';
import type { ActionRecorder } from './action-stats.js';
import { DdpClient, type LoadSink } from './ddp-client.js';
import { DeliveryLedger } from './ledger.js';
import { RestClient } from './rest.js';

/**
 * The delivery ledger of a population whose sockets come and go. Every socket gets its own client
 * number; it counts as a recipient of the messages registered while it was online (subscribed and
 * not yet leaving), and only those: a frame that reaches a socket outside that span (a message
 * sent just before it subscribed, or while it was closing) is neither a delivery nor a duplicate.
 */
export class OnlineLedger implements LoadSink {
  readonly ledger = new DeliveryLedger();
  readonly #actions: ActionRecorder;
  /** By socket: the first sequence number it must receive, and the first it need not. */
  readonly #from: number[] = [];
  readonly #until: number[] = [];
  /** By socket: messages registered for it and not delivered yet. */
  readonly #inFlight: number[] = [];
  /** By sequence number: the scheduled time, for the `sendMessage` answer's latency. */
  readonly #scheduledAt: number[] = [];
  /** Recipients of sends not answered yet: a refused send is on its way to nobody. */
  readonly #unanswered = new Map<number, readonly number[]>();
  /**
   * Deliveries still on their way to a socket when it left without them (the server was slower
   * than the leaving socket waits): the ledger counts them lost, but the client gave up on them.
   */
  abandoned = 0;

  constructor(actions: ActionRecorder) {
    this.#actions = actions;
  }

  /** A number for a new socket; it receives nothing that counts until `online`. */
  newSocket(): number {
    this.#from.push(Number.POSITIVE_INFINITY);
    this.#until.push(Number.POSITIVE_INFINITY);
    this.#inFlight.push(0);
    return this.#from.length - 1;
  }

  /** The socket is subscribed: every message registered from now on must reach it. */
  online(socket: number): void {
    this.#from[socket] = this.ledger.count;
  }

  /** The socket is leaving: messages registered from now on do not count on reaching it. */
  offline(socket: number): void {
    this.#until[socket] = this.ledger.count;
  }

  inFlight(socket: number): number {
    return this.#inFlight[socket] ?? 0;
  }

  /** The socket closes now: what is still on its way to it is given up on. */
  abandon(socket: number): void {
    this.abandoned += this.#inFlight[socket] ?? 0;
    this.#inFlight[socket] = 0;
  }

  /** A message to send to `sockets` (the sender's own included): returns its sequence number. */
  register(scheduledAt: number, sockets: readonly number[]): number {
    const seq = this.ledger.register(scheduledAt, sockets);
    this.#scheduledAt[seq] = scheduledAt;
    this.#unanswered.set(seq, sockets);
    for (const socket of sockets) this.#inFlight[socket] = (this.#inFlight[socket] ?? 0) + 1;
    return seq;
  }

  delivered(seq: number, at: number, socket: number): void {
    if (seq < (this.#from[socket] ?? Infinity) || seq >= (this.#until[socket] ?? 0)) return;
    this.#inFlight[socket] = (this.#inFlight[socket] ?? 1) - 1;
    this.ledger.delivered(seq, at, socket);
  }

  acked(seq: number, at: number, ok: boolean): void {
    this.ledger.acked(seq, at, ok);
    const sockets = this.#unanswered.get(seq);
    this.#unanswered.delete(seq);
    if (!ok && sockets)
      for (const socket of sockets) this.#inFlight[socket] = (this.#inFlight[socket] ?? 1) - 1;
    const scheduledAt = this.#scheduledAt[seq];
    if (scheduledAt !== undefined)
      this.#actions.record('sendMessage', at - scheduledAt, ok, ok ? undefined : 'error answer');
  }
}

/**
 * One simulated user of S1: a data-set user with its rooms, one DDP socket logged in with its
 * resume token and subscribed as Rocket.Chat's web client is (the messages of every room, the
 * user's own notification streams), a REST client with the same token, and what its screen shows
 * (the open room, how far back it has scrolled, when it last synced).
 */
export class SimulatedUser {
  readonly user: PlannedUser;
  /** Every room the user is a member of. */
  readonly rooms: readonly PlannedRoom[];
  readonly rest: RestClient;
  client: DdpClient | null = null;
  /** The client number of the current socket in the `OnlineLedger`; -1 while offline. */
  socket = -1;
  /** Bumped whenever the user leaves the population, so schedule entries made before lapse. */
  generation = 0;
  openRoom: PlannedRoom | null = null;
  /** `ts` of the oldest message loaded in the open room: the next older page ends there. */
  oldestLoaded: number | null = null;
  /** Wall-clock ms of the last unread sync (`subscriptions/get` with `updatedSince`). */
  lastSyncAt = Date.now();
  /** The status the user chose last (`UserPresence:setDefaultStatus`). */
  away = false;
  /** Method calls sent on the socket and not answered yet: a reconnect waits for them. */
  callsInFlight = 0;
  /** Between leaving and being subscribed again: the user's actions wait (are skipped). */
  reconnecting = false;

  constructor(options: {
    readonly user: PlannedUser;
    readonly rooms: readonly PlannedRoom[];
    readonly httpUrl: string;
    readonly agent: Agent;
  }) {
    this.user = options.user;
    this.rooms = options.rooms;
    this.rest = new RestClient({
      baseUrl: options.httpUrl,
      auth: { userId: options.user.id, token: options.user.token },
      agent: options.agent,
      timeoutMs: 10_000,
    });
  }

  get online(): boolean {
    return this.client !== null;
  }

  /** Opens a socket, logs in with the resume token, subscribes; then counts as a recipient. */
  async connect(url: string, ledger: OnlineLedger): Promise<void> {
    const socket = ledger.newSocket();
    const client = await DdpClient.open(url, socket, ledger);
    try {
      await client.loginWithToken(this.user.token);
      const uid = this.user.id;
      await Promise.all([
        ...this.rooms.map((room) => client.subscribe('stream-room-messages', room.id)),
        client.subscribe('stream-notify-user', `${uid}/rooms-changed`),
        client.subscribe('stream-notify-user', `${uid}/subscriptions-changed`),
        client.subscribe('stream-notify-user', `${uid}/notification`),
      ]);
    } catch (error) {
      client.close();
      throw error;
    }
    ledger.online(socket);
    this.client = client;
    this.socket = socket;
    this.lastSyncAt = Date.now();
  }

  /**
   * Leaves: stops counting as a recipient at once, keeps the socket open until what was already
   * sent to it has arrived and its calls are answered (at most `drainMs`), then closes it. Returns
   * the socket's user-stream events.
   */
  async disconnect(ledger: OnlineLedger, drainMs: number): Promise<number> {
    const client = this.client;
    const socket = this.socket;
    this.client = null;
    this.socket = -1;
    if (!client) return 0;
    ledger.offline(socket);
    const until = performance.now() + drainMs;
    while (
      (ledger.inFlight(socket) > 0 || this.callsInFlight > 0) &&
      client.isOpen &&
      performance.now() < until
    )
      await sleep(20);
    ledger.abandon(socket);
    client.close();
    return client.otherEvents;
  }
}
