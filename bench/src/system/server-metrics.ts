/** A few of the server's own Prometheus figures (prom-client's default Node metrics). */
export interface ServerMetrics {
  /**
   * Event-loop delay p99 since the previous scrape (prom-client resets it on each collect), ms;
   * null when it took no sample. prom-client's figure is the time between its 10 ms timer's runs,
   * so the 10 ms are taken off.
   */
  readonly eventLoopP99Ms: number | null;
  readonly heapUsedBytes: number | null;
  /** Total GC pause time since start, seconds. */
  readonly gcSeconds: number | null;
}

/** prom-client's `eventLoopMonitoringPrecision` default, which Parley keeps. */
const EVENT_LOOP_RESOLUTION_S = 0.01;

function value(text: string, name: string): number | null {
  let found: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const number = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(number)) found = (found ?? 0) + number;
  }
  return found;
}

export async function scrapeServerMetrics(url: string | null): Promise<ServerMetrics | null> {
  if (url === null) return null;
  try {
    const text = await (await fetch(url)).text();
    const lag = value(text, 'nodejs_eventloop_lag_p99_seconds');
    return {
      eventLoopP99Ms:
        lag === null || lag === 0 ? null : Math.round(Math.max(0, lag - EVENT_LOOP_RESOLUTION_S) * 1e5) / 100,
      heapUsedBytes: value(text, 'nodejs_heap_size_used_bytes'),
      gcSeconds: value(text, 'nodejs_gc_duration_seconds_sum'),
    };
  } catch {
    return null;
  }
}
