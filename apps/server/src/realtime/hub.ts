import type { RoomId } from '../domain/shared/ids.js';
import type { DdpConnection } from './connection.js';
import { streamFrame } from './ddp.js';

/** One `sub` of one connection to one stream event. */
export interface StreamSub {
  readonly connection: DdpConnection;
  readonly subId: string;
  readonly stream: string;
  readonly eventName: string;
  /**
   * The room this sub reads, when it does. A member's sub follows the membership: once the user
   * leaves or is removed, nothing more is delivered. A preview (a public channel read without
   * joining) needs no membership.
   */
  readonly room: { readonly id: RoomId; readonly needsMembership: boolean } | null;
}

const key = (stream: string, eventName: string) => `${stream}\u0000${eventName}`;

/** Who listens to what, on this process: the index fan-out reads for every event. */
export class Hub {
  readonly #byKey = new Map<string, Set<StreamSub>>();
  readonly #byConnection = new Map<DdpConnection, Map<string, StreamSub>>();

  add(sub: StreamSub): void {
    const own = this.#byConnection.get(sub.connection) ?? new Map<string, StreamSub>();
    this.#byConnection.set(sub.connection, own);
    const previous = own.get(sub.subId);
    if (previous) this.#unindex(previous);
    own.set(sub.subId, sub);
    const k = key(sub.stream, sub.eventName);
    const set = this.#byKey.get(k) ?? new Set<StreamSub>();
    set.add(sub);
    this.#byKey.set(k, set);
  }

  remove(connection: DdpConnection, subId: string): boolean {
    const sub = this.#byConnection.get(connection)?.get(subId);
    if (!sub) return false;
    this.#byConnection.get(connection)?.delete(subId);
    this.#unindex(sub);
    return true;
  }

  /** Drops every sub of a connection: on close, or those that needed a login on logout. */
  removeWhere(connection: DdpConnection, predicate: (sub: StreamSub) => boolean = () => true): void {
    const own = this.#byConnection.get(connection);
    if (!own) return;
    for (const [subId, sub] of own) {
      if (!predicate(sub)) continue;
      own.delete(subId);
      this.#unindex(sub);
    }
    if (own.size === 0) this.#byConnection.delete(connection);
  }

  subscribers(stream: string, eventName: string): ReadonlySet<StreamSub> {
    return this.#byKey.get(key(stream, eventName)) ?? EMPTY;
  }

  has(stream: string, eventName: string): boolean {
    return (this.#byKey.get(key(stream, eventName))?.size ?? 0) > 0;
  }

  /**
   * Sends `args` to every sub of the stream event that `accept` lets through. The frame is
   * serialised once, and only if someone gets it; a connection with two subs to the same event
   * gets it once.
   */
  emit(
    stream: string,
    eventName: string,
    args: readonly unknown[],
    accept?: (sub: StreamSub) => boolean,
  ): number {
    const subs = this.#byKey.get(key(stream, eventName));
    if (!subs || subs.size === 0) return 0;
    let frame: string | undefined;
    const sent = new Set<DdpConnection>();
    for (const sub of subs) {
      if (sent.has(sub.connection) || (accept && !accept(sub))) continue;
      frame ??= streamFrame(stream, eventName, args);
      sub.connection.sendRaw(frame);
      sent.add(sub.connection);
    }
    return sent.size;
  }

  get size(): number {
    let n = 0;
    for (const own of this.#byConnection.values()) n += own.size;
    return n;
  }

  #unindex(sub: StreamSub): void {
    const k = key(sub.stream, sub.eventName);
    const set = this.#byKey.get(k);
    set?.delete(sub);
    if (set?.size === 0) this.#byKey.delete(k);
  }
}

const EMPTY: ReadonlySet<StreamSub> = new Set();
