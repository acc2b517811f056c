import type { LoadSink } from './ddp-client.js';
import { LatencyHistogram } from './latency.js';

/** The latencies and counts of one measured window. */
export class WindowCounts {
  readonly fromScheduled = new LatencyHistogram();
  readonly fromSent = new LatencyHistogram();
  readonly ack = new LatencyHistogram();
  deliveries = 0;
  acceptedSends = 0;
  failedSends = 0;
  sends = 0;
}

/**
 * Every message sent in a run, by sequence number: when it was scheduled and sent, how many
 * clients should receive it (and the sum of their numbers), how many did. A delivery counts once
 * per (message, client); the sums tell a duplicate at one client from a loss at another even when
 * the counts agree.
 */
export class DeliveryLedger implements LoadSink {
  #scheduledAt = new Float64Array(1024);
  #sentAt = new Float64Array(1024);
  #expected = new Uint32Array(1024);
  #expectedSum = new Float64Array(1024);
  #received = new Uint32Array(1024);
  #receivedSum = new Float64Array(1024);
  #ack = new Uint8Array(1024);
  #count = 0;
  /** The window being measured, if any: deliveries and answers arriving now count in it. */
  window: WindowCounts | null = null;

  get count(): number {
    return this.#count;
  }

  /** A new message to send: returns its sequence number. `recipients` are client numbers. */
  register(scheduledAt: number, recipients: readonly number[]): number {
    const seq = this.#count++;
    if (seq >= this.#scheduledAt.length) this.#grow();
    this.#scheduledAt[seq] = scheduledAt;
    this.#expected[seq] = recipients.length;
    let sum = 0;
    for (const r of recipients) sum += r + 1;
    this.#expectedSum[seq] = sum;
    if (this.window) this.window.sends++;
    return seq;
  }

  markSent(seq: number, at: number): void {
    this.#sentAt[seq] = at;
  }

  delivered(seq: number, at: number, client: number): void {
    if (seq >= this.#count) return;
    this.#received[seq] = (this.#received[seq] as number) + 1;
    this.#receivedSum[seq] = (this.#receivedSum[seq] as number) + client + 1;
    const window = this.window;
    if (window) {
      window.deliveries++;
      window.fromScheduled.recordMs(at - (this.#scheduledAt[seq] as number));
      window.fromSent.recordMs(at - (this.#sentAt[seq] as number));
    }
  }

  acked(seq: number, at: number, ok: boolean): void {
    if (seq >= this.#count) return;
    this.#ack[seq] = ok ? 1 : 2;
    const window = this.window;
    if (window) {
      if (ok) window.acceptedSends++;
      else window.failedSends++;
      window.ack.recordMs(at - (this.#scheduledAt[seq] as number));
    }
  }

  /** Sends not answered yet. */
  unanswered(): number {
    let count = 0;
    for (let seq = 0; seq < this.#count; seq++) if (this.#ack[seq] === 0) count++;
    return count;
  }

  /** Expected deliveries of accepted sends not seen yet (for draining at the end). */
  outstanding(): number {
    let missing = 0;
    for (let seq = 0; seq < this.#count; seq++) {
      if (this.#ack[seq] !== 1) continue;
      missing += Math.max(0, (this.#expected[seq] as number) - (this.#received[seq] as number));
    }
    return missing;
  }

  /**
   * Over every accepted message: deliveries missing (`lost`) or extra (`duplicated`); a message
   * whose count matches but whose recipients differ counts one of each. Refused sends, and sends
   * neither answered nor delivered anywhere, are counted apart.
   */
  tally(): {
    lost: number;
    duplicated: number;
    refused: number;
    unanswered: number;
    deliveredRefused: number;
  } {
    let lost = 0;
    let duplicated = 0;
    let refused = 0;
    let unanswered = 0;
    let deliveredRefused = 0;
    for (let seq = 0; seq < this.#count; seq++) {
      const received = this.#received[seq] as number;
      if (this.#ack[seq] === 0) {
        unanswered++;
        // Never answered and never seen: the server did not take it (counted apart). Seen by
        // someone: it was accepted, and every recipient should have it.
        if (received === 0) continue;
      }
      if (this.#ack[seq] === 2) {
        refused++;
        deliveredRefused += received;
        continue;
      }
      const expected = this.#expected[seq] as number;
      if (received < expected) lost += expected - received;
      else if (received > expected) duplicated += received - expected;
      else if (this.#receivedSum[seq] !== this.#expectedSum[seq]) {
        lost++;
        duplicated++;
      }
    }
    return { lost, duplicated, refused, unanswered, deliveredRefused };
  }

  #grow(): void {
    const size = this.#scheduledAt.length * 2;
    const grow = <A extends Float64Array | Uint32Array | Uint8Array>(old: A, make: (n: number) => A): A => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.#scheduledAt = grow(this.#scheduledAt, (n) => new Float64Array(n));
    this.#sentAt = grow(this.#sentAt, (n) => new Float64Array(n));
    this.#expected = grow(this.#expected, (n) => new Uint32Array(n));
    this.#expectedSum = grow(this.#expectedSum, (n) => new Float64Array(n));
    this.#received = grow(this.#received, (n) => new Uint32Array(n));
    this.#receivedSum = grow(this.#receivedSum, (n) => new Float64Array(n));
    this.#ack = grow(this.#ack, (n) => new Uint8Array(n));
  }
}
