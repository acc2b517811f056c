import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection, type Subscription } from 'nats';
import type { Signal, StoredEvent } from '../domain/events/events.js';
import type { EventBus } from '../domain/ports/event-bus.js';
import { LocalListeners } from './local-listeners.js';

export interface NatsBusOptions {
  readonly url: string;
  /** Subjects are `<prefix>.events` and `<prefix>.signals`; processes of one deployment share it. */
  readonly subjectPrefix: string;
  readonly onError: (error: unknown) => void;
}

type Wire =
  { readonly o: string; readonly e: readonly StoredEvent[] } | { readonly o: string; readonly s: Signal };

/** NATS's own default, for a server that does not say. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** How long `close` waits for buffered messages to reach NATS. */
const CLOSE_TIMEOUT_MS = 2000;

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * The bus of a Parley cluster. A process delivers what it publishes to its own listeners at
 * once, and sends it (serialised once) to NATS for the others; `noEcho` keeps NATS from sending
 * it back. NATS reconnects by itself and buffers what is published meanwhile. The first
 * connection must succeed: a process that cannot reach NATS at start does not start.
 */
export async function createNatsBus(options: NatsBusOptions): Promise<EventBus> {
  const processId = randomUUID();
  const local = new LocalListeners(options.onError);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.url,
      name: `parley-${processId}`,
      noEcho: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot connect to NATS at ${redactUrl(options.url)} (NATS_URL): ${reason}`, {
      cause: error,
    });
  }
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const eventsSubject = `${options.subjectPrefix}.events`;
  const signalsSubject = `${options.subjectPrefix}.signals`;

  const receive = (subject: string): Subscription =>
    nc.subscribe(subject, {
      callback: (error, message) => {
        if (error) return options.onError(error);
        let wire: Wire;
        try {
          wire = JSON.parse(decoder.decode(message.data)) as Wire;
        } catch (parseError) {
          return options.onError(parseError);
        }
        if (wire.o === processId) return;
        if ('e' in wire) local.events(wire.e);
        else local.signal(wire.s);
      },
    });
  const subscriptions = [receive(eventsSubject), receive(signalsSubject)];
  // The subscriptions must be known to the server before this process publishes or counts on
  // hearing others.
  await nc.flush();

  const send = (subject: string, data: Uint8Array): void => {
    try {
      nc.publish(subject, data);
    } catch (error) {
      options.onError(error);
    }
  };

  const sendEvents = (events: readonly StoredEvent[]): void => {
    const data = encoder.encode(JSON.stringify({ o: processId, e: events } satisfies Wire));
    const max = nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
    if (data.byteLength <= max || events.length <= 1) {
      // A single event over the limit is refused by `publish`, and reported.
      send(eventsSubject, data);
      return;
    }
    // A large commit (e.g. adding every user to a room) travels in halves, in order.
    const half = Math.ceil(events.length / 2);
    sendEvents(events.slice(0, half));
    sendEvents(events.slice(half));
  };

  let closing: Promise<void> | undefined;
  return {
    processId,
    publish(events) {
      local.events(events);
      if (events.length > 0) sendEvents(events);
    },
    signal(signal) {
      local.signal(signal);
      send(signalsSubject, encoder.encode(JSON.stringify({ o: processId, s: signal } satisfies Wire)));
    },
    subscribe: (listener) => local.add(listener),
    close() {
      closing ??= (async () => {
        for (const subscription of subscriptions) subscription.unsubscribe();
        // Sends what is buffered, then closes; while NATS is unreachable that could wait forever.
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            nc.drain(),
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
            }),
          ]);
        } catch (error) {
          options.onError(error);
        } finally {
          clearTimeout(timer);
          if (!nc.isClosed()) await nc.close();
        }
      })();
      return closing;
    },
  };
}
