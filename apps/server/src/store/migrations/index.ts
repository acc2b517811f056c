import type { Migration, MigrationProvider } from 'kysely';
import { accounts } from './0001-accounts.js';

/** Every migration, in order. Names sort; never rename or edit one that has shipped. */
const ALL: Record<string, Migration> = {
  '0001-accounts': accounts,
};

export const migrations: MigrationProvider = {
  getMigrations: () => Promise.resolve(ALL),
};
