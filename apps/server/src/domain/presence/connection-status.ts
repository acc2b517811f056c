import type { ConnectionStatus } from '../events/events.js';
import type { UserStatus } from '../users/user.js';

const RANK: Record<ConnectionStatus, number> = { offline: 0, away: 1, online: 2 };

/** The best of several views of one user: online if any says online, else away if any says away. */
export function strongest(statuses: Iterable<ConnectionStatus>): ConnectionStatus {
  let best: ConnectionStatus = 'offline';
  for (const status of statuses) {
    if (RANK[status] > RANK[best]) best = status;
    if (best === 'online') break;
  }
  return best;
}

/** One process's connections of a user, given whether each is idle. */
export function statusOfConnections(idleFlags: Iterable<boolean>): ConnectionStatus {
  let any = false;
  for (const idle of idleFlags) {
    if (!idle) return 'online';
    any = true;
  }
  return any ? 'away' : 'offline';
}

/**
 * The status others see. Rocket.Chat's `processStatus` (ee/server/services/presence/lib/
 * processConnectionStatus.ts): nobody connected is offline; otherwise the status the user chose,
 * unless it is `online`, which means "automatic" and follows the connections.
 */
export function effectiveStatus(connection: ConnectionStatus, statusDefault: UserStatus): UserStatus {
  if (connection === 'offline') return 'offline';
  return statusDefault === 'online' ? connection : statusDefault;
}

export const USER_STATUSES: readonly UserStatus[] = ['online', 'away', 'busy', 'offline'];

export function isUserStatus(value: string): value is UserStatus {
  return (USER_STATUSES as readonly string[]).includes(value);
}
