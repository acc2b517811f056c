import { describe, expect, it } from 'vitest';
import { DeliveryLedger, WindowCounts } from './ledger.js';

describe('DeliveryLedger', () => {
  it('counts nothing lost or duplicated when every recipient got its message once', () => {
    const ledger = new DeliveryLedger();
    const seq = ledger.register(0, [0, 1, 2]);
    ledger.acked(seq, 1, true);
    for (const client of [2, 0, 1]) ledger.delivered(seq, 2, client);
    expect(ledger.tally()).toMatchObject({ lost: 0, duplicated: 0, refused: 0, unanswered: 0 });
    expect(ledger.outstanding()).toBe(0);
  });

  it('counts a missing delivery as lost and an extra one as duplicated', () => {
    const ledger = new DeliveryLedger();
    const a = ledger.register(0, [0, 1]);
    const b = ledger.register(0, [0, 1]);
    ledger.acked(a, 1, true);
    ledger.acked(b, 1, true);
    ledger.delivered(a, 2, 0);
    for (const client of [0, 1, 1]) ledger.delivered(b, 2, client);
    expect(ledger.tally()).toMatchObject({ lost: 1, duplicated: 1 });
  });

  it('tells a copy to the wrong client from a correct delivery even when the counts agree', () => {
    const ledger = new DeliveryLedger();
    const seq = ledger.register(0, [0, 1]);
    ledger.acked(seq, 1, true);
    ledger.delivered(seq, 2, 0);
    ledger.delivered(seq, 2, 0);
    expect(ledger.tally()).toMatchObject({ lost: 1, duplicated: 1 });
  });

  it('keeps refused and unanswered sends apart from losses', () => {
    const ledger = new DeliveryLedger();
    ledger.acked(ledger.register(0, [0]), 1, false);
    ledger.register(0, [0]);
    expect(ledger.tally()).toMatchObject({ lost: 0, refused: 1, unanswered: 1 });
  });

  it('measures latency from the scheduled time only while a window is open, and grows past its first size', () => {
    const ledger = new DeliveryLedger();
    for (let i = 0; i < 3000; i++) ledger.acked(ledger.register(i, [0]), i + 1, true);
    ledger.window = new WindowCounts();
    ledger.delivered(2999, 3009, 0);
    expect(ledger.window.deliveries).toBe(1);
    expect(ledger.window.fromScheduled.summary().p50Ms).toBeCloseTo(10, 1);
  });
});
