import type { ConnectionStatus } from '../events/events.js';
import type { Store } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import type { Clock } from '../shared/clock.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import type { User } from '../users/user.js';
import { findUser, namesCaller, type UserKey } from './status-actions.js';

/** `users.getStatus` and `users.getPresence`: the user, and for the caller their connections. */
export interface StatusView {
  readonly user: User;
  /** Whether the caller asked about themselves: only then does Rocket.Chat add `connectionStatus`. */
  readonly self: boolean;
  readonly connectionStatus: ConnectionStatus;
}

export interface PresenceQuery {
  /** Only users whose status changed after this time (epoch ms). */
  readonly from?: number;
  readonly ids?: readonly UserId[];
}

export interface PresenceList {
  readonly users: readonly User[];
  /** False for a partial answer (`ids`, or changes since a recent `from`). */
  readonly full: boolean;
}

export interface QueryDeps {
  readonly store: Store;
  readonly clock: Clock;
  connectionStatus(userId: UserId): ConnectionStatus;
  /** Users whose status changed after `from`, or null when this process cannot tell that far back. */
  changedSince(from: number): readonly UserId[] | null;
  /** Users who may not be offline: connected somewhere, or last announced in another status. */
  maybeNotOffline(): Iterable<UserId>;
}

/** Rocket.Chat answers `from` older than this with the full list. */
const DELTA_WINDOW_MS = 10 * 60_000;
/** Users read per query. */
const CHUNK = 500;

export async function getStatus(
  deps: QueryDeps,
  actor: Actor,
  key: UserKey | undefined,
): Promise<StatusView> {
  const self = namesCaller(actor, key);
  const user = self ? await deps.store.users.byId(actor.userId) : await findUser(deps.store, key as UserKey);
  if (!user) throw ChatError.userNotFound();
  return { user, self, connectionStatus: deps.connectionStatus(user.id) };
}

/**
 * `users.presence`, as Rocket.Chat answers it: with `ids`, those of them not offline; with a `from`
 * less than ten minutes ago, every other user whose status changed since (offline ones included,
 * so that clients can dim them); otherwise every user who is not offline, with `full: true`.
 */
export async function listPresence(
  deps: QueryDeps,
  actor: Actor,
  query: PresenceQuery,
): Promise<PresenceList> {
  if (query.ids !== undefined) {
    const users = await usersByIds(deps.store, query.ids);
    return { users: users.filter((u) => u.status !== 'offline'), full: false };
  }
  if (query.from !== undefined && deps.clock.now() - query.from < DELTA_WINDOW_MS) {
    const changed = deps.changedSince(query.from);
    if (changed !== null) {
      const users = await usersByIds(
        deps.store,
        changed.filter((id) => id !== actor.userId),
      );
      return { users, full: false };
    }
  }
  const users = await usersByIds(deps.store, [...deps.maybeNotOffline()]);
  return { users: users.filter((u) => u.status !== 'offline'), full: true };
}

async function usersByIds(store: Store, ids: readonly UserId[]): Promise<User[]> {
  const unique = [...new Set(ids)];
  const users: User[] = [];
  for (let i = 0; i < unique.length; i += CHUNK)
    users.push(...(await store.users.byIds(unique.slice(i, i + CHUNK))));
  return users;
}
