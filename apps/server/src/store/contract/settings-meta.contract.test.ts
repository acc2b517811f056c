import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Setting } from '../../domain/settings/setting.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { aSetting, LAST_DATE_MS, T0 } from './factories.js';

const LANGUAGE: Setting = {
  id: 'Language',
  type: 'select',
  value: 'fr',
  packageValue: 'en',
  public: true,
  group: 'General',
  values: [
    { key: 'en', i18nLabel: 'English' },
    { key: 'fr', i18nLabel: 'Français' },
    { key: 'zh', i18nLabel: '中文' },
  ],
  updatedAt: T0,
};

await onEachBackend('SettingRepo and MetaRepo', (backend) => {
  let database: TestDatabase;
  let store: KyselyStore;

  beforeEach(async () => {
    database = await freshDatabase(backend);
    store = createStore(database.target);
    await store.migrateToLatest();
  });

  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  describe('settings', () => {
    it('define inserts a setting with its value, select values included', async () => {
      await store.settings.define(LANGUAGE);

      expect(await store.settings.byId('Language')).toStrictEqual(LANGUAGE);
    });

    it('round-trips boolean, integer and string values of every type', async () => {
      const settings = [
        aSetting({ id: 'Accounts_RegistrationForm', type: 'boolean', value: false, packageValue: true }),
        aSetting({ id: 'Message_MaxAllowedSize', type: 'int', value: 0, packageValue: 5000 }),
        aSetting({ id: 'Site_Name', type: 'string', value: '', packageValue: 'Parley – 会話 💬' }),
        aSetting({ id: 'Custom_CSS', type: 'code', value: 'a { content: "\\n" }\n', packageValue: '' }),
        aSetting({ id: 'SMTP_Password', type: 'password', value: '"quoted"', packageValue: 'null' }),
      ];
      for (const setting of settings) await store.settings.define(setting);

      for (const setting of settings) expect(await store.settings.byId(setting.id)).toStrictEqual(setting);
    });

    it('define again keeps the stored value but refreshes the definition', async () => {
      await store.settings.define(LANGUAGE);
      await store.settings.setValue('Language', 'zh', T0 + 50);

      await store.settings.define({
        ...LANGUAGE,
        value: 'en',
        packageValue: 'de',
        public: false,
        group: 'Localization',
        values: [
          { key: 'de', i18nLabel: 'Deutsch' },
          { key: 'zh', i18nLabel: '中文' },
        ],
      });

      expect(await store.settings.byId('Language')).toStrictEqual({
        ...LANGUAGE,
        value: 'zh',
        packageValue: 'de',
        public: false,
        group: 'Localization',
        values: [
          { key: 'de', i18nLabel: 'Deutsch' },
          { key: 'zh', i18nLabel: '中文' },
        ],
        updatedAt: T0 + 50,
      });
    });

    it('define again can change the type and drop select values', async () => {
      await store.settings.define(LANGUAGE);

      await store.settings.define({
        id: 'Language',
        type: 'string',
        value: 'x',
        packageValue: 'en',
        public: true,
        group: 'General',
        updatedAt: T0,
      });

      const stored = await store.settings.byId('Language');
      expect(stored).toMatchObject({ type: 'string', value: 'fr', packageValue: 'en' });
      expect(stored).not.toHaveProperty('values');
    });

    it('setValue stores and returns the new value with its updatedAt', async () => {
      const flag = aSetting({
        id: 'API_Enable_Rate_Limiter',
        type: 'boolean',
        value: true,
        packageValue: true,
      });
      await store.settings.define(flag);

      const returned = await store.settings.setValue(flag.id, false, LAST_DATE_MS);

      expect(returned).toStrictEqual({ ...flag, value: false, updatedAt: LAST_DATE_MS });
      expect(await store.settings.byId(flag.id)).toStrictEqual(returned);
    });

    it('setValue touches only that setting', async () => {
      const a = aSetting({ value: 'a' });
      const b = aSetting({ value: 'b' });
      await store.settings.define(a);
      await store.settings.define(b);

      await store.settings.setValue(a.id, 'changed', T0 + 1);

      expect(await store.settings.byId(b.id)).toStrictEqual(b);
    });

    it('setValue answers null for an unknown id and creates nothing', async () => {
      expect(await store.settings.setValue('No_Such_Setting', 'x', T0)).toBeNull();
      expect(await store.settings.byId('No_Such_Setting')).toBeNull();
      expect(await store.settings.list()).toEqual([]);
    });

    it('list returns every setting, ordered by id, values round-tripped', async () => {
      const port = aSetting({ id: 'SMTP_Port', type: 'int', value: 587, packageValue: 25 });
      const enabled = aSetting({
        id: 'E2E_Enable',
        type: 'boolean',
        value: true,
        packageValue: false,
        public: true,
      });
      for (const setting of [port, LANGUAGE, enabled]) await store.settings.define(setting);

      expect(await store.settings.list()).toStrictEqual([enabled, LANGUAGE, port]);
    });
  });

  describe('meta', () => {
    it('get answers null for a key never set', async () => {
      expect(await store.meta.get('setup_token_hash')).toBeNull();
    });

    it('set then get round-trips the value', async () => {
      await store.meta.set('workspace_id', 'ws-Ünïcødé-🔑');

      expect(await store.meta.get('workspace_id')).toBe('ws-Ünïcødé-🔑');
    });

    it('set again overwrites, leaving other keys alone', async () => {
      await store.meta.set('setup_token_hash', 'first');
      await store.meta.set('workspace_id', 'ws');

      await store.meta.set('setup_token_hash', 'second');

      expect(await store.meta.get('setup_token_hash')).toBe('second');
      expect(await store.meta.get('workspace_id')).toBe('ws');
    });

    it('stores an empty string as an empty string, not as absent', async () => {
      await store.meta.set('note', '');

      expect(await store.meta.get('note')).toBe('');
    });

    it('delete removes only that key and tolerates a missing one', async () => {
      await store.meta.set('setup_token_hash', 'h');
      await store.meta.set('workspace_id', 'ws');

      await store.meta.delete('setup_token_hash');
      await store.meta.delete('never_set');

      expect(await store.meta.get('setup_token_hash')).toBeNull();
      expect(await store.meta.get('workspace_id')).toBe('ws');
    });
  });
});
