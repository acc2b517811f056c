import type { Signal, StoredEvent } from '../domain/events/events.js';
import type { BusListener } from '../domain/ports/event-bus.js';

/** The listeners of one process; a listener that throws is reported and the others still hear. */
export class LocalListeners {
  readonly #listeners = new Set<BusListener>();

  constructor(private readonly onError: (error: unknown) => void) {}

  add(listener: BusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  events(events: readonly StoredEvent[]): void {
    for (const listener of this.#listeners) {
      try {
        listener.events(events);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  signal(signal: Signal): void {
    for (const listener of this.#listeners) {
      try {
        listener.signal(signal);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
