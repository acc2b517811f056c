import { sql, type Kysely, type Selectable } from 'kysely';
import type { Paged, SubscriptionRepo } from '../domain/ports/store.js';
import type { RoomType } from '../domain/rooms/room.js';
import type { MessageId, RoomId, UserId } from '../domain/shared/ids.js';
import type { Subscription, SubscriptionPatch } from '../domain/subscriptions/subscription.js';
import { bool, int, parseJsonStrings } from './json.js';
import { escapeLike } from './like.js';
import type { Database, SubscriptionsTable } from './schema.js';
import { translateUniqueViolation } from './unique-violation.js';

export function createSubscriptionRepo(db: Kysely<Database>): SubscriptionRepo {
  return {
    async insert(subscription) {
      await translateUniqueViolation(() =>
        db.insertInto('subscriptions').values(toRow(subscription)).execute(),
      );
      // A member who comes back is no longer "removed" for sync.
      await db.deleteFrom('subscription_removals').where('id', '=', subscription.id).execute();
    },

    async byRoomAndUser(roomId, userId) {
      const row = await db
        .selectFrom('subscriptions')
        .selectAll()
        .where('room_id', '=', roomId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row ? toSubscription(row) : null;
    },

    async ofUser(userId, since) {
      let query = db.selectFrom('subscriptions').selectAll().where('user_id', '=', userId);
      if (since !== undefined) query = query.where('updated_at', '>', since);
      return (await query.orderBy('room_id').execute()).map(toSubscription);
    },

    async ofRoom(roomId) {
      const rows = await db
        .selectFrom('subscriptions')
        .selectAll()
        .where('room_id', '=', roomId)
        .orderBy('username')
        .execute();
      return rows.map(toSubscription);
    },

    async members(roomId, query): Promise<Paged<UserId>> {
      let base = db
        .selectFrom('subscriptions')
        .innerJoin('users', 'users.id', 'subscriptions.user_id')
        .where('subscriptions.room_id', '=', roomId);
      if (query.text) {
        const pattern = `%${escapeLike(query.text.toLowerCase())}%`;
        base = base.where((eb) =>
          eb.or([
            eb('users.username_lower', 'like', sql<string>`${pattern} escape '\\'`),
            eb('users.name_lower', 'like', sql<string>`${pattern} escape '\\'`),
          ]),
        );
      }
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await base
        .select('users.id')
        .orderBy('users.username_lower')
        .limit(query.count)
        .offset(query.offset)
        .execute();
      return { items: rows.map((r) => r.id as UserId), total: Number(total.n) };
    },

    async withRole(roomId, role) {
      // Few members hold room roles: read those and match the role exactly in code, which no
      // LIKE pattern over the JSON text could do for every role name.
      const rows = await db
        .selectFrom('subscriptions')
        .selectAll()
        .where('room_id', '=', roomId)
        .where('roles', '!=', '[]')
        .orderBy('username')
        .execute();
      return rows.map(toSubscription).filter((s) => s.roles.includes(role));
    },

    async update(id, patch, updatedAt) {
      const result = await db
        .updateTable('subscriptions')
        .set({ ...patchToRow(patch), updated_at: updatedAt })
        .where('id', '=', id)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return null;
      const row = await db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toSubscription(row) : null;
    },

    async delete(roomId, userId, deletedAt) {
      const existing = await this.byRoomAndUser(roomId, userId);
      if (!existing) return false;
      await db.deleteFrom('subscriptions').where('id', '=', existing.id).execute();
      await db
        .insertInto('subscription_removals')
        .values({ id: existing.id, room_id: roomId, user_id: userId, deleted_at: deletedAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ deleted_at: deletedAt }))
        .execute();
      return true;
    },

    async deleteAllOfRoom(roomId, deletedAt) {
      const rows = await db
        .selectFrom('subscriptions')
        .select(['id', 'user_id'])
        .where('room_id', '=', roomId)
        .execute();
      for (const row of rows) {
        await db
          .insertInto('subscription_removals')
          .values({ id: row.id, room_id: roomId, user_id: row.user_id, deleted_at: deletedAt })
          .onConflict((oc) => oc.column('id').doUpdateSet({ deleted_at: deletedAt }))
          .execute();
      }
      await db.deleteFrom('subscriptions').where('room_id', '=', roomId).execute();
      return rows.length;
    },

    async updateAllOfRoom(roomId, patch, updatedAt) {
      const result = await db
        .updateTable('subscriptions')
        .set({ ...patchToRow(patch), updated_at: updatedAt })
        .where('room_id', '=', roomId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async removedSince(userId, since) {
      const rows = await db
        .selectFrom('subscription_removals')
        .selectAll()
        .where('user_id', '=', userId)
        .where('deleted_at', '>', since)
        .orderBy('deleted_at')
        .execute();
      return rows.map((r) => ({ id: r.id, roomId: r.room_id as RoomId, deletedAt: r.deleted_at }));
    },

    async countNewMessage({ roomId, authorId, mentioned, groupMention, updatedAt }) {
      await db
        .updateTable('subscriptions')
        .set((eb) => ({
          unread: eb('unread', '+', 1),
          alert: 1,
          open: 1,
          ...(groupMention ? { group_mentions: eb('group_mentions', '+', 1) } : {}),
          updated_at: updatedAt,
        }))
        .where('room_id', '=', roomId)
        .where('user_id', '!=', authorId)
        .execute();
      const others = mentioned.filter((id) => id !== authorId);
      if (others.length > 0) {
        await db
          .updateTable('subscriptions')
          .set((eb) => ({ user_mentions: eb('user_mentions', '+', 1) }))
          .where('room_id', '=', roomId)
          .where('user_id', 'in', others)
          .execute();
      }
    },

    async renameMember(userId, username, updatedAt) {
      await db
        .updateTable('subscriptions')
        .set({ username, updated_at: updatedAt })
        .where('user_id', '=', userId)
        .execute();
    },

    async seenSince(roomId, ts) {
      const rows = await db
        .selectFrom('subscriptions')
        .selectAll()
        .where('room_id', '=', roomId)
        .where('ls', '>=', ts)
        .orderBy('username')
        .execute();
      return rows.map(toSubscription);
    },
  };
}

export function toSubscription(row: Selectable<SubscriptionsTable>): Subscription {
  return {
    id: row.id,
    roomId: row.room_id as RoomId,
    userId: row.user_id as UserId,
    username: row.username,
    t: row.t as RoomType,
    name: row.name,
    fname: row.fname,
    open: bool(row.open),
    alert: bool(row.alert),
    unread: row.unread,
    userMentions: row.user_mentions,
    groupMentions: row.group_mentions,
    tunread: parseJsonStrings(row.tunread) as MessageId[],
    tunreadUser: parseJsonStrings(row.tunread_user) as MessageId[],
    tunreadGroup: parseJsonStrings(row.tunread_group) as MessageId[],
    roles: parseJsonStrings(row.roles),
    favorite: bool(row.favorite),
    archived: bool(row.archived),
    ls: row.ls,
    lr: row.lr,
    joinedAt: row.joined_at,
    updatedAt: row.updated_at,
  };
}

function toRow(s: Subscription): SubscriptionsTable {
  return {
    id: s.id,
    room_id: s.roomId,
    user_id: s.userId,
    username: s.username,
    t: s.t,
    name: s.name,
    fname: s.fname,
    open: int(s.open),
    alert: int(s.alert),
    unread: s.unread,
    user_mentions: s.userMentions,
    group_mentions: s.groupMentions,
    tunread: JSON.stringify(s.tunread),
    tunread_user: JSON.stringify(s.tunreadUser),
    tunread_group: JSON.stringify(s.tunreadGroup),
    roles: JSON.stringify(s.roles),
    favorite: int(s.favorite),
    archived: int(s.archived),
    ls: s.ls,
    lr: s.lr,
    joined_at: s.joinedAt,
    updated_at: s.updatedAt,
  };
}

function patchToRow(p: SubscriptionPatch): Partial<SubscriptionsTable> {
  const row: Partial<SubscriptionsTable> = {};
  if (p.name !== undefined) row.name = p.name;
  if (p.fname !== undefined) row.fname = p.fname;
  if (p.t !== undefined) row.t = p.t;
  if (p.open !== undefined) row.open = int(p.open);
  if (p.alert !== undefined) row.alert = int(p.alert);
  if (p.unread !== undefined) row.unread = p.unread;
  if (p.userMentions !== undefined) row.user_mentions = p.userMentions;
  if (p.groupMentions !== undefined) row.group_mentions = p.groupMentions;
  if (p.tunread !== undefined) row.tunread = JSON.stringify(p.tunread);
  if (p.tunreadUser !== undefined) row.tunread_user = JSON.stringify(p.tunreadUser);
  if (p.tunreadGroup !== undefined) row.tunread_group = JSON.stringify(p.tunreadGroup);
  if (p.roles !== undefined) row.roles = JSON.stringify(p.roles);
  if (p.favorite !== undefined) row.favorite = int(p.favorite);
  if (p.archived !== undefined) row.archived = int(p.archived);
  if (p.ls !== undefined) row.ls = p.ls;
  if (p.lr !== undefined) row.lr = p.lr;
  return row;
}
