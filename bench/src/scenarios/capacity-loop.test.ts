import { describe, expect, it } from 'vitest';
import { searchCapacity } from './capacity-loop.js';

/** A server that holds up to `capacity` users; records the windows the search asks for. */
function serverHolding(capacity: number) {
  const tried: string[] = [];
  const tryLevel = (level: number, durationMs: number) => {
    tried.push(`${level}/${durationMs}`);
    return Promise.resolve({ level, held: level <= capacity });
  };
  return { tried, tryLevel };
}

const FULL = {
  levels: [1_000, 2_000, 4_000, 6_000, 8_000, 10_000],
  bisections: 2,
  resolution: 500,
  windowMs: 15,
  finalWindowMs: 45,
  ceiling: 10_000,
};

describe("S1's capacity search", () => {
  it('climbs until a window breaks, bisects the gap twice, and holds the count found once more', async () => {
    const { tried, tryLevel } = serverHolding(5_300);
    const { best, final } = await searchCapacity(FULL, tryLevel);

    expect(tried).toEqual(['1000/15', '2000/15', '4000/15', '6000/15', '5000/15', '5500/15', '5000/45']);
    expect(best?.level).toBe(5_000);
    expect(final).toEqual({ level: 5_000, held: true });
  });

  it('stops at the data set when every count holds', async () => {
    const { tried, tryLevel } = serverHolding(1_000_000);
    const { best } = await searchCapacity({ ...FULL, ceiling: 7_000 }, tryLevel);

    expect(tried).toEqual(['1000/15', '2000/15', '4000/15', '6000/15', '7000/15', '7000/45']);
    expect(best?.level).toBe(7_000);
  });

  it('steps below the first count when even that breaks, and finds none when nothing holds', async () => {
    const low = serverHolding(600);
    expect((await searchCapacity(FULL, low.tryLevel)).best?.level).toBe(500);
    expect(low.tried).toEqual(['1000/15', '500/15', '500/45']);

    const none = serverHolding(0);
    expect(await searchCapacity(FULL, none.tryLevel)).toEqual({ best: null, final: null });
  });

  it('measures one window and nothing more in the quick shape', async () => {
    const { tried, tryLevel } = serverHolding(0);
    const quick = {
      levels: [500],
      bisections: 0,
      resolution: 250,
      windowMs: 8,
      finalWindowMs: 0,
      ceiling: 1_000,
    };
    const { best, final } = await searchCapacity(quick, tryLevel);

    expect(tried).toEqual(['500/8']);
    expect(best).toBeNull();
    expect(final).toBeNull();
  });
});
