import type { Kysely } from 'kysely';
import type { MetaRepo } from '../domain/ports/store.js';
import type { Database } from './schema.js';

export function createMetaRepo(db: Kysely<Database>): MetaRepo {
  return {
    async get(key) {
      const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value ?? null;
    },

    async set(key, value) {
      await db
        .insertInto('meta')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },

    async delete(key) {
      await db.deleteFrom('meta').where('key', '=', key).execute();
    },
  };
}
