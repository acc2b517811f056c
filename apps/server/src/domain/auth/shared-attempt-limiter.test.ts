import { describe, expect, it } from 'vitest';
import { createInProcessBus } from '../../bus/in-process-bus.js';
import { createAttemptLimiter } from './attempt-limiter.js';
import { sharedAttemptLimiter } from './shared-attempt-limiter.js';

describe('sharedAttemptLimiter', () => {
  // One bus heard by two limiters stands for two processes on NATS (bus.test.ts covers NATS itself).
  const pair = () => {
    const bus = createInProcessBus((error) => {
      throw error;
    });
    return [
      sharedAttemptLimiter(createAttemptLimiter(), bus),
      sharedAttemptLimiter(createAttemptLimiter(), bus),
    ];
  };

  it('blocks a key on every process once the failures recorded anywhere reach the limit', () => {
    const [a, b] = pair();
    a!.recordFailure('u:alice', 60_000, 1000);
    b!.recordFailure('u:alice', 60_000, 1001);
    expect(a!.retryAfter('u:alice', 2, 1002)).toBeGreaterThan(0);
    expect(b!.retryAfter('u:alice', 2, 1002)).toBeGreaterThan(0);
    expect(b!.retryAfter('u:bob', 2, 1002)).toBe(0);
  });

  it('forgives the key everywhere after a success on one process', () => {
    const [a, b] = pair();
    a!.recordFailure('u:alice', 60_000, 1000);
    b!.reset('u:alice');
    a!.recordFailure('u:alice', 60_000, 1001);
    expect(a!.retryAfter('u:alice', 2, 1002)).toBe(0);
  });
});
