import { sql, type Kysely, type Migration } from 'kysely';

/**
 * A room's thread parents, newest activity first (`chat.getThreadsList`), through a partial index
 * of the messages that have replies: the list read every message of the room before, a second and
 * more on a team channel with a quarter of a million messages.
 */
export const threadListIndex: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createIndex('messages_room_threads')
      .on('messages')
      .columns(['rid', 'tlm'])
      .where(sql.ref('tcount'), '>', 0)
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('messages_room_threads').execute();
  },
};
