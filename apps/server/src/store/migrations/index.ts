import type { Migration, MigrationProvider } from 'kysely';
import { accounts } from './0001-accounts.js';
import { roomsAndMessages } from './0002-rooms-messages.js';
import { messageIndexes } from './0003-message-indexes.js';
import { events } from './0004-events.js';
import { threadListIndex } from './0005-thread-list-index.js';

/** Every migration, in order. Names sort; never rename or edit one that has shipped. */
const ALL: Record<string, Migration> = {
  '0001-accounts': accounts,
  '0002-rooms-messages': roomsAndMessages,
  '0003-message-indexes': messageIndexes,
  '0004-events': events,
  '0005-thread-list-index': threadListIndex,
};

export const migrations: MigrationProvider = {
  getMigrations: () => Promise.resolve(ALL),
};

/** Every migration's name, oldest first; the last is the schema version once migrated. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(ALL).sort();
