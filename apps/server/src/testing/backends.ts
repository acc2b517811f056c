import { describe } from 'vitest';
import { postgresAvailable, type Backend } from './databases.js';

/**
 * Declares `suite` once per backend: SQLite always, PostgreSQL when it answers (otherwise the
 * block is skipped and `postgresAvailable` has said so loudly). Call at a test file's top level.
 */
export async function onEachBackend(title: string, suite: (backend: Backend) => void): Promise<void> {
  const postgres = await postgresAvailable();
  describe(`${title} [sqlite]`, () => suite('sqlite'));
  describe.skipIf(!postgres)(`${title} [postgres]`, () => suite('postgres'));
}
