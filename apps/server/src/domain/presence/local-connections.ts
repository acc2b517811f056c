import type { ConnectionStatus } from '../events/events.js';
import type { UserId } from '../shared/ids.js';
import { statusOfConnections } from './connection-status.js';

/** This process's logged-in DDP connections, per user, and whether each is idle. */
export class LocalConnections {
  readonly #byUser = new Map<UserId, Map<string, boolean>>();

  /** A connection logged in (or logged in again): it counts as active. */
  open(userId: UserId, connectionId: string): void {
    let own = this.#byUser.get(userId);
    if (!own) {
      own = new Map();
      this.#byUser.set(userId, own);
    }
    own.set(connectionId, false);
  }

  /** Returns whether the user has no connection left here. */
  close(userId: UserId, connectionId: string): boolean {
    const own = this.#byUser.get(userId);
    if (!own) return true;
    own.delete(connectionId);
    if (own.size > 0) return false;
    this.#byUser.delete(userId);
    return true;
  }

  /** Returns whether anything changed: unknown connections are ignored. */
  setIdle(userId: UserId, connectionId: string, idle: boolean): boolean {
    const own = this.#byUser.get(userId);
    if (own?.get(connectionId) !== !idle) return false;
    own.set(connectionId, idle);
    return true;
  }

  has(userId: UserId): boolean {
    return this.#byUser.has(userId);
  }

  statusOf(userId: UserId): ConnectionStatus {
    const own = this.#byUser.get(userId);
    return own ? statusOfConnections(own.values()) : 'offline';
  }

  users(): IterableIterator<UserId> {
    return this.#byUser.keys();
  }

  clear(): void {
    this.#byUser.clear();
  }
}
