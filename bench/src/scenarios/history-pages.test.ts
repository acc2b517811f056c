import { describe, expect, it } from 'vitest';
import { ddpPage, PAGE_SIZE, pageProblem, restPage, type PageMessage } from './history-pages.js';

/** `count` messages newest first, one a second, the newest at `newest`. */
function page(newest: number, count: number): PageMessage[] {
  return Array.from({ length: count }, (_, i) => ({ id: `m${newest - i * 1000}`, ts: newest - i * 1000 }));
}

describe('pageProblem: how S5 checks a history page', () => {
  it('accepts a full newest page and the next page that starts below it', () => {
    const first = page(1_000_000, PAGE_SIZE);
    expect(pageProblem({ roomMessages: 120, loaded: 0, before: null, page: first })).toBeNull();
    const before = (first.at(-1) as PageMessage).ts;
    const second = page(before - 1000, PAGE_SIZE);
    expect(pageProblem({ roomMessages: 120, loaded: 50, before, page: second })).toBeNull();
  });

  it('expects only what is left of the room on the last page', () => {
    expect(
      pageProblem({ roomMessages: 120, loaded: 100, before: 10_000_000, page: page(5_000, 20) }),
    ).toBeNull();
    expect(pageProblem({ roomMessages: 120, loaded: 100, before: 10_000_000, page: page(5_000, 19) })).toBe(
      '19 messages, expected 20',
    );
  });

  it('reports a page that overlaps the previous one', () => {
    expect(
      pageProblem({ roomMessages: 100, loaded: 50, before: 5_000, page: page(5_000, PAGE_SIZE) }),
    ).toMatch(/not older than the previous page/);
  });

  it('reports messages out of order', () => {
    const shuffled = page(100_000, 3);
    [shuffled[0], shuffled[1]] = [shuffled[1] as PageMessage, shuffled[0] as PageMessage];
    expect(pageProblem({ roomMessages: 3, loaded: 0, before: null, page: shuffled })).toMatch(
      /message 1 .* not older than the one before it/,
    );
  });
});

describe('reading pages off the wire', () => {
  it('reads DDP EJSON dates and REST ISO dates alike', () => {
    const ts = Date.UTC(2025, 11, 1);
    expect(ddpPage({ messages: [{ _id: 'a', ts: { $date: ts } }], unreadNotLoaded: 0 })).toEqual([
      { id: 'a', ts },
    ]);
    expect(restPage({ messages: [{ _id: 'a', ts: new Date(ts).toISOString() }], success: true })).toEqual([
      { id: 'a', ts },
    ]);
  });

  it("refuses loadHistory's false (a room the caller may not read)", () => {
    expect(() => ddpPage(false)).toThrow(/false/);
  });
});
