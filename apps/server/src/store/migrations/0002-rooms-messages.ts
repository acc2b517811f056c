import type { Kysely, Migration } from 'kysely';

/** Rooms, memberships (subscriptions) with their unread state, messages, and removals for sync. */
export const roomsAndMessages: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('rooms')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('t', 'varchar(2)', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('name_lower', 'text', (c) => c.unique())
      .addColumn('fname', 'text')
      .addColumn('creator_id', 'varchar(64)')
      .addColumn('creator_username', 'text')
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('announcement', 'text', (c) => c.notNull())
      .addColumn('read_only', 'integer', (c) => c.notNull())
      .addColumn('is_default', 'integer', (c) => c.notNull())
      .addColumn('archived', 'integer', (c) => c.notNull())
      .addColumn('join_code_hash', 'text')
      .addColumn('read_receipts', 'integer', (c) => c.notNull())
      .addColumn('msgs', 'integer', (c) => c.notNull())
      .addColumn('users_count', 'integer', (c) => c.notNull())
      .addColumn('last_message_id', 'varchar(64)')
      .addColumn('last_message_at', 'bigint')
      .addColumn('uids', 'text', (c) => c.notNull())
      // Sorted member ids of a DM, joined: finds "the DM of these people" in one lookup.
      .addColumn('uids_key', 'text', (c) => c.unique())
      .addColumn('usernames', 'text', (c) => c.notNull())
      .addColumn('muted', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rooms_t_name').on('rooms').columns(['t', 'name_lower']).execute();

    await db.schema
      .createTable('subscriptions')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('room_id', 'varchar(64)', (c) => c.notNull().references('rooms.id').onDelete('cascade'))
      .addColumn('user_id', 'varchar(64)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('t', 'varchar(2)', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('fname', 'text', (c) => c.notNull())
      .addColumn('open', 'integer', (c) => c.notNull())
      .addColumn('alert', 'integer', (c) => c.notNull())
      .addColumn('unread', 'integer', (c) => c.notNull())
      .addColumn('user_mentions', 'integer', (c) => c.notNull())
      .addColumn('group_mentions', 'integer', (c) => c.notNull())
      .addColumn('tunread', 'text', (c) => c.notNull())
      .addColumn('tunread_user', 'text', (c) => c.notNull())
      .addColumn('tunread_group', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addColumn('favorite', 'integer', (c) => c.notNull())
      .addColumn('archived', 'integer', (c) => c.notNull())
      .addColumn('ls', 'bigint')
      .addColumn('lr', 'bigint')
      .addColumn('joined_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('subscriptions_room_user')
      .on('subscriptions')
      .columns(['room_id', 'user_id'])
      .unique()
      .execute();
    await db.schema
      .createIndex('subscriptions_user_updated')
      .on('subscriptions')
      .columns(['user_id', 'updated_at'])
      .execute();

    await db.schema
      .createTable('subscription_removals')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('room_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('subscription_removals_user')
      .on('subscription_removals')
      .columns(['user_id', 'deleted_at'])
      .execute();

    await db.schema
      .createTable('messages')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('rid', 'varchar(64)', (c) => c.notNull())
      .addColumn('msg', 'text', (c) => c.notNull())
      .addColumn('t', 'varchar(64)')
      .addColumn('u_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('u_username', 'text', (c) => c.notNull())
      .addColumn('u_name', 'text')
      .addColumn('ts', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('tmid', 'varchar(64)')
      .addColumn('tshow', 'integer', (c) => c.notNull())
      .addColumn('tcount', 'integer', (c) => c.notNull())
      .addColumn('tlm', 'bigint')
      .addColumn('replies', 'text', (c) => c.notNull())
      .addColumn('mentions', 'text', (c) => c.notNull())
      .addColumn('mentioned_ids', 'text', (c) => c.notNull())
      .addColumn('channels', 'text', (c) => c.notNull())
      .addColumn('md', 'text', (c) => c.notNull())
      .addColumn('attachments', 'text', (c) => c.notNull())
      .addColumn('reactions', 'text', (c) => c.notNull())
      .addColumn('edited_at', 'bigint')
      .addColumn('edited_by', 'text')
      .addColumn('pinned', 'integer', (c) => c.notNull())
      .addColumn('pinned_at', 'bigint')
      .addColumn('pinned_by', 'text')
      .addColumn('starred_by', 'text', (c) => c.notNull())
      .addColumn('alias', 'text')
      .addColumn('emoji', 'text')
      .addColumn('avatar', 'text')
      .addColumn('extra', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .execute();
    // History: the newest messages of a room, and paging back by time.
    await db.schema.createIndex('messages_room_ts').on('messages').columns(['rid', 'ts']).execute();
    // Thread replies in order.
    await db.schema.createIndex('messages_thread_ts').on('messages').columns(['tmid', 'ts']).execute();
    // Sync: what changed in a room since a time.
    await db.schema
      .createIndex('messages_room_updated')
      .on('messages')
      .columns(['rid', 'updated_at'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['messages', 'subscription_removals', 'subscriptions', 'rooms']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
