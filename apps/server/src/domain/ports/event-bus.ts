import type { Signal, StoredEvent } from '../events/events.js';

export interface BusListener {
  /** Committed events, in commit order per publishing process. */
  events(events: readonly StoredEvent[]): void;
  signal(signal: Signal): void;
}

/**
 * Carries committed events and short-lived signals to every consumer, in this process and (with
 * NATS) in every other Parley process. Delivery is at most once: a consumer that must not miss
 * an event reads the outbox from its own cursor.
 */
export interface EventBus {
  /** This process's id, unique per start. */
  readonly processId: string;
  publish(events: readonly StoredEvent[]): void;
  signal(signal: Signal): void;
  /** Returns a function that unsubscribes. */
  subscribe(listener: BusListener): () => void;
  close(): Promise<void>;
}
