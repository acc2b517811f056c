import type { LoadSink } from './ddp-client.js';

/**
 * What became of a post: `accepted` (2xx), `refused` (answered 4xx/5xx), `unsent` (the connection
 * was refused: no server was listening), `unknown` (the connection broke with the request on its
 * way: the server may have stored it), `pending` (no answer yet).
 */
export type PostOutcome = 'pending' | 'accepted' | 'refused' | 'unsent' | 'unknown';

export interface ResyncTally {
  readonly messages: number;
  readonly outcomes: Readonly<Record<PostOutcome, number>>;
  /** Of the `unknown` posts, those that turned out stored (seen by someone, or found by id). */
  readonly unknownStored: number;
  /** (stored message, recipient) pairs that should have reached a client, live or by resync. */
  readonly pairs: number;
  /** Pairs seen neither live nor by resync. */
  readonly lost: number;
  /** Of those, pairs of clients that never resynced (a failure of its own, counted apart too). */
  readonly lostAtUnresynced: number;
  /** Extra live copies of a message at one client. */
  readonly duplicated: number;
  /** Pairs seen live and loaded again by resync (merged by `_id`, as every client does). */
  readonly overlap: number;
  /** Pairs only the resync brought: what the disconnect would otherwise have lost. */
  readonly recoveredByResync: number;
  /** Deliveries to a client that is not a recipient, or of a message never posted. */
  readonly strays: number;
  /** Deliveries of refused or unsent posts. */
  readonly deliveredNotStored: number;
}

/**
 * Every message posted in S4, by sequence number (its `_id` is `B<seq>`), and for each of its
 * recipients whether the message came live (`stream-room-messages`) and whether a resync
 * (`loadMissedMessages`) brought it. Per client and room it keeps the newest message seen live:
 * where the client's resync starts from.
 */
export class ResyncLedger implements LoadSink {
  readonly #roomOf: string[] = [];
  /** Client numbers, ascending (the room's online members when the message was posted). */
  readonly #recipients: (readonly number[])[] = [];
  readonly #live: Uint8Array[] = [];
  readonly #resync: Uint8Array[] = [];
  readonly #postedAt: number[] = [];
  readonly #outcome: PostOutcome[] = [];
  readonly #lastSeen: Map<string, number>[];
  #strays = 0;

  constructor(clients: number) {
    this.#lastSeen = Array.from({ length: clients }, () => new Map<string, number>());
  }

  get count(): number {
    return this.#roomOf.length;
  }

  /**
   * A message about to be posted into `roomId` at wall-clock `postedAt` (ms), for `recipients`
   * (ascending client numbers; the array is kept, not copied). Returns its sequence number.
   */
  register(roomId: string, recipients: readonly number[], postedAt: number): number {
    const seq = this.#roomOf.length;
    this.#roomOf.push(roomId);
    this.#recipients.push(recipients);
    this.#live.push(new Uint8Array(recipients.length));
    this.#resync.push(new Uint8Array(recipients.length));
    this.#postedAt.push(postedAt);
    this.#outcome.push('pending');
    return seq;
  }

  settle(seq: number, outcome: PostOutcome): void {
    this.#outcome[seq] = outcome;
  }

  outcome(seq: number): PostOutcome | undefined {
    return this.#outcome[seq];
  }

  /** A live delivery (the DDP client's hot path). */
  delivered(seq: number, _at: number, client: number): void {
    const slot = this.#slot(seq, client);
    if (slot < 0) {
      this.#strays++;
      return;
    }
    const live = this.#live[seq] as Uint8Array;
    if ((live[slot] as number) < 255) live[slot] = (live[slot] as number) + 1;
    // The post time stands in for the message's `ts`: never later than it (same clock, taken
    // before sending), so a resync from it errs towards overlap, never towards a gap.
    const room = this.#roomOf[seq] as string;
    const seen = this.#lastSeen[client] as Map<string, number>;
    const postedAt = this.#postedAt[seq] as number;
    if (postedAt > (seen.get(room) ?? 0)) seen.set(room, postedAt);
  }

