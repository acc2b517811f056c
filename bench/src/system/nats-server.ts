import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

/** The NATS server S7's cluster uses: the machine's own, which the bench neither starts nor stops. */
export const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface NatsServerProcess {
  readonly pid: number;
  /** The cores it may run on (`Cpus_allowed_list`): the bench reads it and leaves it as it is. */
  readonly cpus: string | null;
}

/**
 * The local `nats-server` processes, found read-only in procfs: their CPU counts with the cluster's.
 * Empty when NATS runs elsewhere (then its CPU is not counted).
 */
export function natsServerProcesses(): NatsServerProcess[] {
  const found: NatsServerProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'nats-server') continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      found.push({ pid: Number(entry), cpus: /^Cpus_allowed_list:\s+(\S+)/m.exec(status)?.[1] ?? null });
    } catch {
      // exited while listed, or not readable: not ours to count
    }
  }
  return found;
}

/** Whether `url`'s host accepts a TCP connection within `timeoutMs`: a clear error before Parley starts. */
export async function natsReachable(url: string, timeoutMs = 2_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 4222) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
