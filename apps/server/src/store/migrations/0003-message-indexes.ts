import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Indexes the query-plan tests asked for: a thread's replies are found by (tmid, rid, ts) without
 * reading the whole room, and deleted messages (for `chat.syncMessages`) through a partial index
 * that the `deleted_at is null` paths cannot mistake for theirs.
 */
export const messageIndexes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('messages_thread_ts').execute();
    await db.schema.createIndex('messages_thread_ts').on('messages').columns(['tmid', 'rid', 'ts']).execute();
    await db.schema
      .createIndex('messages_room_deleted')
      .on('messages')
      .columns(['rid', 'deleted_at'])
      .where(sql.ref('deleted_at'), 'is not', null)
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('messages_room_deleted').execute();
    await db.schema.dropIndex('messages_thread_ts').execute();
    await db.schema.createIndex('messages_thread_ts').on('messages').columns(['tmid', 'ts']).execute();
  },
};
