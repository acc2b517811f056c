/** Time as the domain sees it: milliseconds since the epoch, injectable in tests. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
