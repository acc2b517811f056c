import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram, type LatencySummary } from './latency.js';

export interface RestReply {
  readonly status: number;
  /** The raw body: parse it only where the figure needs it (`json()`). */
  readonly body: Buffer;
  json<T = unknown>(): T;
}

/** Latency and outcome counts of one endpoint (`GET channels.history`), §6.5. */
export class EndpointStats {
  readonly latency = new LatencyHistogram();
  ok = 0;
  /** 4xx: the request was refused (a bug in the scenario, or a rate limit). */
  refused = 0;
  /** 5xx, timeouts and connection errors: what the 0.025 % gate counts. */
  failed = 0;

  summary(): LatencySummary & { ok: number; refused: number; failed: number } {
    return { ...this.latency.summary(), ok: this.ok, refused: this.refused, failed: this.failed };
  }
}

/**
 * Parley's REST API as a simulated user calls it: `node:http` with keep-alive (cheaper per request
 * than `fetch`), the user's `X-User-Id`/`X-Auth-Token`, and per-endpoint latency measured from the
 * time the request was due (open loop) when one is given.
 */
export class RestClient {
  readonly #base: URL;
  readonly #agent: Agent;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly stats = new Map<string, EndpointStats>();

  constructor(options: {
    readonly baseUrl: string;
    readonly auth?: { readonly userId: string; readonly token: string };
    /** Share one agent between many clients to bound the sockets they open. */
    readonly agent?: Agent;
    readonly timeoutMs?: number;
  }) {
    this.#base = new URL(options.baseUrl);
    this.#agent = options.agent ?? new Agent({ keepAlive: true, maxSockets: 4 });
    this.#headers = options.auth
      ? { 'X-User-Id': options.auth.userId, 'X-Auth-Token': options.auth.token }
      : {};
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  get(path: string): Promise<RestReply> {
    return this.#send('GET', path, undefined);
  }

  post(path: string, body: unknown): Promise<RestReply> {
    return this.#send('POST', path, JSON.stringify(body));
  }

  /**
   * A measured call: its latency (from `dueAt` when given, else from now) and outcome go to the
   * stats of `endpoint`. Never throws: a failure is counted, and the reply is null.
   */
  async timed(
    endpoint: string,
    call: (client: RestClient) => Promise<RestReply>,
    dueAt?: number,
  ): Promise<RestReply | null> {
    const stats = this.stats.get(endpoint) ?? new EndpointStats();
    this.stats.set(endpoint, stats);
    const from = dueAt ?? performance.now();
    try {
      const reply = await call(this);
      stats.latency.recordMs(performance.now() - from);
      if (reply.status >= 500) stats.failed++;
      else if (reply.status >= 400) stats.refused++;
      else stats.ok++;
      return reply;
    } catch {
      stats.latency.recordMs(performance.now() - from);
      stats.failed++;
      return null;
    }
  }

  #send(method: 'GET' | 'POST', path: string, body: string | undefined): Promise<RestReply> {
    const url = new URL(path, this.#base);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.#agent,
          timeout: this.#timeoutMs,
          headers: {
            ...this.#headers,
            ...(body === undefined
              ? {}
              : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
            resolve({
              status: res.statusCode ?? 0,
              body: raw,
              json: <T>() => JSON.parse(raw.toString('utf8')) as T,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
