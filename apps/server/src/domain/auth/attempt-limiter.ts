/**
 * Counts failed attempts per key in a fixed window and says when a key must wait.
 * Kept in memory: a restart forgives everyone, which errs on the side of letting people in.
 */
export interface AttemptLimiter {
  /** Milliseconds the key must still wait, or 0 when it may try. */
  retryAfter(key: string, limit: number, now: number): number;
  recordFailure(key: string, windowMs: number, now: number): void;
  reset(key: string): void;
}

interface Window {
  count: number;
  resetAt: number;
}

export function createAttemptLimiter(maxKeys = 100_000): AttemptLimiter {
  const windows = new Map<string, Window>();

  function live(key: string, now: number): Window | undefined {
    const w = windows.get(key);
    if (w && w.resetAt <= now) {
      windows.delete(key);
      return undefined;
    }
    return w;
  }

  return {
    retryAfter(key, limit, now) {
      const w = live(key, now);
      return w && w.count >= limit ? w.resetAt - now : 0;
    },
    recordFailure(key, windowMs, now) {
      const w = live(key, now);
      if (w) {
        w.count++;
        return;
      }
      if (windows.size >= maxKeys) {
        // Bounded memory under a flood of distinct keys: drop the oldest entry.
        const oldest = windows.keys().next().value;
        if (oldest !== undefined) windows.delete(oldest);
      }
      windows.set(key, { count: 1, resetAt: now + windowMs });
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
