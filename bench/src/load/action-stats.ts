import { LatencyHistogram, type LatencySummary } from './latency.js';

/** One kind of request (a DDP method or a REST endpoint): latency and outcomes. */
export class RequestStats {
  readonly latency = new LatencyHistogram();
  ok = 0;
  /** Error answers, HTTP 4xx/5xx, timeouts, closed sockets: every one counts against the 0.025 % gate. */
  failed = 0;
}

export interface RequestSummary extends LatencySummary {
  readonly ok: number;
  readonly failed: number;
}

/**
 * What simulated users did in one measured window (or a whole run): every request's latency by
 * kind and all together, the actions started by kind, and a few error texts to say what failed.
 */
export class ActionWindow {
  readonly #requests = new Map<string, RequestStats>();
  /** Every REST call and method answer of the window (sends included), for the §6.6 request gates. */
  readonly all = new LatencyHistogram();
  readonly #started = new Map<string, number>();
  /** Measured apart from requests: a reconnect is a socket, a login and subscriptions. */
  readonly reconnect = new LatencyHistogram();
  ok = 0;
  failed = 0;
  /** Actions not started because the user's socket was reconnecting. */
  skipped = 0;
  readonly errorSamples: string[] = [];

  started(action: string): void {
    this.#started.set(action, (this.#started.get(action) ?? 0) + 1);
  }

  record(kind: string, ms: number, ok: boolean, error?: string): void {
    let stats = this.#requests.get(kind);
    if (!stats) {
      stats = new RequestStats();
      this.#requests.set(kind, stats);
    }
    stats.latency.recordMs(ms);
    this.all.recordMs(ms);
    if (ok) {
      stats.ok++;
      this.ok++;
      return;
    }
    stats.failed++;
    this.failed++;
    if (this.errorSamples.length < 20) this.errorSamples.push(`${kind}: ${error ?? 'failed'}`);
  }

  failReconnect(error?: string): void {
    this.failed++;
    if (this.errorSamples.length < 20) this.errorSamples.push(`reconnect: ${error ?? 'failed'}`);
  }

  get actionsStarted(): number {
    let total = 0;
    for (const n of this.#started.values()) total += n;
    return total;
  }

  errorShare(): number {
    const answered = this.ok + this.failed;
    return answered > 0 ? this.failed / answered : 0;
  }

  /** Per request kind, sorted by name; per action kind, how many started. */
  summary(): { requests: Record<string, RequestSummary>; actions: Record<string, number> } {
    const requests: Record<string, RequestSummary> = {};
    for (const kind of [...this.#requests.keys()].sort()) {
      const stats = this.#requests.get(kind) as RequestStats;
      requests[kind] = { ...stats.latency.summary(), ok: stats.ok, failed: stats.failed };
    }
    return {
      requests,
      actions: Object.fromEntries([...this.#started].sort(([a], [b]) => a.localeCompare(b))),
    };
  }
}

/** Records into the whole run's totals and, while one is being measured, the current window. */
export class ActionRecorder {
  readonly total = new ActionWindow();
  window: ActionWindow | null = null;

  started(action: string): void {
    this.total.started(action);
    this.window?.started(action);
  }

  record(kind: string, ms: number, ok: boolean, error?: string): void {
    this.total.record(kind, ms, ok, error);
    this.window?.record(kind, ms, ok, error);
  }

  /** A reconnect's time counts apart from requests; a failed one counts as an error. */
  reconnected(ms: number, ok: boolean, error?: string): void {
    for (const window of [this.total, this.window]) {
      if (!window) continue;
      if (ok) window.reconnect.recordMs(ms);
      else window.failReconnect(error);
    }
  }

  skipped(): void {
    this.total.skipped++;
    if (this.window) this.window.skipped++;
  }
}
