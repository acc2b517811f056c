import type { DomainContext } from '../context.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import { DEFAULT_PREFERENCES, effectivePreferences } from './preferences.js';
import type { User } from './user.js';

/** `users.getPreferences`: the caller's preferences, defaults filled in. */
export async function getPreferences(ctx: DomainContext, actor: Actor): Promise<Record<string, unknown>> {
  const user = await ctx.store.users.byId(actor.userId);
  if (!user) throw ChatError.userNotFound();
  return effectivePreferences(user.preferences);
}

/**
 * `users.setPreferences`: merges `data` into the saved preferences. Only known keys with the type
 * of their default are accepted. Another user's preferences need `edit-other-user-info`.
 */
export async function setPreferences(
  ctx: DomainContext,
  actor: Actor,
  input: { userId?: UserId; data: Record<string, unknown> },
): Promise<User> {
  const target = input.userId ?? actor.userId;
  if (target !== actor.userId) await ctx.authz.require(actor, 'edit-other-user-info');
  const entries = Object.entries(input.data);
  if (entries.length === 0) throw ChatError.invalidParams('data must name at least one preference');
  for (const [key, value] of entries) checkPreference(key, value);

  return ctx.store.transaction(async (tx) => {
    const user = await tx.users.byId(target);
    if (!user) throw ChatError.userNotFound();
    const preferences = { ...user.preferences, ...input.data };
    return (await tx.users.update(user.id, { preferences }, ctx.clock.now())) ?? user;
  });
}

function checkPreference(key: string, value: unknown): void {
  if (!Object.hasOwn(DEFAULT_PREFERENCES, key)) throw ChatError.invalidParams(`Unknown preference "${key}"`);
  const expected = DEFAULT_PREFERENCES[key];
  if (Array.isArray(expected)) {
    if (
      !Array.isArray(value) ||
      value.length > 100 ||
      !value.every((v) => typeof v === 'string' && v.length <= 100)
    ) {
      throw ChatError.invalidParams(`Preference "${key}" must be a list of strings`);
    }
    return;
  }
  if (typeof value !== typeof expected)
    throw ChatError.invalidParams(`Preference "${key}" must be a ${typeof expected}`);
  if (typeof value === 'string' && value.length > 100)
    throw ChatError.invalidParams(`Preference "${key}" is too long`);
  if (typeof value === 'number' && (!Number.isFinite(value) || value < 0 || value > 1_000_000)) {
    throw ChatError.invalidParams(`Preference "${key}" is out of range`);
  }
}
