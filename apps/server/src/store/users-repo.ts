import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  ActiveUserQuery,
  Paged,
  UserListQuery,
  UserRepo,
  UserSortField,
} from '../domain/ports/store.js';
import type { UserId } from '../domain/shared/ids.js';
import type { User, UserPatch, UserStatus, UserType } from '../domain/users/user.js';
import { bool, int, parseJsonObject } from './json.js';
import type { Database, UsersTable } from './schema.js';
import { translateUniqueViolation } from './unique-violation.js';
import { escapeLike } from './like.js';

const SORT_COLUMN: Record<UserSortField, 'username_lower' | 'name' | 'created_at' | 'last_login'> = {
  username: 'username_lower',
  name: 'name',
  createdAt: 'created_at',
  lastLogin: 'last_login',
};

/** Ids bound per `in (…)`: far below SQLite's and PostgreSQL's limits on parameters. */
const IDS_PER_STATEMENT = 1_000;

export function createUserRepo(db: Kysely<Database>): UserRepo {
  async function rolesOf(ids: readonly string[]): Promise<Map<string, string[]>> {
    const byUser = new Map<string, string[]>();
    if (ids.length === 0) return byUser;
    const rows = await db
      .selectFrom('user_roles')
      .select(['user_id', 'role_id'])
      .where('user_id', 'in', ids)
      .orderBy('role_id')
      .execute();
    for (const row of rows) {
      const list = byUser.get(row.user_id) ?? [];
      list.push(row.role_id);
      byUser.set(row.user_id, list);
    }
    return byUser;
  }

  async function withRoles(rows: readonly Selectable<UsersTable>[]): Promise<User[]> {
    const roles = await rolesOf(rows.map((r) => r.id));
    return rows.map((row) => toUser(row, roles.get(row.id) ?? []));
  }

  async function one(row: Selectable<UsersTable> | undefined): Promise<User | null> {
    if (!row) return null;
    const [user] = await withRoles([row]);
    return user ?? null;
  }

  return {
    async insert(user) {
      await translateUniqueViolation(() => db.insertInto('users').values(toRow(user)).execute());
      if (user.roles.length > 0) {
        await db
          .insertInto('user_roles')
          .values(user.roles.map((role_id) => ({ user_id: user.id, role_id })))
          .execute();
      }
    },

    async update(id, patch, updatedAt) {
      const changes = patchToRow(patch);
      const result = await translateUniqueViolation(() =>
        db
          .updateTable('users')
          .set({ ...changes, updated_at: updatedAt })
          .where('id', '=', id)
          .executeTakeFirst(),
      );
      if (result.numUpdatedRows === 0n) return null;
      return this.byId(id);
    },

    async setStatuses(changes, updatedAt) {
      // An id listed twice gets its last status.
      const latest = new Map<UserId, UserStatus>(changes.map(({ id, status }) => [id, status]));
      const byStatus = new Map<UserStatus, UserId[]>();
      for (const [id, status] of latest) {
        const ids = byStatus.get(status) ?? [];
        ids.push(id);
        byStatus.set(status, ids);
      }
      let updated = 0;
      for (const [status, ids] of byStatus) {
        for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
          const result = await db
            .updateTable('users')
            .set({ status, updated_at: updatedAt })
            .where('id', 'in', ids.slice(i, i + IDS_PER_STATEMENT))
            .executeTakeFirst();
          updated += Number(result.numUpdatedRows);
        }
      }
      return updated;
    },

    async delete(id) {
      await db.deleteFrom('user_roles').where('user_id', '=', id).execute();
      await db.deleteFrom('login_tokens').where('user_id', '=', id).execute();
      const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async byId(id) {
      return one(await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst());
    },

    async byUsername(username) {
      const lower = username.toLowerCase();
      return one(
        await db.selectFrom('users').selectAll().where('username_lower', '=', lower).executeTakeFirst(),
      );
    },

    async byEmail(email) {
      const lower = email.toLowerCase();
      return one(
        await db.selectFrom('users').selectAll().where('email_lower', '=', lower).executeTakeFirst(),
      );
    },

    async list(query: UserListQuery): Promise<Paged<User>> {
      let base = db.selectFrom('users');
      if (query.role !== undefined) {
        const role = query.role;
        base = base.where(
          'id',
          'in',
          db.selectFrom('user_roles').select('user_id').where('role_id', '=', role),
        );
      }
      if (query.text !== undefined && query.text !== '') {
        const pattern = `%${escapeLike(query.text.toLowerCase())}%`;
        base = base.where((eb) =>
          eb.or([
            eb('username_lower', 'like', sql<string>`${pattern} escape '\\'`),
            eb('name_lower', 'like', sql<string>`${pattern} escape '\\'`),
            eb('email_lower', 'like', sql<string>`${pattern} escape '\\'`),
          ]),
        );
      }
      const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const column = SORT_COLUMN[query.sort?.field ?? 'username'];
      // Never-set values (last_login) sort first ascending and last descending in both dialects,
      // as MongoDB orders them for Rocket.Chat.
      const rows = await base
        .selectAll()
        .orderBy(column, (ob) =>
          query.sort?.direction === -1 ? ob.desc().nullsLast() : ob.asc().nullsFirst(),
        )
        .orderBy('id', 'asc')
        .limit(query.count)
        .offset(query.offset)
        .execute();
      return { items: await withRoles(rows), total: Number(totalRow.n) };
    },

    async addRole(id, role, updatedAt) {
      const existing = await db
        .selectFrom('user_roles')
        .select('role_id')
        .where('user_id', '=', id)
        .where('role_id', '=', role)
        .executeTakeFirst();
      if (!existing) await db.insertInto('user_roles').values({ user_id: id, role_id: role }).execute();
      await db.updateTable('users').set({ updated_at: updatedAt }).where('id', '=', id).execute();
    },

    async removeRole(id, role, updatedAt) {
      await db.deleteFrom('user_roles').where('user_id', '=', id).where('role_id', '=', role).execute();
      await db.updateTable('users').set({ updated_at: updatedAt }).where('id', '=', id).execute();
    },

    async byIds(ids) {
      if (ids.length === 0) return [];
      return withRoles(
        await db
          .selectFrom('users')
          .selectAll()
          .where('id', 'in', [...ids])
          .orderBy('username_lower')
          .execute(),
      );
    },

    async identities(ids) {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('users')
        .select(['id', 'username', 'name', 'active'])
        .where('id', 'in', [...new Set(ids)])
        .execute();
      return rows.map((row) => ({
        id: row.id as UserId,
        username: row.username,
        name: row.name,
        active: bool(row.active),
      }));
    },

    async byUsernames(usernames) {
      if (usernames.length === 0) return [];
      const lower = [...new Set(usernames.map((u) => u.toLowerCase()))];
      return withRoles(
        await db
          .selectFrom('users')
          .selectAll()
          .where('username_lower', 'in', lower)
          .orderBy('username_lower')
          .execute(),
      );
    },

    async listActive(query: ActiveUserQuery): Promise<Paged<User>> {
      let base = db.selectFrom('users').where('active', '=', 1);
      if (query.exceptIds !== undefined && query.exceptIds.length > 0)
        base = base.where('id', 'not in', [...query.exceptIds]);
      if (query.text !== undefined && query.text !== '') {
        const pattern = `%${escapeLike(query.text.toLowerCase())}%`;
        base = base.where((eb) =>
          eb.or([
            eb('username_lower', 'like', sql<string>`${pattern} escape '\\'`),
            eb('name_lower', 'like', sql<string>`${pattern} escape '\\'`),
          ]),
        );
      }
      const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const column = SORT_COLUMN[query.sort?.field ?? 'username'];
      const rows = await base
        .selectAll()
        .orderBy(column, (ob) => (query.sort?.direction === -1 ? ob.desc() : ob.asc()))
        .orderBy('id', 'asc')
        .limit(query.count)
        .offset(query.offset)
        .execute();
      return { items: await withRoles(rows), total: Number(totalRow.n) };
    },

    async countWithRole(role) {
      const row = await db
        .selectFrom('user_roles')
        .innerJoin('users', 'users.id', 'user_roles.user_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_roles.role_id', '=', role)
        .where('users.active', '=', 1)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

function toUser(row: Selectable<UsersTable>, roles: readonly string[]): User {
  return {
    id: row.id as UserId,
    username: row.username,
    name: row.name,
    type: row.type as UserType,
    email: row.email,
    emailVerified: bool(row.email_verified),
    active: bool(row.active),
    roles,
    status: row.status as UserStatus,
    statusText: row.status_text,
    statusDefault: row.status_default as UserStatus,
    utcOffset: row.utc_offset,
    nickname: row.nickname,
    bio: row.bio,
    customFields: parseJsonObject(row.custom_fields) as Record<string, string>,
    preferences: parseJsonObject(row.preferences),
    passwordHash: row.password_hash,
    requirePasswordChange: bool(row.require_password_change),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLogin: row.last_login,
  };
}

function toRow(user: User): UsersTable {
  return {
    id: user.id,
    username: user.username,
    username_lower: user.username.toLowerCase(),
    name: user.name,
    name_lower: user.name.toLowerCase(),
    type: user.type,
    email: user.email,
    email_lower: user.email?.toLowerCase() ?? null,
    email_verified: int(user.emailVerified),
    active: int(user.active),
    status: user.status,
    status_text: user.statusText,
    status_default: user.statusDefault,
    utc_offset: user.utcOffset,
    nickname: user.nickname,
    bio: user.bio,
    custom_fields: JSON.stringify(user.customFields),
    preferences: JSON.stringify(user.preferences),
    password_hash: user.passwordHash,
    require_password_change: int(user.requirePasswordChange),
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    last_login: user.lastLogin,
  };
}

function patchToRow(patch: UserPatch): Partial<UsersTable> {
  const row: Partial<UsersTable> = {};
  if (patch.username !== undefined) {
    row.username = patch.username;
    row.username_lower = patch.username.toLowerCase();
  }
  if (patch.name !== undefined) {
    row.name = patch.name;
    row.name_lower = patch.name.toLowerCase();
  }
  if (patch.email !== undefined) {
    row.email = patch.email;
    row.email_lower = patch.email?.toLowerCase() ?? null;
  }
  if (patch.emailVerified !== undefined) row.email_verified = int(patch.emailVerified);
  if (patch.active !== undefined) row.active = int(patch.active);
  if (patch.status !== undefined) row.status = patch.status;
  if (patch.statusText !== undefined) row.status_text = patch.statusText;
  if (patch.statusDefault !== undefined) row.status_default = patch.statusDefault;
  if (patch.utcOffset !== undefined) row.utc_offset = patch.utcOffset;
  if (patch.nickname !== undefined) row.nickname = patch.nickname;
  if (patch.bio !== undefined) row.bio = patch.bio;
  if (patch.customFields !== undefined) row.custom_fields = JSON.stringify(patch.customFields);
  if (patch.preferences !== undefined) row.preferences = JSON.stringify(patch.preferences);
  if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash;
  if (patch.requirePasswordChange !== undefined)
    row.require_password_change = int(patch.requirePasswordChange);
  if (patch.lastLogin !== undefined) row.last_login = patch.lastLogin;
  return row;
}
