import { randomUUID } from 'node:crypto';
import type { EventBus } from '../domain/ports/event-bus.js';
import { LocalListeners } from './local-listeners.js';

/** The bus of a single Parley process (no `NATS_URL`): listeners hear everything synchronously. */
export function createInProcessBus(onError: (error: unknown) => void): EventBus {
  const local = new LocalListeners(onError);
  return {
    processId: randomUUID(),
    publish: (events) => local.events(events),
    signal: (signal) => local.signal(signal),
    subscribe: (listener) => local.add(listener),
    close: () => Promise.resolve(),
  };
}
