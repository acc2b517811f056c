import { PostgresAdapter, type Kysely, type Migration } from 'kysely';

/**
 * The outbox: every domain event an action commits, in the same transaction as its writes. The
 * position is the event stream's order; realtime fan-out publishes from it after commit, and
 * durable consumers keep a cursor into it.
 */
export const events: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable('events')
      .addColumn('position', postgres ? 'bigserial' : 'integer', (c) =>
        postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('audience', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_at').on('events').column('at').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('events').execute();
  },
};
