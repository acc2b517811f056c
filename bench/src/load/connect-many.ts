import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DdpClient, type LoadSink } from './ddp-client.js';
import { LatencyHistogram } from './latency.js';

/** One simulated user's socket to open: who logs in, and which stream events it listens to. */
export interface ClientPlan {
  readonly token: string;
  readonly subscriptions: readonly { readonly stream: string; readonly eventName: string }[];
}

export interface ConnectedClients {
  /** By client number; null where connecting failed. */
  readonly clients: readonly (DdpClient | null)[];
  /** Open + handshake + login + every subscription, per client. */
  readonly connectLatency: LatencyHistogram;
  readonly failures: readonly string[];
  readonly seconds: number;
}

/**
 * Opens one DDP client per plan, at most `ratePerSecond` starting each second and `concurrency`
 * in flight: handshake, resume login, then its subscriptions.
 */
export async function connectMany(options: {
  /** Several: client `i` connects to `url[i mod n]` (the processes of a cluster, S7). */
  readonly url: string | readonly string[];
  readonly plans: readonly ClientPlan[];
  readonly sink: LoadSink;
  readonly ratePerSecond: number;
  readonly concurrency: number;
}): Promise<ConnectedClients> {
  const { plans } = options;
  const clients: (DdpClient | null)[] = plans.map(() => null);
  const connectLatency = new LatencyHistogram();
  const failures: string[] = [];
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      if (index >= plans.length) return;
      const due = started + (index * 1000) / options.ratePerSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const plan = plans[index] as ClientPlan;
      const t0 = performance.now();
      try {
        const url =
          typeof options.url === 'string' ? options.url : (options.url[index % options.url.length] as string);
        const client = await DdpClient.open(url, index, options.sink);
        await client.loginWithToken(plan.token);
        await Promise.all(plan.subscriptions.map((s) => client.subscribe(s.stream, s.eventName)));
        clients[index] = client;
        connectLatency.recordMs(performance.now() - t0);
      } catch (error) {
        failures.push(`client ${index}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, plans.length) }, worker));
  return { clients, connectLatency, failures, seconds: (performance.now() - started) / 1000 };
}

export function closeAll(clients: readonly (DdpClient | null)[]): void {
  for (const client of clients) client?.close();
}
