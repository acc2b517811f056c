import type { AttemptLimiter } from './auth/attempt-limiter.js';
import type { Authorizer } from './permissions/authorizer.js';
import type { Store } from './ports/store.js';
import type { SettingsCache } from './settings/settings-cache.js';
import type { Clock } from './shared/clock.js';
import type { IdGenerator } from './shared/ids.js';

/** What every action is handed: the ports and caches it works with. Built once in `compose.ts`. */
export interface DomainContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly settings: SettingsCache;
  readonly authz: Authorizer;
  readonly loginAttempts: AttemptLimiter;
}
