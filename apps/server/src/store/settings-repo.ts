import type { Kysely, Selectable } from 'kysely';
import type { SettingRepo } from '../domain/ports/store.js';
import type { Setting, SettingType, SettingValue } from '../domain/settings/setting.js';
import { bool, int } from './json.js';
import type { Database, SettingsTable } from './schema.js';

export function createSettingRepo(db: Kysely<Database>): SettingRepo {
  return {
    async define(setting) {
      const definition = {
        type: setting.type,
        package_value: JSON.stringify(setting.packageValue),
        public: int(setting.public),
        group_name: setting.group,
        select_values: setting.values ? JSON.stringify(setting.values) : null,
      };
      await db
        .insertInto('settings')
        .values({
          id: setting.id,
          value: JSON.stringify(setting.value),
          updated_at: setting.updatedAt,
          ...definition,
        })
        .onConflict((oc) => oc.column('id').doUpdateSet(definition))
        .execute();
    },

    async setValue(id, value, updatedAt) {
      await db
        .updateTable('settings')
        .set({ value: JSON.stringify(value), updated_at: updatedAt })
        .where('id', '=', id)
        .execute();
      return this.byId(id);
    },

    async byId(id) {
      const row = await db.selectFrom('settings').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toSetting(row) : null;
    },

    async list() {
      const rows = await db.selectFrom('settings').selectAll().orderBy('id').execute();
      return rows.map(toSetting);
    },
  };
}

function toSetting(row: Selectable<SettingsTable>): Setting {
  return {
    id: row.id,
    type: row.type as SettingType,
    value: JSON.parse(row.value) as SettingValue,
    packageValue: JSON.parse(row.package_value) as SettingValue,
    public: bool(row.public),
    group: row.group_name,
    ...(row.select_values
      ? { values: JSON.parse(row.select_values) as { key: string; i18nLabel: string }[] }
      : {}),
    updatedAt: row.updated_at,
  };
}
