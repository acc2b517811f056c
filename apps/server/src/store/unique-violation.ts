import { UniqueViolation } from '../domain/ports/store.js';

/**
 * Turns either dialect's unique-constraint failure into `UniqueViolation(column)`, so two requests
 * racing for one username get a clean 400 instead of a 500. Other errors pass through.
 */
export async function translateUniqueViolation<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const key = uniqueKeyOf(error);
    if (key !== null) throw new UniqueViolation(key);
    throw error;
  }
}

function uniqueKeyOf(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const pg = error as Error & { code?: string; constraint?: string; detail?: string };
  if (pg.code === '23505') {
    const match = /Key \(([^)]+)\)=/.exec(pg.detail ?? '');
    return match?.[1] ?? pg.constraint ?? 'unknown';
  }
  const sqlite = /UNIQUE constraint failed: (.+)$/m.exec(error.message);
  if (!sqlite?.[1]) return null;
  // "users.email_lower" or "login_tokens.user_id, login_tokens.name": keep the column names.
  return sqlite[1]
    .split(',')
    .map((part) => part.trim().replace(/^\w+\./, ''))
    .join(', ');
}
