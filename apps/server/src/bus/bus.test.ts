import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Signal, StoredEvent } from '../domain/events/events.js';
import type { BusListener, EventBus } from '../domain/ports/event-bus.js';
import type { RoomId, UserId } from '../domain/shared/ids.js';
import { describeWithNats, TEST_NATS_URL, uniqueSubjectPrefix, type BusMode } from '../testing/bus-modes.js';
import { createInProcessBus } from './in-process-bus.js';
import { createNatsBus } from './nats-bus.js';

const roomId = 'GENERAL' as RoomId;

function readEvent(position: number, padding = ''): StoredEvent {
  return {
    type: 'room.read',
    audience: { kind: 'room', roomId },
    roomId,
    userId: `u${padding}` as UserId,
    until: position,
    position,
    at: 1_700_000_000_000 + position,
  };
}

function typing(username: string): Signal {
  return {
    type: 'user-activity',
    roomId,
    userId: username as UserId,
    username,
    activities: ['user-typing'],
    extras: {},
    connectionId: 'c1',
  };
}

/** A listener that records what it hears. */
function recorder(): BusListener & { readonly heard: StoredEvent[][]; readonly signals: Signal[] } {
  const heard: StoredEvent[][] = [];
  const signals: Signal[] = [];
  return {
    heard,
    signals,
    events(events) {
      heard.push([...events]);
    },
    signal(signal) {
      signals.push(signal);
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const settle = (ms = 200) => new Promise((resolve) => setTimeout(resolve, ms));

const opened: EventBus[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close()));
});

async function openBus(mode: BusMode, prefix: string, onError: (error: unknown) => void = () => undefined) {
  const bus =
    mode === 'in-process'
      ? createInProcessBus(onError)
      : await createNatsBus({ url: TEST_NATS_URL, subjectPrefix: prefix, onError });
  opened.push(bus);
  return bus;
}

function localDelivery(mode: BusMode): void {
  it('delivers to its own listeners at once, and stops after unsubscribe', async () => {
    const bus = await openBus(mode, uniqueSubjectPrefix());
    const a = recorder();
    const b = recorder();
    const stopA = bus.subscribe(a);
    bus.subscribe(b);
    bus.publish([readEvent(1), readEvent(2)]);
    bus.signal(typing('alice'));
    // Synchronously: before publish returned.
    expect(a.heard).toEqual([[readEvent(1), readEvent(2)]]);
    expect(b.heard).toEqual([[readEvent(1), readEvent(2)]]);
    expect(a.signals).toEqual([typing('alice')]);
    stopA();
    bus.publish([readEvent(3)]);
    expect(a.heard).toHaveLength(1);
    expect(b.heard).toEqual([[readEvent(1), readEvent(2)], [readEvent(3)]]);
    // Nothing comes back later either (no echo through NATS).
    await settle();
    expect(b.heard).toHaveLength(2);
    expect(b.signals).toHaveLength(1);
  });

  it('reports a listener that throws, and the others still hear', async () => {
    const errors: unknown[] = [];
    const bus = await openBus(mode, uniqueSubjectPrefix(), (error) => errors.push(error));
    const boom = new Error('listener broke');
    const before = recorder();
    const after = recorder();
    bus.subscribe(before);
    bus.subscribe({
      events() {
        throw boom;
      },
      signal() {
        throw boom;
      },
    });
    bus.subscribe(after);
    bus.publish([readEvent(1)]);
    bus.signal(typing('bob'));
    expect(before.heard).toEqual([[readEvent(1)]]);
    expect(after.heard).toEqual([[readEvent(1)]]);
    expect(after.signals).toEqual([typing('bob')]);
    expect(errors).toEqual([boom, boom]);
  });

  it('has a process id of its own, and closes (twice is harmless)', async () => {
    const one = await openBus(mode, uniqueSubjectPrefix());
    const two = await openBus(mode, uniqueSubjectPrefix());
    expect(one.processId).not.toBe(two.processId);
    await one.close();
    await one.close();
  });
}

describe('in-process bus', () => {
  localDelivery('in-process');
});

await describeWithNats('NATS bus', () => {
  localDelivery('nats');

  it('lets two processes of one deployment hear each other exactly once, in both directions', async () => {
    const prefix = uniqueSubjectPrefix();
    const a = await openBus('nats', prefix);
    const b = await openBus('nats', prefix);
    const heardA = recorder();
    const heardB = recorder();
    a.subscribe(heardA);
    b.subscribe(heardB);

    a.publish([readEvent(1), readEvent(2)]);
    a.signal(typing('alice'));
    await until(() => heardB.heard.length === 1 && heardB.signals.length === 1);
    b.publish([readEvent(3)]);
    b.signal(typing('bob'));
    await until(() => heardA.heard.length === 2 && heardA.signals.length === 2);
    await settle();

    expect(heardA.heard).toEqual([[readEvent(1), readEvent(2)], [readEvent(3)]]);
    expect(heardB.heard).toEqual([[readEvent(1), readEvent(2)], [readEvent(3)]]);
    expect(heardA.signals).toEqual([typing('alice'), typing('bob')]);
    expect(heardB.signals).toEqual([typing('alice'), typing('bob')]);
  });

  it('keeps deployments with different prefixes apart', async () => {
    const a = await openBus('nats', uniqueSubjectPrefix());
    const other = await openBus('nats', uniqueSubjectPrefix());
    const heard = recorder();
    other.subscribe(heard);
    a.publish([readEvent(1)]);
    a.signal(typing('alice'));
    await settle(300);
    expect(heard.heard).toEqual([]);
    expect(heard.signals).toEqual([]);
  });

  it('carries a commit larger than NATS allows in one message, in order', async () => {
    const prefix = uniqueSubjectPrefix();
    const errors: unknown[] = [];
    const a = await openBus('nats', prefix, (error) => errors.push(error));
    const b = await openBus('nats', prefix);
    const heard = recorder();
    b.subscribe(heard);
    // About 3 MB, over the default max_payload of 1 MB.
    const big = Array.from({ length: 1500 }, (_, i) => readEvent(i + 1, 'x'.repeat(2000)));
    a.publish(big);
    await until(() => heard.heard.flat().length === big.length, 10_000);
    expect(heard.heard.length).toBeGreaterThan(1);
    expect(heard.heard.flat().map((e) => e.position)).toEqual(big.map((e) => e.position));
    expect(errors).toEqual([]);
  });

  it('reports, and does not throw, what is published after close', async () => {
    const errors: unknown[] = [];
    const a = await openBus('nats', uniqueSubjectPrefix(), (error) => errors.push(error));
    const heard = recorder();
    a.subscribe(heard);
    await a.close();
    expect(() => a.publish([readEvent(1)])).not.toThrow();
    expect(() => a.signal(typing('alice'))).not.toThrow();
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('NATS bus without NATS', () => {
  /** A port nothing listens on. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  it('refuses to start, naming the URL (without its password)', async () => {
    const port = await closedPort();
    const url = `nats://parley:s3cret@127.0.0.1:${port}`;
    const failure = createNatsBus({ url, subjectPrefix: 'x', onError: () => undefined });
    await expect(failure).rejects.toThrow(
      `Cannot connect to NATS at nats://parley:***@127.0.0.1:${port} (NATS_URL)`,
    );
    await expect(failure).rejects.not.toThrow('s3cret');
  });
});
