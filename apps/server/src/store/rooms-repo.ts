import { sql, type Kysely, type Selectable } from 'kysely';
import type { Room, RoomPatch, RoomType } from '../domain/rooms/room.js';
import type { Paged, RoomListQuery, RoomRepo, VisibleRoomQuery } from '../domain/ports/store.js';
import type { MessageId, RoomId, UserId } from '../domain/shared/ids.js';
import { bool, int, parseJsonStrings } from './json.js';
import { escapeLike } from './like.js';
import type { Database, RoomsTable, SubscriptionsTable } from './schema.js';
import { toSubscription } from './subscriptions-repo.js';
import { translateUniqueViolation } from './unique-violation.js';

/** Every subscriptions column, read beside a room by `withMembership`. */
const SUBSCRIPTION_COLUMNS = [
  'id',
  'room_id',
  'user_id',
  'username',
  't',
  'name',
  'fname',
  'open',
  'alert',
  'unread',
  'user_mentions',
  'group_mentions',
  'tunread',
  'tunread_user',
  'tunread_group',
  'roles',
  'favorite',
  'archived',
  'ls',
  'lr',
  'joined_at',
  'updated_at',
] as const satisfies readonly (keyof SubscriptionsTable)[];

const SORT = {
  name: 'name_lower',
  createdAt: 'created_at',
  usersCount: 'users_count',
  lastMessageAt: 'last_message_at',
} as const;

