import type { EventBus } from '../ports/event-bus.js';
import type { AttemptLimiter } from './attempt-limiter.js';

/**
 * Failed-login counting shared by every process of a cluster: failures and resets travel as bus
 * signals and each process applies them (its own included, which the bus delivers at once) to
 * its local counters. A blocked user stays blocked whichever process they try next.
 */
export function sharedAttemptLimiter(
  local: AttemptLimiter,
  bus: Pick<EventBus, 'signal' | 'subscribe'>,
): AttemptLimiter {
  bus.subscribe({
    events() {},
    signal(signal) {
      if (signal.type !== 'login-attempt') return;
      if (signal.outcome === 'failure') local.recordFailure(signal.key, signal.windowMs, signal.at);
      else local.reset(signal.key);
    },
  });
  return {
    retryAfter: (key, limit, now) => local.retryAfter(key, limit, now),
    recordFailure: (key, windowMs, now) =>
      bus.signal({ type: 'login-attempt', outcome: 'failure', key, windowMs, at: now }),
    reset: (key) => bus.signal({ type: 'login-attempt', outcome: 'reset', key, windowMs: 0, at: 0 }),
  };
}
