import type { DomainContext } from '../context.js';
import { emit } from '../events/emit.js';
import { toAll, toLogged } from '../events/events.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import { SETTINGS } from './catalogue.js';
import type { Setting, SettingValue } from './setting.js';

/** `settings.public`: settings anyone may read, logged in or not. */
export function publicSettings(ctx: DomainContext): readonly Setting[] {
  return ctx.settings.all().filter((s) => s.public);
}

/** `GET settings/:_id`: public settings for anyone; the rest need `view-privileged-setting`. */
export async function getSetting(ctx: DomainContext, actor: Actor, id: string): Promise<Setting> {
  const setting = ctx.settings.get(id);
  if (!setting) throw ChatError.settingNotFound(id);
  if (!setting.public) await ctx.authz.require(actor, 'view-privileged-setting');
  return setting;
}

/**
 * `POST settings/:_id`: changes one setting; takes effect on the next request, no restart.
 * Needs `edit-privileged-setting`. The value must have the setting's type and bounds.
 */
export async function updateSetting(
  ctx: DomainContext,
  actor: Actor,
  id: string,
  value: unknown,
): Promise<Setting> {
  await ctx.authz.require(actor, 'edit-privileged-setting');
  const setting = ctx.settings.get(id);
  if (!setting) throw ChatError.settingNotFound(id);
  const checked = checkValue(setting, value);
  const saved = await ctx.store.transaction(async (tx) => {
    const now = ctx.clock.now();
    const written = await tx.settings.setValue(id, checked, now);
    if (!written) throw ChatError.settingNotFound(id);
    const audience = written.public ? toAll : toLogged;
    await emit(tx, now, { type: 'setting.changed', audience, setting: written });
    return written;
  });
  ctx.settings.replaceAfterCommit(saved);
  return saved;
}

function checkValue(setting: Setting, value: unknown): SettingValue {
  const invalid = (why: string) =>
    ChatError.invalid('error-invalid-setting-value', `Invalid value for setting ${setting.id}: ${why}`);
  switch (setting.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid('expected a boolean');
      return value;
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid('expected an integer');
      const def = SETTINGS.find((d) => d.id === setting.id);
      if ((def?.min !== undefined && value < def.min) || (def?.max !== undefined && value > def.max)) {
        throw invalid(`expected an integer from ${def?.min ?? '-∞'} to ${def?.max ?? '∞'}`);
      }
      return value;
    }
    case 'select':
      if (typeof value !== 'string' || !(setting.values ?? []).some((v) => v.key === value)) {
        throw invalid(`expected one of ${(setting.values ?? []).map((v) => v.key).join(', ')}`);
      }
      return value;
    default:
      if (typeof value !== 'string') throw invalid('expected a string');
      if (value.length > 10_000) throw invalid('longer than 10000 characters');
      if (setting.id === 'UTF8_User_Names_Validation') {
        try {
          new RegExp(value, 'u');
        } catch {
          throw invalid('not a valid regular expression');
        }
      }
      return value;
  }
}
