import type { SettingRepo } from '../ports/store.js';
import { SETTINGS } from './catalogue.js';
import type { Setting, SettingValue } from './setting.js';

/**
 * The settings as this process sees them, read once at start and replaced on every change, so
 * that a change takes effect on the next request without a restart.
 */
export interface SettingsCache {
  get(id: string): Setting | undefined;
  bool(id: string): boolean;
  int(id: string): number;
  string(id: string): string;
  all(): readonly Setting[];
  /** Call after the transaction that wrote `setting` has committed. */
  replaceAfterCommit(setting: Setting): void;
}

/** Defines every catalogued setting that the database lacks, then loads them all. */
export async function loadSettings(repo: SettingRepo, now: number): Promise<SettingsCache> {
  for (const def of SETTINGS) {
    await repo.define({ ...def, value: def.packageValue, updatedAt: now });
  }
  const byId = new Map<string, Setting>((await repo.list()).map((s) => [s.id, s]));

  function value(id: string): SettingValue {
    const setting = byId.get(id);
    if (!setting) throw new Error(`Unknown setting ${id}`);
    return setting.value;
  }

  return {
    get: (id) => byId.get(id),
    bool: (id) => value(id) === true,
    int: (id) => Number(value(id)),
    string: (id) => String(value(id)),
    all: () => [...byId.values()],
    replaceAfterCommit: (setting) => void byId.set(setting.id, setting),
  };
}
