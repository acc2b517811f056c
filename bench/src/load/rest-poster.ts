import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PlannedUser } from '../dataset/plan.js';
import { LatencyHistogram } from './latency.js';
import { RestClient } from './rest.js';
import type { ResyncLedger } from './resync-ledger.js';

/**
 * Posts messages over REST (`POST /api/v1/chat.sendMessage`, `_id` `B<seq>`) as any user, with
 * the user's resume token as `X-Auth-Token`: a sender that does not depend on its own socket, so
 * posting goes on while DDP clients are still reconnecting. Each outcome goes to the ledger.
 */
export class RestPoster {
  readonly #baseUrl: string;
  readonly #users: readonly PlannedUser[];
  readonly #ledger: ResyncLedger;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 32 });
  readonly #clients = new Map<number, RestClient>();
  /** Who posted each `unknown` post, to look it up later. */
  readonly #unknownSender = new Map<number, number>();
  #inFlight = 0;
  /** Scheduled time → 2xx answer, for accepted posts. */
  readonly ack = new LatencyHistogram();

  constructor(options: { baseUrl: string; users: readonly PlannedUser[]; ledger: ResyncLedger }) {
    this.#baseUrl = options.baseUrl;
    this.#users = options.users;
    this.#ledger = options.ledger;
  }

  /** Posts `text` as user `sender` into `roomId` for `recipients`; not awaited (open loop). */
  post(options: {
    readonly scheduledAt: number;
    readonly sender: number;
    readonly roomId: string;
    readonly recipients: readonly number[];
    readonly text: string;
  }): void {
    const seq = this.#ledger.register(options.roomId, options.recipients, Date.now());
    const message = { _id: `B${seq}`, rid: options.roomId, msg: options.text };
    this.#inFlight++;
    this.#client(options.sender)
      .post('/api/v1/chat.sendMessage', { message })
      .then(
        (reply) => {
          const ok = reply.status >= 200 && reply.status < 300;
          this.#ledger.settle(seq, ok ? 'accepted' : 'refused');
          if (ok) this.ack.recordMs(performance.now() - options.scheduledAt);
        },
        (error: unknown) => {
          const code = (error as { code?: unknown }).code;
          if (code === 'ECONNREFUSED') {
            this.#ledger.settle(seq, 'unsent');
            return;
          }
          this.#ledger.settle(seq, 'unknown');
          this.#unknownSender.set(seq, options.sender);
        },
      )
      .finally(() => this.#inFlight--);
  }

  /** Resolves once every post is answered or failed. */
  async settled(): Promise<void> {
    while (this.#inFlight > 0) await sleep(20);
  }

  /**
   * The `unknown` posts nobody saw that the server has anyway (`chat.getMessage` as their sender
   * finds them). Call once the resync is over.
   */
  async storedUnknown(): Promise<Set<number>> {
    const stored = new Set<number>();
    for (const [seq, sender] of this.#unknownSender) {
      if (this.#ledger.seenByAnyone(seq)) continue;
      const reply = await this.#client(sender).get(`/api/v1/chat.getMessage?msgId=B${seq}`);
      if (reply.status === 200) stored.add(seq);
    }
    return stored;
  }

  close(): void {
    this.#agent.destroy();
  }

  #client(sender: number): RestClient {
    let client = this.#clients.get(sender);
    if (!client) {
      const user = this.#users[sender] as PlannedUser;
      client = new RestClient({
        baseUrl: this.#baseUrl,
        auth: { userId: user.id, token: user.token },
        agent: this.#agent,
        timeoutMs: 10_000,
      });
      this.#clients.set(sender, client);
    }
    return client;
  }
}
