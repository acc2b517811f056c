import type { Kysely, Selectable } from 'kysely';
import type { RoleScope } from '../domain/permissions/catalogue.js';
import type { Role } from '../domain/permissions/role.js';
import type { RoleRepo } from '../domain/ports/store.js';
import { bool, int } from './json.js';
import type { Database, RolesTable } from './schema.js';

export function createRoleRepo(db: Kysely<Database>): RoleRepo {
  return {
    async upsert(role) {
      const row = {
        id: role.id,
        name: role.name,
        scope: role.scope,
        description: role.description,
        protected: int(role.protected),
        mandatory2fa: int(role.mandatory2fa),
        updated_at: role.updatedAt,
      };
      await db
        .insertInto('roles')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...row }))
        .execute();
    },

    async byId(id) {
      const row = await db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRole(row) : null;
    },

    async byIdOrName(idOrName) {
      const byId = await this.byId(idOrName);
      if (byId) return byId;
      const rows = await db.selectFrom('roles').selectAll().execute();
      const lower = idOrName.toLowerCase();
      const row = rows.find((r) => r.name.toLowerCase() === lower);
      return row ? toRole(row) : null;
    },

    async list() {
      const rows = await db.selectFrom('roles').selectAll().orderBy('id').execute();
      return rows.map(toRole);
    },

    async updatedSince(since) {
      const rows = await db
        .selectFrom('roles')
        .selectAll()
        .where('updated_at', '>', since)
        .orderBy('id')
        .execute();
      return rows.map(toRole);
    },
  };
}

function toRole(row: Selectable<RolesTable>): Role {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope as RoleScope,
    description: row.description,
    protected: bool(row.protected),
    mandatory2fa: bool(row.mandatory2fa),
    updatedAt: row.updated_at,
  };
}
