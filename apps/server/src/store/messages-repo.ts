import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  ChannelRef,
  Mention,
  Message,
  MessagePatch,
  Reactions,
  UserRef,
} from '../domain/messages/message.js';
import type { MessageQuery, MessageRepo, Paged } from '../domain/ports/store.js';
import type { MessageId, RoomId, UserId } from '../domain/shared/ids.js';
import { bool, int, parseJsonObject, parseJsonStrings } from './json.js';
import { escapeLike } from './like.js';
import type { Database, MessagesTable } from './schema.js';
import { translateUniqueViolation } from './unique-violation.js';

export function createMessageRepo(db: Kysely<Database>): MessageRepo {
  return {
    async insert(message) {
      await translateUniqueViolation(() => db.insertInto('messages').values(toRow(message)).execute());
    },

    async byId(id) {
      const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toMessage(row) : null;
    },

    async byIds(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('messages')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute();
      return rows.map(toMessage);
    },

    async update(id, patch, updatedAt) {
      const result = await db
        .updateTable('messages')
        .set({ ...patchToRow(patch), updated_at: updatedAt })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows === 0n ? null : this.byId(id);
    },

    async find(query: MessageQuery): Promise<Paged<Message>> {
      let base = query.threadOf
        ? db.selectFrom('messages').where('tmid', '=', query.threadOf).where('rid', '=', query.roomId)
        : db.selectFrom('messages').where('rid', '=', query.roomId);
      base = base.where('deleted_at', 'is', null);
      if (query.latest !== undefined) base = base.where('ts', query.inclusive ? '<=' : '<', query.latest);
      if (query.oldest !== undefined) base = base.where('ts', query.inclusive ? '>=' : '>', query.oldest);
      if (query.hideThreadReplies)
        base = base.where((eb) => eb.or([eb('tmid', 'is', null), eb('tshow', '=', 1)]));
      if (query.pinned) base = base.where('pinned', '=', 1);
      if (query.starredBy) base = base.where('starred_by', 'like', `%"${query.starredBy}"%`);
      if (query.mentions) base = base.where('mentioned_ids', 'like', `% ${query.mentions} %`);
      if (query.threadsOnly) base = base.where('tcount', '>', 0);
      if (query.followedBy) base = base.where('replies', 'like', `%"${query.followedBy}"%`);
      if (query.ids) {
        if (query.ids.length === 0) return { items: [], total: 0 };
        base = base.where('id', 'in', [...query.ids]);
      }
      if (query.text !== undefined && query.text !== '') {
        const pattern = `%${escapeLike(query.text.toLowerCase())}%`;
        base = base.where((eb) =>
          eb(eb.fn<string>('lower', ['msg']), 'like', sql<string>`${pattern} escape '\\'`),
        );
      }
      const total =
        query.countTotal === false
          ? { n: -1 }
          : await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const direction = query.order === 'oldest' ? 'asc' : 'desc';
      const rows = await base
        .selectAll()
        .orderBy(query.threadsOnly ? 'tlm' : 'ts', direction)
        .orderBy('id', direction)
        .limit(query.count)
        .offset(query.offset)
        .execute();
      return { items: rows.map(toMessage), total: Number(total.n) };
    },

    async updatedSince(roomId, since, page, threadOf) {
      let query = db
        .selectFrom('messages')
        .selectAll()
        .where('rid', '=', roomId)
        .where('updated_at', '>', since)
        .where('deleted_at', 'is', null);
      if (threadOf) query = query.where('tmid', '=', threadOf);
      const rows = await query
        .orderBy('updated_at')
        .orderBy('id')
        .limit(page.count)
        .offset(page.offset)
        .execute();
      return rows.map(toMessage);
    },

    async deletedSince(roomId, since, page, threadOf) {
      let base = db.selectFrom('messages').where('rid', '=', roomId).where('deleted_at', '>', since);
      if (threadOf) base = base.where('tmid', '=', threadOf);
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await base
        .selectAll()
        .orderBy('deleted_at')
        .orderBy('id')
        .limit(page.count)
        .offset(page.offset)
        .execute();
      return { items: rows.map(toMessage), total: Number(total.n) };
    },

    async countAfter(roomId, since, exceptUserId) {
      const row = await db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('rid', '=', roomId)
        .where('ts', '>', since)
        .where('deleted_at', 'is', null)
        .where('u_id', '!=', exceptUserId)
        .where((eb) => eb.or([eb('tmid', 'is', null), eb('tshow', '=', 1)]))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async renameAuthor(userId, username, name) {
      await db
        .updateTable('messages')
        .set({ u_username: username, u_name: name })
        .where('u_id', '=', userId)
        .execute();
    },

    async deleteAllOfRoom(roomId) {
      const result = await db.deleteFrom('messages').where('rid', '=', roomId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function json<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function toMessage(row: Selectable<MessagesTable>): Message {
  return {
    id: row.id as MessageId,
    rid: row.rid as RoomId,
    msg: row.msg,
    t: row.t,
    u: { _id: row.u_id, username: row.u_username, ...(row.u_name !== null ? { name: row.u_name } : {}) },
    ts: row.ts,
    updatedAt: row.updated_at,
    tmid: row.tmid as MessageId | null,
    tshow: bool(row.tshow),
    tcount: row.tcount,
    tlm: row.tlm,
    replies: parseJsonStrings(row.replies) as UserId[],
    mentions: json<Mention[]>(row.mentions) ?? [],
    channels: json<ChannelRef[]>(row.channels) ?? [],
    md: json<unknown[]>(row.md) ?? [],
    attachments: json<Record<string, unknown>[]>(row.attachments) ?? [],
    reactions: json<Reactions>(row.reactions) ?? {},
    editedAt: row.edited_at,
    editedBy: json<UserRef>(row.edited_by),
    pinned: bool(row.pinned),
    pinnedAt: row.pinned_at,
    pinnedBy: json<UserRef>(row.pinned_by),
    starredBy: parseJsonStrings(row.starred_by) as UserId[],
    alias: row.alias,
    emoji: row.emoji,
    avatar: row.avatar,
    extra: parseJsonObject(row.extra),
    deletedAt: row.deleted_at,
  };
}

function mentionedIds(mentions: readonly Mention[]): string {
  return mentions.length === 0 ? '' : ` ${mentions.map((m) => m._id).join(' ')} `;
}

function toRow(m: Message): MessagesTable {
  return {
    id: m.id,
    rid: m.rid,
    msg: m.msg,
    t: m.t,
    u_id: m.u._id,
    u_username: m.u.username,
    u_name: m.u.name ?? null,
    ts: m.ts,
    updated_at: m.updatedAt,
    tmid: m.tmid,
    tshow: int(m.tshow),
    tcount: m.tcount,
    tlm: m.tlm,
    replies: JSON.stringify(m.replies),
    mentions: JSON.stringify(m.mentions),
    mentioned_ids: mentionedIds(m.mentions),
    channels: JSON.stringify(m.channels),
    md: JSON.stringify(m.md),
    attachments: JSON.stringify(m.attachments),
    reactions: JSON.stringify(m.reactions),
    edited_at: m.editedAt,
    edited_by: m.editedBy ? JSON.stringify(m.editedBy) : null,
    pinned: int(m.pinned),
    pinned_at: m.pinnedAt,
    pinned_by: m.pinnedBy ? JSON.stringify(m.pinnedBy) : null,
    starred_by: JSON.stringify(m.starredBy),
    alias: m.alias,
    emoji: m.emoji,
    avatar: m.avatar,
    extra: JSON.stringify(m.extra),
    deleted_at: m.deletedAt,
  };
}

function patchToRow(p: MessagePatch): Partial<MessagesTable> {
  const row: Partial<MessagesTable> = {};
  if (p.msg !== undefined) row.msg = p.msg;
  if (p.md !== undefined) row.md = JSON.stringify(p.md);
  if (p.mentions !== undefined) {
    row.mentions = JSON.stringify(p.mentions);
    row.mentioned_ids = mentionedIds(p.mentions);
  }
  if (p.channels !== undefined) row.channels = JSON.stringify(p.channels);
  if (p.attachments !== undefined) row.attachments = JSON.stringify(p.attachments);
  if (p.reactions !== undefined) row.reactions = JSON.stringify(p.reactions);
  if (p.editedAt !== undefined) row.edited_at = p.editedAt;
  if (p.editedBy !== undefined) row.edited_by = p.editedBy ? JSON.stringify(p.editedBy) : null;
  if (p.pinned !== undefined) row.pinned = int(p.pinned);
  if (p.pinnedAt !== undefined) row.pinned_at = p.pinnedAt;
  if (p.pinnedBy !== undefined) row.pinned_by = p.pinnedBy ? JSON.stringify(p.pinnedBy) : null;
  if (p.starredBy !== undefined) row.starred_by = JSON.stringify(p.starredBy);
  if (p.tcount !== undefined) row.tcount = p.tcount;
  if (p.tlm !== undefined) row.tlm = p.tlm;
  if (p.replies !== undefined) row.replies = JSON.stringify(p.replies);
  if (p.deletedAt !== undefined) row.deleted_at = p.deletedAt;
  if (p.u !== undefined) {
    row.u_id = p.u._id;
    row.u_username = p.u.username;
    row.u_name = p.u.name ?? null;
  }
  return row;
}
