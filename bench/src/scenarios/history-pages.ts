/** One page of a room's history as S5 checks it: every message's id and time, newest first. */
export interface PageMessage {
  readonly id: string;
  readonly ts: number;
}

/** Messages per page, as Rocket.Chat's web client asks for when a room opens or scrolls. */
export const PAGE_SIZE = 50;

/**
 * What is wrong with a page, or null: it must hold `PAGE_SIZE` messages (fewer only where the room
 * has no more), newest first, every one older than `before` (the oldest of the previous page), so
 * that pages neither overlap nor skip. The seeded history gives every message of a room its own
 * `ts`, so strict order is the rule.
 */
export function pageProblem(options: {
  /** The room's messages (the seeded history; nothing is posted during S5). */
  readonly roomMessages: number;
  /** Messages the previous pages of this open held. */
  readonly loaded: number;
  readonly before: number | null;
  readonly page: readonly PageMessage[];
}): string | null {
  const { page, before } = options;
  const expected = Math.min(PAGE_SIZE, Math.max(0, options.roomMessages - options.loaded));
  if (page.length !== expected) return `${page.length} messages, expected ${expected}`;
  let previous = before ?? Number.POSITIVE_INFINITY;
  for (const [i, message] of page.entries()) {
    if (!(message.ts < previous))
      return i === 0
        ? `newest message (${message.ts}) not older than the previous page's oldest (${before})`
        : `message ${i} (${message.ts}) not older than the one before it (${previous})`;
    previous = message.ts;
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messagesOf(value: unknown, tsOf: (raw: unknown) => number): PageMessage[] {
  if (!isRecord(value) || !Array.isArray(value.messages)) throw new Error('answer without messages');
  return value.messages.map((m: unknown) => {
    if (!isRecord(m) || typeof m._id !== 'string') throw new Error('message without _id');
    const ts = tsOf(m.ts);
    if (!Number.isFinite(ts)) throw new Error(`message ${m._id} without a valid ts`);
    return { id: m._id, ts };
  });
}

/** DDP `loadHistory`'s result: `{messages, unreadNotLoaded}` with EJSON dates (`{$date: ms}`). */
export function ddpPage(result: unknown): PageMessage[] {
  // `false` is Rocket.Chat's answer for a room the caller may not read.
  if (result === false) throw new Error('loadHistory answered false');
  return messagesOf(result, (ts) => (isRecord(ts) && typeof ts.$date === 'number' ? ts.$date : NaN));
}

/** `GET channels.history` / `im.history`: `{messages, success}` with ISO dates. */
export function restPage(body: unknown): PageMessage[] {
  return messagesOf(body, (ts) => (typeof ts === 'string' ? Date.parse(ts) : NaN));
}
