import type { ConnectionStatus, UserStatusChange } from '../events/events.js';
import type { Authorizer } from '../permissions/authorizer.js';
import type { Store } from '../ports/store.js';
import type { SettingsCache } from '../settings/settings-cache.js';
import type { Actor } from '../shared/actor.js';
import type { Clock } from '../shared/clock.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import type { User, UserPatch, UserStatus } from '../users/user.js';
import { effectiveStatus, isUserStatus } from './connection-status.js';

export type UserKey = { readonly userId: UserId } | { readonly username: string };

/** `users.setStatus`: a status, a status message, or both; another user's for admins. */
export interface SetStatusInput {
  readonly status?: string;
  readonly message?: string;
  readonly user?: UserKey;
}

/** What the status use cases need of presence and the rest of the domain. */
export interface StatusDeps {
  readonly store: Store;
  readonly settings: SettingsCache;
  readonly authz: Authorizer;
  readonly clock: Clock;
  /** The user's connections over every process. */
  connectionStatus(userId: UserId): ConnectionStatus;
  /** Runs `fn` with no presence flush of this process in between, so neither overwrites the other. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Publishes the `user-status` signal. */
  announce(changes: readonly UserStatusChange[]): void;
}

// Rocket.Chat's `setStatusText` trims and cuts at 120 characters rather than refusing.
const MAX_STATUS_TEXT = 120;

/**
 * `users.setStatus`. Rocket.Chat guards the whole route with `Accounts_AllowUserStatusMessageChange`
 * and answers 400 `error-not-allowed` (its test suite checks the status code and the message).
 */
export async function setStatus(deps: StatusDeps, actor: Actor, input: SetStatusInput): Promise<void> {
  if (input.status === undefined && input.message === undefined)
    throw ChatError.invalidParams('The "status" or "message" param is required');
  if (!deps.settings.bool('Accounts_AllowUserStatusMessageChange'))
    throw ChatError.invalid('error-not-allowed', 'Change status is not allowed', {
      method: 'users.setStatus',
    });
  const userId = await targetOf(deps, actor, input.user);
  const status = input.status === undefined ? undefined : checkStatus(deps, input.status, 'users.setStatus');
  const statusText =
    input.message === undefined ? undefined : [...input.message.trim()].slice(0, MAX_STATUS_TEXT).join('');
  // Like Rocket.Chat's route, a user with no realtime connection shows the chosen status at once:
  // bots and REST-only clients set `busy` that way. The next connection change recomputes it.
  await save(deps, userId, { status, statusText, whenDisconnected: 'chosen' });
}

/**
 * DDP `UserPresence:setDefaultStatus`: the caller's chosen status (`online` meaning automatic),
 * shown only while connected, as Rocket.Chat's `Presence.setStatus` does.
 */
export async function setDefaultStatus(deps: StatusDeps, actor: Actor, status: string): Promise<void> {
  const chosen = checkStatus(deps, status, 'UserPresence:setDefaultStatus');
  await save(deps, actor.userId, { status: chosen, whenDisconnected: 'offline' });
}

/** Rocket.Chat's `isUserFromParams`: no key, or one that names the caller. */
export function namesCaller(actor: Actor, key: UserKey | undefined): boolean {
  if (key === undefined) return true;
  return 'userId' in key
    ? key.userId === actor.userId
    : key.username.toLowerCase() === actor.username.toLowerCase();
}

export async function findUser(store: Store, key: UserKey): Promise<User> {
  const user =
    'userId' in key ? await store.users.byId(key.userId) : await store.users.byUsername(key.username);
  if (!user) throw ChatError.userNotFound();
  return user;
}

export function statusChangeOf(user: User, status: UserStatus = user.status): UserStatusChange {
  return {
    userId: user.id,
    username: user.username,
    name: user.name,
    status,
    statusText: user.statusText,
    roles: user.roles,
  };
}

async function targetOf(deps: StatusDeps, actor: Actor, key: UserKey | undefined): Promise<UserId> {
  if (key === undefined || namesCaller(actor, key)) return actor.userId;
  await deps.authz.require(actor, 'edit-other-user-info');
  return (await findUser(deps.store, key)).id;
}

function checkStatus(deps: StatusDeps, status: string, method: string): UserStatus {
  if (!isUserStatus(status))
    throw ChatError.invalid(
      'error-invalid-status',
      'Valid status types include online, away, offline, and busy.',
      {
        method,
      },
    );
  // Rocket.Chat's `users.setStatus` refuses `offline` (invisible) this way when the setting is off.
  // Its `UserPresence:setDefaultStatus` does not check, which lets any DDP client go invisible
  // anyway; Parley checks both.
  if (status === 'offline' && !deps.settings.bool('Accounts_AllowInvisibleStatusOption'))
    throw ChatError.invalid('error-status-not-allowed', 'Invisible status is disabled', { method });
  return status;
}

async function save(
  deps: StatusDeps,
  userId: UserId,
  change: {
    readonly status?: UserStatus | undefined;
    readonly statusText?: string | undefined;
    /** What a user with no connection shows: the chosen status (REST) or offline (DDP). */
    readonly whenDisconnected: 'chosen' | 'offline';
  },
): Promise<void> {
  await deps.exclusive(async () => {
    const user = await deps.store.users.byId(userId);
    if (!user) throw ChatError.userNotFound();
    const patch: { -readonly [K in keyof UserPatch]: UserPatch[K] } = {};
    if (change.statusText !== undefined && change.statusText !== user.statusText)
      patch.statusText = change.statusText;
    if (change.status !== undefined) {
      if (change.status !== user.statusDefault) patch.statusDefault = change.status;
      const connection = deps.connectionStatus(userId);
      const shown =
        connection === 'offline' && change.whenDisconnected === 'chosen'
          ? change.status
          : effectiveStatus(connection, change.status);
      if (shown !== user.status) patch.status = shown;
    }
    if (Object.keys(patch).length === 0) return;
    const updated = await deps.store.users.update(userId, patch, deps.clock.now());
    if (!updated) throw ChatError.userNotFound();
    if (updated.status !== user.status || updated.statusText !== user.statusText)
      deps.announce([statusChangeOf(updated)]);
  });
}
