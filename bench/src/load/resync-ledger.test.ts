import { describe, expect, it } from 'vitest';
import { ResyncLedger } from './resync-ledger.js';

describe("S4's ledger of live and resynced deliveries", () => {
  it('counts a pair seen neither live nor by resync as lost, and a second live copy as duplicated', () => {
    const ledger = new ResyncLedger(3);
    const seq = ledger.register('room', [0, 1, 2], 1_000);
    ledger.settle(seq, 'accepted');
    ledger.delivered(seq, 0, 0);
    ledger.delivered(seq, 0, 0);
    ledger.resynced(seq, 1);
    expect(ledger.outstanding()).toBe(1);
    expect(
      ledger.tally(
        () => false,
        () => true,
      ),
    ).toMatchObject({
      pairs: 3,
      lost: 1,
      duplicated: 1,
      recoveredByResync: 1,
      overlap: 0,
    });
  });

  it('merges a message seen live and loaded again by resync: overlap, not a duplicate', () => {
    const ledger = new ResyncLedger(2);
    const seq = ledger.register('room', [0, 1], 1_000);
    ledger.settle(seq, 'accepted');
    for (const client of [0, 1]) {
      ledger.delivered(seq, 0, client);
      ledger.resynced(seq, client);
    }
    expect(
      ledger.tally(
        () => false,
        () => true,
      ),
    ).toMatchObject({ pairs: 2, lost: 0, duplicated: 0, overlap: 2 });
  });

  it('expects a broken post only when someone saw it or the server has it', () => {
    const ledger = new ResyncLedger(2);
    const seen = ledger.register('room', [0, 1], 1_000);
    const found = ledger.register('room', [0, 1], 1_001);
    const gone = ledger.register('room', [0, 1], 1_002);
    for (const seq of [seen, found, gone]) ledger.settle(seq, 'unknown');
    ledger.resynced(seen, 0);
    const tally = ledger.tally(
      (seq) => seq === found,
      (client) => client === 0,
    );
    expect(tally.unknownStored).toBe(2);
    // `seen` misses client 1, `found` misses both; `gone` was never stored. Client 1 never came back.
    expect(tally).toMatchObject({ pairs: 4, lost: 3, lostAtUnresynced: 2 });
  });

  it('leaves unsent and refused posts out, and flags a delivery to someone not in the room', () => {
    const ledger = new ResyncLedger(3);
    const unsent = ledger.register('room', [0, 1], 1_000);
    const refused = ledger.register('room', [0, 1], 1_001);
    ledger.settle(unsent, 'unsent');
    ledger.settle(refused, 'refused');
    ledger.delivered(refused, 0, 0);
    ledger.delivered(unsent, 0, 2);
    expect(
      ledger.tally(
        () => false,
        () => true,
      ),
    ).toMatchObject({
      pairs: 0,
      lost: 0,
      strays: 1,
      deliveredNotStored: 1,
      outcomes: { unsent: 1, refused: 1 },
    });
  });

  it('resumes each room from the newest message seen live there', () => {
    const ledger = new ResyncLedger(1);
    const a1 = ledger.register('a', [0], 1_000);
    const a2 = ledger.register('a', [0], 2_000);
    const b1 = ledger.register('b', [0], 1_500);
    ledger.delivered(a2, 0, 0);
    ledger.delivered(a1, 0, 0);
    ledger.delivered(b1, 0, 0);
    expect(ledger.lastSeenBy(0)).toEqual(
      new Map([
        ['a', 2_000],
        ['b', 1_500],
      ]),
    );
  });
});