  /** Posts go over REST here: nothing is answered on the DDP hot path. */
  acked(): void {}

  /** Message `seq` came in client `client`'s resync. */
  resynced(seq: number, client: number): void {
    const slot = this.#slot(seq, client);
    if (slot < 0) {
      this.#strays++;
      return;
    }
    (this.#resync[seq] as Uint8Array)[slot] = 1;
  }

  /** Per room: the post time of the newest message `client` has seen live. A copy. */
  lastSeenBy(client: number): ReadonlyMap<string, number> {
    return new Map(this.#lastSeen[client]);
  }

  /** Whether anyone saw `seq`, live or by resync: then the server stored it. */
  seenByAnyone(seq: number): boolean {
    const live = this.#live[seq];
    const resync = this.#resync[seq];
    if (!live || !resync) return false;
    return live.some((n) => n > 0) || resync.some((n) => n > 0);
  }

  /** Pairs of accepted messages not seen yet either way (for draining at the end). */
  outstanding(): number {
    let missing = 0;
    for (let seq = 0; seq < this.count; seq++) {
      if (this.#outcome[seq] !== 'accepted') continue;
      const live = this.#live[seq] as Uint8Array;
      const resync = this.#resync[seq] as Uint8Array;
      for (let i = 0; i < live.length; i++) if (live[i] === 0 && resync[i] === 0) missing++;
    }
    return missing;
  }

  /**
   * Call once every post is settled. `storedUnknown(seq)` says whether an `unknown` post that
   * nobody saw is on the server after all (the caller looks it up); `resynced(client)` whether
   * the client came back.
   */
  tally(storedUnknown: (seq: number) => boolean, resynced: (client: number) => boolean): ResyncTally {
    const outcomes: Record<PostOutcome, number> = {
      pending: 0,
      accepted: 0,
      refused: 0,
      unsent: 0,
      unknown: 0,
    };
    let unknownStored = 0;
    let pairs = 0;
    let lost = 0;
    let lostAtUnresynced = 0;
    let duplicated = 0;
    let overlap = 0;
    let recoveredByResync = 0;
    let deliveredNotStored = 0;
    for (let seq = 0; seq < this.count; seq++) {
      const outcome = this.#outcome[seq] as PostOutcome;
      outcomes[outcome]++;
      const live = this.#live[seq] as Uint8Array;
      const resync = this.#resync[seq] as Uint8Array;
      let stored = outcome === 'accepted';
      if (outcome === 'unknown') {
        stored = this.seenByAnyone(seq) || storedUnknown(seq);
        if (stored) unknownStored++;
      }
      if (!stored) {
        for (const n of live) deliveredNotStored += n;
        continue;
      }
      const recipients = this.#recipients[seq] as readonly number[];
      for (let i = 0; i < live.length; i++) {
        const copies = live[i] as number;
        const loaded = resync[i] === 1;
        pairs++;
        if (copies === 0 && !loaded) {
          lost++;
          if (!resynced(recipients[i] as number)) lostAtUnresynced++;
        }
        if (copies > 1) duplicated += copies - 1;
        if (copies > 0 && loaded) overlap++;
        if (copies === 0 && loaded) recoveredByResync++;
      }
    }
    return {
      messages: this.count,
      outcomes,
      unknownStored,
      pairs,
      lost,
      lostAtUnresynced,
      duplicated,
      overlap,
      recoveredByResync,
      strays: this.#strays,
      deliveredNotStored,
    };
  }

  /** Where `client` sits among the recipients of `seq`, or -1. */
  #slot(seq: number, client: number): number {
    const recipients = this.#recipients[seq];
    if (!recipients) return -1;
    let lo = 0;
    let hi = recipients.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const value = recipients[mid] as number;
      if (value === client) return mid;
      if (value < client) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
