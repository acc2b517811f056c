import type { ConnectionStatus } from '../events/events.js';
import type { UserId } from '../shared/ids.js';
import { strongest } from './connection-status.js';

/** A `presence` signal of another process. */
export interface PresenceSnapshot {
  readonly processId: string;
  readonly full: boolean;
  readonly users: readonly (readonly [UserId, ConnectionStatus])[];
}

interface Entry {
  readonly status: Exclude<ConnectionStatus, 'offline'>;
  /** When a signal of its process last said so. */
  readonly seenAt: number;
}

/**
 * What every other process last said about its own connections. An entry lives until its process
 * says the user went offline, or until no signal has confirmed it for a while: full snapshots
 * confirm every entry periodically, so a dead process's entries (and any whose `offline` delta
 * was lost, the bus being at-most-once) age out.
 */
export class RemoteSnapshots {
  readonly #byProcess = new Map<string, Map<UserId, Entry>>();
  /** Last time each process was heard from, entries or not. */
  readonly #heardAt = new Map<string, number>();

  /** Whether `processId` has been heard from (and not forgotten since). */
  knows(processId: string): boolean {
    return this.#heardAt.has(processId);
  }

  /** Processes heard from, other than this one. */
  get processCount(): number {
    return this.#heardAt.size;
  }

  /**
   * Applies a process's snapshot or delta, heard at `now`; returns the users whose status on that
   * process changed. A full snapshot only confirms and adds: entries it leaves out age out.
   */
  apply(snapshot: PresenceSnapshot, now: number): UserId[] {
    this.#heardAt.set(snapshot.processId, now);
    let entries = this.#byProcess.get(snapshot.processId);
    if (!entries) {
      entries = new Map();
      this.#byProcess.set(snapshot.processId, entries);
    }
    const changed: UserId[] = [];
    for (const [userId, status] of snapshot.users) {
      const before = entries.get(userId)?.status ?? 'offline';
      if (status === 'offline') entries.delete(userId);
      else entries.set(userId, { status, seenAt: now });
      if (before !== status) changed.push(userId);
    }
    return changed;
  }

  /** Forgets entries, and processes, not heard of since `before`; returns the users concerned. */
  expire(before: number): UserId[] {
    const gone: UserId[] = [];
    for (const [processId, entries] of this.#byProcess) {
      for (const [userId, entry] of entries) {
        if (entry.seenAt >= before) continue;
        entries.delete(userId);
        gone.push(userId);
      }
      if (entries.size === 0 && (this.#heardAt.get(processId) ?? 0) < before) {
        this.#byProcess.delete(processId);
      }
    }
    for (const [processId, heardAt] of this.#heardAt) {
      if (heardAt < before && !this.#byProcess.has(processId)) this.#heardAt.delete(processId);
    }
    return gone;
  }

  /** The user's best status over every other process. */
  statusOf(userId: UserId): ConnectionStatus {
    const statuses: ConnectionStatus[] = [];
    for (const entries of this.#byProcess.values()) {
      const status = entries.get(userId)?.status;
      if (status === 'online') return status;
      if (status) statuses.push(status);
    }
    return strongest(statuses);
  }

  /** Every user connected to some other process. */
  users(): Set<UserId> {
    const all = new Set<UserId>();
    for (const entries of this.#byProcess.values()) for (const userId of entries.keys()) all.add(userId);
    return all;
  }
}
