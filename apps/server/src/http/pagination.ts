import type { Page } from '../domain/ports/store.js';
import type { SettingsCache } from '../domain/settings/settings-cache.js';
import { ChatError } from '../domain/shared/errors.js';

/** What "all" means for `count=0`: still a bound, so that no request asks for unbounded work. */
const ALL = 100_000;

/**
 * Rocket.Chat's paging: `count` defaults to `API_Default_Count` and is capped at
 * `API_Upper_Count_Limit`; `count=0` means "all" when `API_Allow_Infinite_Count` is on.
 */
export function pageOf(settings: SettingsCache, query: { count?: number; offset?: number }): Page {
  const offset = query.offset ?? 0;
  if (query.count === 0 && settings.bool('API_Allow_Infinite_Count')) return { count: ALL, offset };
  const count =
    query.count === undefined || query.count === 0 ? settings.int('API_Default_Count') : query.count;
  return { count: Math.min(count, settings.int('API_Upper_Count_Limit')), offset };
}

/** Parses `sort={"field":1}`; one known field, direction 1 or -1, else `error-invalid-sort`. */
export function sortOf<F extends string>(
  raw: string | undefined,
  fields: Record<string, F>,
): { field: F; direction: 1 | -1 } | undefined {
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw ChatError.invalid('error-invalid-sort', 'Invalid sort parameter: not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw ChatError.invalid('error-invalid-sort', 'Invalid sort parameter: expected an object');
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length !== 1)
    throw ChatError.invalid('error-invalid-sort', 'Invalid sort parameter: name one field');
  const [key, direction] = entries[0] ?? [];
  const field = key !== undefined && Object.hasOwn(fields, key) ? fields[key] : undefined;
  if (field === undefined || (direction !== 1 && direction !== -1)) {
    throw ChatError.invalid(
      'error-invalid-sort',
      `Invalid sort parameter: ${key ?? ''} must be 1 or -1 and one of ${Object.keys(fields).join(', ')}`,
    );
  }
  return { field, direction };
}

/** Parses `updatedSince` (ISO 8601) into milliseconds, or 400. */
export function updatedSinceOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms)) {
    throw ChatError.invalid(
      'error-updatedSince-param-invalid',
      'The "updatedSince" query parameter must be a valid date.',
    );
  }
  return ms;
}
