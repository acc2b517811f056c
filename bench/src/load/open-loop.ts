import { performance } from 'node:perf_hooks';
import type { Rng } from './rng.js';

/**
 * An open-loop Poisson arrival process: arrivals are scheduled from the rate alone, never from the
 * server's answers, and each is fired with its scheduled time so latency can be measured from it
 * (a late timer or a slow server shows up as latency instead of silently lowering the rate).
 * Resolves once the last arrival before `startAt + durationMs` has fired.
 */
export function runOpenLoop(options: {
  readonly rng: Rng;
  readonly ratePerSecond: number;
  readonly startAt: number;
  readonly durationMs: number;
  readonly fire: (scheduledAt: number) => void;
}): Promise<void> {
  const { rng, fire } = options;
  const ratePerMs = options.ratePerSecond / 1000;
  const end = options.startAt + options.durationMs;
  let next = options.startAt + rng.exponential(ratePerMs);
  return new Promise((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (next <= now && next < end) {
        fire(next);
        next += rng.exponential(ratePerMs);
      }
      if (next >= end) {
        resolve();
        return;
      }
      setTimeout(tick, Math.max(0, next - performance.now()));
    };
    setTimeout(tick, Math.max(0, next - performance.now()));
  });
}
