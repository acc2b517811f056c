import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DdpClient } from './ddp-client.js';
import type { ResyncLedger } from './resync-ledger.js';
import type { Rng } from './rng.js';

/** Clients wait 0–1 s after noticing the close before the first attempt (§6.4 S4). */
const JITTER_MS = 1_000;
/** While the port refuses: 100 ms, doubling up to 1 s, each ±50 %. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 1_000;
/** A handshake not answered in this time (Meteor's connect timeout) fails the attempt. */
const CONNECT_TIMEOUT_MS = 10_000;
/** A call not answered in this time fails the attempt, and the client starts over. */
const CALL_TIMEOUT_MS = 30_000;

const STREAM = 'stream-room-messages';
const BENCH_MESSAGE_ID = /^B(\d+)$/;

/** What one client's reconnection took. Times are `performance.now()` ms; null until it happened. */
export interface ReconnectTimes {
  readonly closedAt: number | null;
  /** The start of the attempt that got through (open, handshake, login, subscribe, resync). */
  readonly attemptAt: number | null;
  readonly resyncedAt: number | null;
}

/**
 * One simulated user's socket that comes back by itself, as a Rocket.Chat client does: after a
 * close it waits a random 0–1 s, reconnects (backing off while the port refuses), logs in with
 * its resume token, subscribes to its rooms again, asks `rooms/get` which rooms changed since it
 * first synced, and loads each changed room's messages after the newest one it saw live before
 * the close with `loadMissedMessages`. What the resync brings goes to the ledger, merged by `_id`.
 */
export class ReconnectingClient {
  readonly index: number;
  readonly #url: string;
  readonly #token: string;
  readonly #rooms: readonly string[];
  readonly #ledger: ResyncLedger;
  readonly #rng: Rng;
  #ddp: DdpClient | null = null;
  #stopped = false;
  /** Wall-clock ms of the first sync: what `rooms/get` asks for changes since. */
  #syncedSince = 0;
  /** Per room, where the resync starts: the newest message seen live before the disconnect. */
  #resumeFrom: ReadonlyMap<string, number> = new Map();
  closedAt: number | null = null;
  /** The first handshake answered after the close: the server was taking connections again. */
  reopenedAt: number | null = null;
  attemptAt: number | null = null;
  resyncedAt: number | null = null;
  attempts = 0;
  refusedAttempts = 0;
  /** Calls answered `too-many-requests` (the per-connection limit), then retried. */
  rateLimited = 0;
  /** In the resync that completed: rooms `rooms/get` reported changed, messages loaded for them. */
  roomsChanged = 0;
  messagesLoaded = 0;
  /** Attempts that failed after the connection opened: the last reason. */
  lastFailure: string | null = null;

  constructor(options: {
    readonly index: number;
    readonly url: string;
    readonly token: string;
    readonly rooms: readonly string[];
    readonly ledger: ResyncLedger;
    readonly rng: Rng;
  }) {
    this.index = options.index;
    this.#url = options.url;
    this.#token = options.token;
    this.#rooms = options.rooms;
    this.#ledger = options.ledger;
    this.#rng = options.rng;
  }

  /** Takes over a socket already logged in and subscribed, synced as of `syncedSince` (wall ms). */
  adopt(ddp: DdpClient, syncedSince: number): void {
    this.#syncedSince = syncedSince;
    this.#watch(ddp);
  }

  get synced(): boolean {
    return this.#ddp !== null;
  }

  /** Closes the socket for good: no reconnecting after this. */
  stop(): void {
    this.#stopped = true;
    this.#ddp?.close();
    this.#ddp = null;
  }

  #watch(ddp: DdpClient): void {
    this.#ddp = ddp;
    ddp.onClose = () => this.#lost();
  }

  #lost(): void {
    if (this.#stopped) return;
    this.#ddp = null;
    this.closedAt = performance.now();
    this.reopenedAt = null;
    this.attemptAt = null;
    this.resyncedAt = null;
    this.#resumeFrom = this.#ledger.lastSeenBy(this.index);
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    await sleep(this.#rng.next() * JITTER_MS);
    let backoff = RETRY_FIRST_MS;
    while (!this.#stopped) {
      this.attempts++;
      const attemptAt = performance.now();
      let ddp: DdpClient | null = null;
      try {
        ddp = await DdpClient.open(this.#url, this.index, this.#ledger, CONNECT_TIMEOUT_MS);
        this.reopenedAt ??= performance.now();
        const { rooms, messages } = await this.#resync(ddp);
        if (this.#stopped) {
          ddp.close();
          return;
        }
        this.attemptAt = attemptAt;
        this.resyncedAt = performance.now();
        this.roomsChanged = rooms;
        this.messagesLoaded = messages;
        this.#watch(ddp);
        // Closed between the last answer and now: the close event found no one watching.
        if (!ddp.isOpen) this.#lost();
        return;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (ddp === null && /ECONNREFUSED/.test(reason)) this.refusedAttempts++;
        else this.lastFailure = reason;
        ddp?.terminate();
        await sleep(backoff * (0.5 + this.#rng.next()));
        backoff = Math.min(backoff * 2, RETRY_MAX_MS);
      }
    }
  }

  /** Login, subscriptions, then the messages missed in each changed room; how many of each. */
  async #resync(ddp: DdpClient): Promise<{ rooms: number; messages: number }> {
    await this.#limited(() => ddp.loginWithToken(this.#token));
    // Subscribed before asking what was missed: nothing posted in between can fall in a gap.
    await Promise.all(this.#rooms.map((rid) => this.#limited(() => ddp.subscribe(STREAM, rid))));
    const changed = (await this.#limited(() => ddp.call('rooms/get', [{ $date: this.#syncedSince }]))) as {
      update?: { _id: string }[];
    };
    const mine = new Set(this.#rooms);
    const rooms = (changed.update ?? []).map((r) => r._id).filter((rid) => mine.has(rid));
    let messages = 0;
    await Promise.all(
      rooms.map(async (rid) => {
        const since = this.#resumeFrom.get(rid) ?? this.#syncedSince;
        const missed = (await this.#limited(() =>
          ddp.call('loadMissedMessages', [rid, { $date: since }]),
        )) as { _id: string }[] | false;
        if (missed === false) throw new Error(`loadMissedMessages refused room ${rid}`);
        for (const message of missed) {
          const match = BENCH_MESSAGE_ID.exec(message._id);
          if (match) this.#ledger.resynced(Number(match[1]), this.index);
        }
        messages += missed.length;
      }),
    );
    return { rooms: rooms.length, messages };
  }

  /**
   * One call under the server's per-connection limit (60 at once, 20/s): a `too-many-requests`
   * answer waits for the bucket and tries again; any call times out after CALL_TIMEOUT_MS.
   */
  async #limited<T>(call: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await withTimeout(call(), CALL_TIMEOUT_MS);
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        if (!text.includes('too-many-requests')) throw error;
        this.rateLimited++;
        const reset = /"timeToReset":(\d+)/.exec(text);
        await sleep(reset ? Number(reset[1]) : 1_000);
      }
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
