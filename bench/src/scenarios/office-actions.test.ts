import { describe, expect, it } from 'vitest';
import { Rng } from '../load/rng.js';
import { ACTION_MIX, firstWait, pickAction, thinkTime } from './office-actions.js';

describe("S1's simulated office user", () => {
  it("draws actions in Mattermost's shares (§6.3)", () => {
    const rng = new Rng(1, 2);
    const draws = 200_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < draws; i++) {
      const action = pickAction(rng);
      counts.set(action, (counts.get(action) ?? 0) + 1);
    }
    const total = ACTION_MIX.reduce((a, [, share]) => a + share, 0);
    expect(total).toBeCloseTo(100, 6);
    for (const [action, share] of ACTION_MIX)
      expect((100 * (counts.get(action) ?? 0)) / draws).toBeCloseTo(share, 0);
  });

  it('thinks 1 s to 39 s, and a joining user waits as if it had been acting all along', () => {
    const rng = new Rng(3, 4);
    const n = 200_000;
    let think = 0;
    let shortest = Infinity;
    let longest = 0;
    let first = 0;
    for (let i = 0; i < n; i++) {
      const t = thinkTime(rng);
      think += t;
      shortest = Math.min(shortest, t);
      longest = Math.max(longest, t);
      first += firstWait(rng);
    }
    expect(shortest).toBeGreaterThanOrEqual(1_000);
    expect(longest).toBeLessThan(39_000);
    expect(think / n).toBeCloseTo(20_000, -2);
    // The residual time of a renewal process in equilibrium: E[T²] / 2E[T] = (38²/12 + 20²) / 40 s.
    expect(first / n).toBeCloseTo(((38 ** 2 / 12 + 20 ** 2) / 40) * 1000, -2);
  });
});
