/**
 * The built server's modules the seeder writes with, loaded from `apps/server/dist` at run time.
 * Types come from the server's sources (through the project reference, its declarations), so a
 * change of signature there fails the bench's type check instead of a seeding run.
 */
import type * as AttemptLimiterModule from '../../../apps/server/src/domain/auth/attempt-limiter.js';
import type * as AuthorizerModule from '../../../apps/server/src/domain/permissions/authorizer.js';
import type * as MessageModule from '../../../apps/server/src/domain/messages/message.js';
import type * as ParseMessageModule from '../../../apps/server/src/domain/messages/parse-message.js';
import type * as PasswordsModule from '../../../apps/server/src/domain/auth/passwords.js';
import type * as RoomModule from '../../../apps/server/src/domain/rooms/room.js';
import type * as SettingsCacheModule from '../../../apps/server/src/domain/settings/settings-cache.js';
import type * as StoreModule from '../../../apps/server/src/store/kysely-store.js';
import type * as SubscribeModule from '../../../apps/server/src/domain/subscriptions/subscribe.js';
import type * as TokensModule from '../../../apps/server/src/domain/auth/tokens.js';
import { serverModule } from '../paths.js';

export type { DomainContext } from '../../../apps/server/src/domain/context.js';
export type { MessageId, RoomId, UserId, DeviceId } from '../../../apps/server/src/domain/shared/ids.js';
export type { Tx } from '../../../apps/server/src/domain/ports/store.js';
export type { User } from '../../../apps/server/src/domain/users/user.js';
export type { KyselyStore } from '../../../apps/server/src/store/kysely-store.js';
export type { DatabaseTarget } from '../../../apps/server/src/store/open-database.js';

export interface ServerModules {
  readonly store: typeof StoreModule;
  readonly authorizer: typeof AuthorizerModule;
  readonly settings: typeof SettingsCacheModule;
  readonly attemptLimiter: typeof AttemptLimiterModule;
  readonly passwords: typeof PasswordsModule;
  readonly tokens: typeof TokensModule;
  readonly room: typeof RoomModule;
  readonly subscribe: typeof SubscribeModule;
  readonly message: typeof MessageModule;
  readonly parseMessage: typeof ParseMessageModule;
}

/**
 * The server code whose change changes what a seeded database holds, hashed into the data set's
 * name: the schema (migrations) and the domain helpers the seeder builds rows with. Repos' SQL is
 * left out on purpose: making a query faster must not cost a rebuild (`--rebuild-dataset` forces one).
 */
export const SEEDING_SERVER_PATHS = [
  'store/migrations',
  'domain/subscriptions/subscribe.js',
  'domain/rooms/room.js',
  'domain/messages/message.js',
  'domain/messages/parse-message.js',
  'domain/permissions/catalogue.js',
];

export async function loadServerModules(): Promise<ServerModules> {
  const load = <T>(path: string) => import(serverModule(path)) as Promise<T>;
  return {
    store: await load<typeof StoreModule>('store/kysely-store.js'),
    authorizer: await load<typeof AuthorizerModule>('domain/permissions/authorizer.js'),
    settings: await load<typeof SettingsCacheModule>('domain/settings/settings-cache.js'),
    attemptLimiter: await load<typeof AttemptLimiterModule>('domain/auth/attempt-limiter.js'),
    passwords: await load<typeof PasswordsModule>('domain/auth/passwords.js'),
    tokens: await load<typeof TokensModule>('domain/auth/tokens.js'),
    room: await load<typeof RoomModule>('domain/rooms/room.js'),
    subscribe: await load<typeof SubscribeModule>('domain/subscriptions/subscribe.js'),
    message: await load<typeof MessageModule>('domain/messages/message.js'),
    parseMessage: await load<typeof ParseMessageModule>('domain/messages/parse-message.js'),
  };
}
