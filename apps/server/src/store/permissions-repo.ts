import type { Kysely, Selectable } from 'kysely';
import type { Permission } from '../domain/permissions/role.js';
import type { PermissionRepo } from '../domain/ports/store.js';
import { parseJsonStrings } from './json.js';
import type { Database, PermissionsTable } from './schema.js';

export function createPermissionRepo(db: Kysely<Database>): PermissionRepo {
  return {
    async insertIfAbsent(permission) {
      await db
        .insertInto('permissions')
        .values({
          id: permission.id,
          roles: JSON.stringify(permission.roles),
          updated_at: permission.updatedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },

    async setRoles(id, roles, updatedAt) {
      await db
        .updateTable('permissions')
        .set({ roles: JSON.stringify(roles), updated_at: updatedAt })
        .where('id', '=', id)
        .execute();
    },

    async byId(id) {
      const row = await db.selectFrom('permissions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toPermission(row) : null;
    },

    async list() {
      const rows = await db.selectFrom('permissions').selectAll().orderBy('id').execute();
      return rows.map(toPermission);
    },

    async updatedSince(since) {
      const rows = await db
        .selectFrom('permissions')
        .selectAll()
        .where('updated_at', '>', since)
        .orderBy('id')
        .execute();
      return rows.map(toPermission);
    },
  };
}

function toPermission(row: Selectable<PermissionsTable>): Permission {
  return { id: row.id, roles: parseJsonStrings(row.roles), updatedAt: row.updated_at };
}