export function createRoomRepo(db: Kysely<Database>): RoomRepo {
  return {
    async insert(room) {
      await translateUniqueViolation(() => db.insertInto('rooms').values(toRow(room)).execute());
    },

    async update(id, patch, updatedAt) {
      const result = await translateUniqueViolation(() =>
        db
          .updateTable('rooms')
          .set({ ...patchToRow(patch), updated_at: updatedAt })
          .where('id', '=', id)
          .executeTakeFirst(),
      );
      return result.numUpdatedRows === 0n ? null : this.byId(id);
    },

    async delete(id) {
      const result = await db.deleteFrom('rooms').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async byId(id) {
      const row = await db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRoom(row) : null;
    },

    async byName(name) {
      const row = await db
        .selectFrom('rooms')
        .selectAll()
        .where('name_lower', '=', name.toLowerCase())
        .executeTakeFirst();
      return row ? toRoom(row) : null;
    },

    async withMembership(key, userId) {
      const rows = await db
        .selectFrom('rooms')
        .leftJoin('subscriptions', (join) =>
          join.onRef('subscriptions.room_id', '=', 'rooms.id').on('subscriptions.user_id', '=', userId),
        )
        .selectAll('rooms')
        .select(SUBSCRIPTION_COLUMNS.map((c) => sql.ref<unknown>(`subscriptions.${c}`).as(`s_${c}`)))
        .where(
          'id' in key ? 'rooms.id' : 'rooms.name_lower',
          '=',
          'id' in key ? key.id : key.name.toLowerCase(),
        )
        .execute();
      const row = rows[0] as (Selectable<RoomsTable> & Record<string, unknown>) | undefined;
      if (!row) return null;
      const subscription =
        row.s_id === null || row.s_id === undefined
          ? null
          : toSubscription(
              Object.fromEntries(
                SUBSCRIPTION_COLUMNS.map((c) => [c, row[`s_${c}`]]),
              ) as unknown as Selectable<SubscriptionsTable>,
            );
      return { room: toRoom(row), subscription };
    },

    async dmByMembers(uids) {
      const row = await db
        .selectFrom('rooms')
        .selectAll()
        .where('uids_key', '=', uidsKey(uids))
        .executeTakeFirst();
      return row ? toRoom(row) : null;
    },

    async list(query: RoomListQuery): Promise<Paged<Room>> {
      if (query.types.length === 0) return { items: [], total: 0 };
      let base = db.selectFrom('rooms').where('t', 'in', [...query.types]);
      if (query.text)
        base = base.where(
          'name_lower',
          'like',
          sql<string>`${`%${escapeLike(query.text.toLowerCase())}%`} escape '\\'`,
        );
      if (query.defaultOnly) base = base.where('is_default', '=', 1);
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const column = SORT[query.sort?.field ?? 'name'];
      const rows = await base
        .selectAll()
        .orderBy(column, (ob) =>
          query.sort?.direction === -1 ? ob.desc().nullsLast() : ob.asc().nullsFirst(),
        )
        .orderBy('id')
        .limit(query.count)
        .offset(query.offset)
        .execute();
      return { items: rows.map(toRoom), total: Number(total.n) };
    },

    async recordMessage(id, messageId, ts) {
      await db
        .updateTable('rooms')
        .set((eb) => ({
          msgs: eb('msgs', '+', 1),
          last_message_id: messageId,
          last_message_at: ts,
          updated_at: ts,
        }))
        .where('id', '=', id)
        .execute();
    },

    async setLastMessage(id, last, updatedAt) {
      await db
        .updateTable('rooms')
        .set({ last_message_id: last?.id ?? null, last_message_at: last?.ts ?? null, updated_at: updatedAt })
        .where('id', '=', id)
        .execute();
    },

    async adjustUsersCount(id, delta, updatedAt) {
      await db
        .updateTable('rooms')
        .set((eb) => ({ users_count: eb('users_count', '+', delta), updated_at: updatedAt }))
        .where('id', '=', id)
        .execute();
    },

    async ofUser(userId, since) {
      let query = db
        .selectFrom('rooms')
        .innerJoin('subscriptions', 'subscriptions.room_id', 'rooms.id')
        .selectAll('rooms')
        .where('subscriptions.user_id', '=', userId);
      if (since !== undefined) query = query.where('rooms.updated_at', '>', since);
      const rows = await query.orderBy('rooms.id').execute();
      return rows.map(toRoom);
    },

    async listVisible(query: VisibleRoomQuery): Promise<Paged<Room>> {
      const joined = db
        .selectFrom('subscriptions')
        .select('subscriptions.room_id')
        .where('subscriptions.user_id', '=', query.memberId);
      if (query.publicTypes.length === 0 && query.memberTypes.length === 0) return { items: [], total: 0 };
      let base = db.selectFrom('rooms').where((eb) => {
        const visible = [];
        if (query.publicTypes.length > 0) visible.push(eb('t', 'in', [...query.publicTypes]));
        if (query.memberTypes.length > 0)
          visible.push(eb.and([eb('t', 'in', [...query.memberTypes]), eb('id', 'in', joined)]));
        return eb.or(visible);
      });
      if (query.text)
        base = base.where(
          'name_lower',
          'like',
          sql<string>`${`%${escapeLike(query.text.toLowerCase())}%`} escape '\\'`,
        );
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const column = SORT[query.sort?.field ?? 'name'];
      const rows = await base
        .selectAll()
        .orderBy(column, (ob) =>
          query.sort?.direction === -1 ? ob.desc().nullsLast() : ob.asc().nullsFirst(),
        )
        .orderBy('id')
        .limit(query.count)
        .offset(query.offset)
        .execute();
      return { items: rows.map(toRoom), total: Number(total.n) };
    },
  };
}

export function uidsKey(uids: readonly string[]): string {
  return [...uids].sort().join(',');
}

function toRoom(row: Selectable<RoomsTable>): Room {
  return {
    id: row.id as RoomId,
    t: row.t as RoomType,
    name: row.name,
    fname: row.fname,
    creatorId: row.creator_id as UserId | null,
    creatorUsername: row.creator_username,
    topic: row.topic,
    description: row.description,
    announcement: row.announcement,
    readOnly: bool(row.read_only),
    isDefault: bool(row.is_default),
    archived: bool(row.archived),
    joinCodeHash: row.join_code_hash,
    readReceipts: bool(row.read_receipts),
    msgs: row.msgs,
    usersCount: row.users_count,
    lastMessageId: row.last_message_id as MessageId | null,
    lastMessageAt: row.last_message_at,
    uids: parseJsonStrings(row.uids) as UserId[],
    usernames: parseJsonStrings(row.usernames),
    muted: parseJsonStrings(row.muted),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(room: Room): RoomsTable {
  return {
    id: room.id,
    t: room.t,
    name: room.name,
    name_lower: room.name?.toLowerCase() ?? null,
    fname: room.fname,
    creator_id: room.creatorId,
    creator_username: room.creatorUsername,
    topic: room.topic,
    description: room.description,
    announcement: room.announcement,
    read_only: int(room.readOnly),
    is_default: int(room.isDefault),
    archived: int(room.archived),
    join_code_hash: room.joinCodeHash,
    read_receipts: int(room.readReceipts),
    msgs: room.msgs,
    users_count: room.usersCount,
    last_message_id: room.lastMessageId,
    last_message_at: room.lastMessageAt,
    uids: JSON.stringify(room.uids),
    uids_key: room.t === 'd' ? uidsKey(room.uids) : null,
    usernames: JSON.stringify(room.usernames),
    muted: JSON.stringify(room.muted),
    created_at: room.createdAt,
    updated_at: room.updatedAt,
  };
}

function patchToRow(patch: RoomPatch): Partial<RoomsTable> {
  const row: Partial<RoomsTable> = {};
  if (patch.t !== undefined) row.t = patch.t;
  if (patch.name !== undefined) {
    row.name = patch.name;
    row.name_lower = patch.name?.toLowerCase() ?? null;
  }
  if (patch.fname !== undefined) row.fname = patch.fname;
  if (patch.topic !== undefined) row.topic = patch.topic;
  if (patch.description !== undefined) row.description = patch.description;
  if (patch.announcement !== undefined) row.announcement = patch.announcement;
  if (patch.readOnly !== undefined) row.read_only = int(patch.readOnly);
  if (patch.isDefault !== undefined) row.is_default = int(patch.isDefault);
  if (patch.archived !== undefined) row.archived = int(patch.archived);
  if (patch.joinCodeHash !== undefined) row.join_code_hash = patch.joinCodeHash;
  if (patch.readReceipts !== undefined) row.read_receipts = int(patch.readReceipts);
  if (patch.usernames !== undefined) row.usernames = JSON.stringify(patch.usernames);
  if (patch.muted !== undefined) row.muted = JSON.stringify(patch.muted);
  return row;
}
