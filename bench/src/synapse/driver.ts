/**
 * S2 message storm against Synapse, driven through the Matrix client-server API.
 *
 * Senders PUT `/_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}` on an open-loop schedule
 * (fixed total rate; message i is scheduled at t0 + i/rate and sent by sender i mod senders, whether or
 * not earlier sends have been answered). Receivers long-poll `/sync` (`timeout=30000`, `since`, an
 * uploaded filter: only m.room.message in the bench room, no state, ephemeral, account data or
 * presence). Latency is taken per (message, receiver), from the *scheduled* send time (coordinated
 * omission safe) to the end of the /sync response that carried it, and separately from the actual
 * send time. Synapse's CPU is utime+stime of its process plus the PostgreSQL backends serving it, from
 * procfs, over the whole send + drain window.
 */
import { Buffer } from 'node:buffer';
import { createHmac, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval, setTimeout as setTimer } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { procStat, startSynapse, type Log, type SynapseDb, type SynapseInstance } from './setup.js';

export interface SynapseS2Options {
  /**
   * Total messages per second over all senders (default 10). Synapse 1.163 on one core of this machine,
   * 10 receivers: ~50-65 % CPU at 10 msg/s; from 20 msg/s it is > 80 % busy and p50 rises to ~400 ms.
   */
  readonly rate?: number;
  /** Length of the send schedule, s (default 20 quick / 60). */
  readonly durationSec?: number;
  /** Sending users (default 5 quick / 10). */
  readonly senders?: number;
  /** Receiving users, each long-polling /sync (default 10). */
  readonly receivers?: number;
  /** Shorter defaults, warm-up and drain. */
  readonly quick?: boolean;
  /** `taskset -c <core>` for the Synapse process (default: not pinned). */
  readonly core?: string | number | null;
  /** Default sqlite. */
  readonly db?: SynapseDb;
  /** Leading part of the schedule left out of the latency figures (default 2 quick / 10); lost, dup and CPU cover everything. */
  readonly warmupSec?: number;
  /** Longest wait after the last scheduled send for outstanding deliveries (default 5 quick / 15). */
  readonly drainSec?: number;
  /** /sync filter timeline limit (default 500); limited timelines are back-filled through /messages. */
  readonly timelineLimit?: number;
  /** Synapse root log level (default WARNING). */
  readonly logLevel?: 'INFO' | 'WARNING' | 'ERROR';
  /** Reuse a running Synapse (left running); otherwise one is started and stopped around the run. */
  readonly instance?: SynapseInstance;
  /** Progress lines (default: stderr). */
  readonly log?: Log;
}

type Percentiles = { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null };

/** Every figure beside the headline ones (a type alias so it is a `Record<string, unknown>`). */
export type SynapseS2Details = {
  db: SynapseDb;
  durability: string;
  rate: number;
  durationSec: number;
  senders: number;
  receivers: number;
  warmupSec: number;
  synapseCore: string | null;
  scheduled: number;
  acked: number;
  sendErrors: number;
  deliveries: number;
  expectedDeliveries: number;
  latencySamples: number;
  p999Ms: number | null;
  maxMs: number | null;
  /** send→receive from the actual send time */
  fromSent: Percentiles;
  /** PUT send → 200, from the scheduled time */
  ack: Percentiles;
  deliveriesPerSec: number | null;
  synapseCpuSec: number | null;
  pgBackendCpuSec: number | null;
  cpuWindowSec: number | null;
  usCpuPerMsg: number | null;
  usCpuPerDelivery: number | null;
  synapseCpuPctMean: number | null;
  synapseCpuPctMax: number | null;
  rssMbStart: number | null;
  rssMbEnd: number | null;
  generatorCpuPct: number | null;
  stealPct: number | null;
  /** False when the generator's CPU exceeded 80 % (§6.1). */
  valid: boolean;
  syncRequests: number;
  syncErrors: number;
  limitedSyncs: number;
  gapFilled: number;
  setupSec: number | null;
  synapseStartSec: number | null;
  /** Per second: Synapse CPU % of one core, RSS. */
  samples: { t: number; cpuPct: number; rssMb: number }[];
};

export interface SynapseS2Result {
  /** send→receive from the scheduled send time, per (message, receiver), after warm-up. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Accepted (200) sends per second of the send window. */
  readonly msgsPerSec: number;
  /** Deliveries per CPU-second of Synapse plus its PostgreSQL backends. */
  readonly deliveriesPerCpuSec: number;
  /** Peak Synapse RSS during the run. */
  readonly rssMb: number;
  /** (accepted message, receiver) pairs never received. */
  readonly lost: number;
  /** (message, receiver) receipts beyond the first. */
  readonly duplicated: number;
  /** Synapse version, e.g. `1.163.2`. */
  readonly version: string;
  readonly details: SynapseS2Details;
}

interface RunParams {
  rate: number;
  durationSec: number;
  senders: number;
  receivers: number;
  warmupSec: number;
  drainSec: number;
  timelineLimit: number;
}

export async function runSynapseS2(options: SynapseS2Options = {}): Promise<SynapseS2Result> {
  const q = options.quick ?? false;
  const o: RunParams = {
    rate: options.rate ?? 10,
    durationSec: options.durationSec ?? (q ? 20 : 60),
    senders: options.senders ?? (q ? 5 : 10),
    receivers: options.receivers ?? 10,
    warmupSec: options.warmupSec ?? (q ? 2 : 10),
    drainSec: options.drainSec ?? (q ? 5 : 15),
    timelineLimit: options.timelineLimit ?? 500,
  };
  const log = options.log ?? ((line: string) => void process.stderr.write(`[synapse-s2] ${line}\n`));
  const core = options.core === undefined || options.core === null ? null : String(options.core);
  const tSetup = performance.now();
  const inst =
    options.instance ??
    (await startSynapse({
      db: options.db ?? 'sqlite',
      core,
      ...(options.logLevel ? { logLevel: options.logLevel } : {}),
      log,
    }));
  try {
    return await runAgainst(inst, o, log, tSetup, core);
  } finally {
    if (!options.instance) await inst.stop();
  }
}

interface Reply {
  status: number;
  body: string;
}

/** Keep-alive HTTP/1.1 client; one for sends and set-up, one for long-polls, so they never queue together. */
class Client {
  readonly #host: string;
  readonly #port: number;
  readonly #agent: http.Agent;

  constructor(baseUrl: string, maxSockets: number) {
    const u = new URL(baseUrl);
    this.#host = u.hostname;
    this.#port = Number(u.port);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  req(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    opt: { timeoutMs?: number; onReq?: (r: http.ClientRequest) => void } = {},
  ): Promise<Reply> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const r = http.request(
        { host: this.#host, port: this.#port, method, path, headers, agent: this.#agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      if (opt.timeoutMs) r.setTimeout(opt.timeoutMs, () => r.destroy(new Error('timeout')));
      r.on('error', reject);
      opt.onReq?.(r);
      r.end(payload);
    });
  }

  /** A request that must answer 200; its JSON body. */
  async json<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
    const r = await this.req(method, path, token, body, { timeoutMs: 60000 });
    if (r.status !== 200)
      throw new Error(`${method} ${path.split('?')[0]} -> ${r.status} ${r.body.slice(0, 300)}`);
    return JSON.parse(r.body) as T;
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** Runs fn(0…n-1) with at most `limit` at a time. */
async function pool<T>(n: number, limit: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

/** Nearest-rank percentile of a sorted array. */
function pct(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
const r2 = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);
const percentiles = (sorted: Float64Array): Percentiles => ({
  p50Ms: r2(pct(sorted, 50)),
  p95Ms: r2(pct(sorted, 95)),
  p99Ms: r2(pct(sorted, 99)),
});

async function readSteal(): Promise<{ total: number; steal: number }> {
  const s = await readFile('/proc/stat', 'utf8');
  const f = (s.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return { total: f.reduce((a, b) => a + b, 0), steal: f[7] ?? 0 };
}

interface MatrixEvent {
  event_id?: string;
  type?: string;
  content?: { bench_run?: unknown; bench_seq?: unknown };
}
interface SyncBody {
  next_batch: string;
  rooms?: {
    join?: Record<string, { timeline?: { events?: MatrixEvent[]; limited?: boolean; prev_batch?: string } }>;
  };
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

async function runAgainst(
  inst: SynapseInstance,
  o: RunParams,
  log: Log,
  tSetup: number,
  core: string | null,
): Promise<SynapseS2Result> {
  const api = new Client(inst.baseUrl, 64);
  const syncApi = new Client(inst.baseUrl, o.receivers + 8);
  const runId = randomBytes(4).toString('hex');
  const enc = encodeURIComponent;

  // ---- users: shared-secret admin registration (its reply carries an access token and device) ----
  const register = async (localpart: string): Promise<{ user_id: string; access_token: string }> => {
    const { nonce } = await api.json<{ nonce: string }>('GET', '/_synapse/admin/v1/register', null);
    const password = `pw-${localpart}`;
    const mac = createHmac('sha1', inst.sharedSecret)
      .update([nonce, localpart, password, 'notadmin'].join('\0'))
      .digest('hex');
    return api.json('POST', '/_synapse/admin/v1/register', null, {
      nonce,
      username: localpart,
      password,
      admin: false,
      mac,
    });
  };
  const nUsers = o.senders + o.receivers;
  const users = await pool(nUsers, 4, (i) =>
    register(i < o.senders ? `s2_${runId}_s${i}` : `s2_${runId}_r${i - o.senders}`),
  );
  const senders = users.slice(0, o.senders);
  const receivers = users.slice(o.senders);
  const creator = senders[0];
  if (!creator) throw new Error('S2 needs at least one sender');

  // ---- one public room everybody joins ----
  const { room_id: roomId } = await api.json<{ room_id: string }>(
    'POST',
    '/_matrix/client/v3/createRoom',
    creator.access_token,
    { preset: 'public_chat', name: `s2 ${runId}` },
  );
  await pool(nUsers - 1, 4, (i) =>
    api.json('POST', `/_matrix/client/v3/join/${enc(roomId)}`, users[i + 1]?.access_token ?? null, {}),
  );

  // ---- receivers: upload a filter, initial sync ----
  const filter = {
    presence: { types: [] },
    account_data: { types: [] },
    room: {
      rooms: [roomId],
      account_data: { types: [] },
      ephemeral: { types: [] },
      state: { types: [], lazy_load_members: true },
      timeline: { types: ['m.room.message'], limit: o.timelineLimit },
    },
    event_fields: ['type', 'event_id', 'content'],
  };
  const recv = await pool(o.receivers, 4, async (i) => {
    const u = receivers[i];
    if (!u) throw new Error('receiver missing');
    const { filter_id } = await api.json<{ filter_id: string }>(
      'POST',
      `/_matrix/client/v3/user/${enc(u.user_id)}/filter`,
      u.access_token,
      filter,
    );
    const s = await api.json<SyncBody>(
      'GET',
      `/_matrix/client/v3/sync?filter=${enc(filter_id)}&timeout=0`,
      u.access_token,
    );
    return { token: u.access_token, filterId: filter_id, since: s.next_batch };
  });
  const setupSec = (performance.now() - tSetup) / 1000;
  log(`${nUsers} users registered, joined to ${roomId}, receivers synced (${setupSec.toFixed(1)} s)`);

  // ---- measurement state ----
  const total = Math.round(o.rate * o.durationSec);
  const intervalMs = 1000 / o.rate;
  const sched = new Float64Array(total); // scheduled send time (performance.now() ms)
  const sentAt = new Float64Array(total);
  const ackAt = new Float64Array(total).fill(NaN);
  const ackOk = new Uint8Array(total);
  const got = Array.from({ length: o.receivers }, () => new Uint8Array(total));
  let lat: Float64Array = new Float64Array(Math.max(1024, total * o.receivers));
  let latSent: Float64Array = new Float64Array(lat.length);
  let nLat = 0;
  let deliveries = 0;
  let duplicated = 0;
  let sendErrors = 0;
  let syncRequests = 0;
  let syncErrors = 0;
  let limitedSyncs = 0;
  let gapFilled = 0;
  let stopping = false;
  const inflightSyncs = new Set<http.ClientRequest>();
  let t0 = 0;
  let warmupEnd = 0;

  const seqOf = (ev: MatrixEvent): number => {
    const c = ev.content;
    if (!c || c.bench_run !== runId || typeof c.bench_seq !== 'number') return -1;
    return c.bench_seq >= 0 && c.bench_seq < total ? c.bench_seq : -1;
  };
  const take = (g: Uint8Array, events: readonly MatrixEvent[], tRecv: number): void => {
    for (const ev of events) {
      const seq = seqOf(ev);
      if (seq < 0) continue;
      const seen = g[seq] ?? 0;
      if (seen) {
        duplicated++;
        if (seen < 255) g[seq] = seen + 1;
        continue;
      }
      g[seq] = 1;
      deliveries++;
      const s = sched[seq] ?? 0;
      if (s >= warmupEnd) {
        if (nLat === lat.length) {
          lat = grow(lat);
          latSent = grow(latSent);
        }
        lat[nLat] = tRecv - s;
        latSent[nLat] = tRecv - (sentAt[seq] ?? s);
        nLat++;
      }
    }
  };
  /** Pages back through the gap a limited timeline left, until it reaches events an earlier sync delivered. */
  const fillGap = async (ri: number, from: string): Promise<void> => {
    const g = got[ri];
    const rc = recv[ri];
    if (!g || !rc) return;
    const evFilter = enc(JSON.stringify({ types: ['m.room.message'] }));
    let token: string | undefined = from;
    for (let page = 0; page < 100 && token; page++) {
      const r: { chunk?: MatrixEvent[]; end?: string } = await api.json(
        'GET',
        `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=200&from=${enc(token)}&filter=${evFilter}`,
        rc.token,
      );
      const chunk = r.chunk ?? [];
      const fresh = chunk.filter((ev) => {
        const seq = seqOf(ev);
        return seq >= 0 && !g[seq];
      });
      take(g, fresh, performance.now());
      gapFilled += fresh.length;
      if (fresh.length < chunk.length) break; // reached what was already delivered
      token = r.end;
    }
  };
  const syncLoop = async (ri: number): Promise<void> => {
    const rc = recv[ri];
    const g = got[ri];
    if (!rc || !g) return;
    const base = `/_matrix/client/v3/sync?filter=${enc(rc.filterId)}&timeout=30000&since=`;
    while (!stopping) {
      let res: Reply;
      let creq: http.ClientRequest | undefined;
      try {
        res = await syncApi.req('GET', base + enc(rc.since), rc.token, undefined, {
          timeoutMs: 90000,
          onReq: (r) => {
            creq = r;
            inflightSyncs.add(r);
          },
        });
      } catch {
        if (creq) inflightSyncs.delete(creq);
        if (stopping) break;
        syncErrors++;
        await sleep(100);
        continue;
      }
      if (creq) inflightSyncs.delete(creq);
      const tRecv = performance.now();
      syncRequests++;
      if (res.status !== 200) {
        syncErrors++;
        await sleep(100);
        continue;
      }
      const body = JSON.parse(res.body) as SyncBody;
      const tl = body.rooms?.join?.[roomId]?.timeline;
      if (tl?.events?.length) {
        if (tl.limited) {
          limitedSyncs++;
          if (tl.prev_batch) await fillGap(ri, tl.prev_batch);
        }
        take(g, tl.events, tRecv);
      }
      rc.since = body.next_batch;
    }
  };
  const loops = recv.map((_, i) => syncLoop(i));

  // ---- CPU / RSS sampling from procfs ----
  const pgPidsStart = await inst.pgBackendPids().catch(() => [] as readonly number[]);
  const pgCpu0 = new Map<number, number>();
  for (const p of pgPidsStart) pgCpu0.set(p, (await procStat(p))?.cpuSec ?? 0);
  const syn0 = await procStat(inst.mainPid);
  if (!syn0) throw new Error('Synapse process not found in /proc');
  const steal0 = await readSteal();
  const gen0 = process.cpuUsage();
  let rssPeak = syn0.rssMb;
  const samples: SynapseS2Details['samples'] = [];
  let lastCpu = syn0.cpuSec;
  let lastT = performance.now();
  const sampler = setInterval(() => {
    void procStat(inst.mainPid).then((s) => {
      if (!s) return;
      const now = performance.now();
      samples.push({
        t: r2((now - t0) / 1000) ?? 0,
        cpuPct: r2(((s.cpuSec - lastCpu) / ((now - lastT) / 1000)) * 100) ?? 0,
        rssMb: r2(s.rssMb) ?? 0,
      });
      lastCpu = s.cpuSec;
      lastT = now;
      if (s.rssMb > rssPeak) rssPeak = s.rssMb;
    });
  }, 1000);

  // ---- open-loop sender ----
  log(`S2: ${o.rate} msg/s for ${o.durationSec} s, ${o.senders} senders, ${o.receivers} receivers`);
  t0 = performance.now() + 50;
  warmupEnd = t0 + o.warmupSec * 1000;
  for (let i = 0; i < total; i++) sched[i] = t0 + i * intervalMs;
  let acked = 0;
  let lastAck = t0;
  const send = (seq: number): void => {
    const s = senders[seq % senders.length];
    if (!s) return;
    sentAt[seq] = performance.now();
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${runId}-${seq}`;
    const content = { msgtype: 'm.text', body: `s2 message ${seq}`, bench_run: runId, bench_seq: seq };
    api.req('PUT', path, s.access_token, content, { timeoutMs: 60000 }).then(
      (r) => {
        const now = performance.now();
        ackAt[seq] = now;
        if (r.status === 200) {
          ackOk[seq] = 1;
          acked++;
          lastAck = now;
        } else sendErrors++;
      },
      () => {
        ackAt[seq] = performance.now();
        sendErrors++;
      },
    );
  };
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = (): void => {
      const now = performance.now();
      while (next < total && (sched[next] ?? 0) <= now) send(next++);
      if (next >= total) return resolve();
      setTimer(tick, Math.max(0, (sched[next] ?? 0) - performance.now()));
    };
    setTimer(tick, Math.max(0, t0 - performance.now()));
  });
  const tSendEnd = performance.now();

  // ---- drain: every accepted message at every receiver, or drainSec ----
  const missing = (): number => {
    let m = 0;
    for (let seq = 0; seq < total; seq++) {
      if (!ackOk[seq]) {
        if (Number.isNaN(ackAt[seq])) m += o.receivers; // still in flight
        continue;
      }
      for (const g of got) if (!g[seq]) m++;
    }
    return m;
  };
  const drainDeadline = performance.now() + o.drainSec * 1000;
  while (missing() > 0 && performance.now() < drainDeadline) await sleep(50);
  const tEnd = performance.now();

  // ---- stop and collect ----
  clearInterval(sampler);
  const syn1 = await procStat(inst.mainPid);
  const gen1 = process.cpuUsage(gen0);
  const steal1 = await readSteal();
  const pgPidsEnd = await inst.pgBackendPids().catch(() => [] as readonly number[]);
  let pgCpuSec = 0;
  for (const p of new Set([...pgPidsStart, ...pgPidsEnd])) {
    const s = await procStat(p);
    if (s) pgCpuSec += s.cpuSec - (pgCpu0.get(p) ?? 0);
  }
  stopping = true;
  for (const r of inflightSyncs) r.destroy();
  await Promise.allSettled(loops);
  api.close();
  syncApi.close();

  let lost = 0;
  let expectedDeliveries = 0;
  for (let seq = 0; seq < total; seq++) {
    if (!ackOk[seq]) continue;
    for (const g of got) {
      expectedDeliveries++;
      if (!g[seq]) lost++;
    }
  }
  const ackLat: number[] = [];
  for (let i = 0; i < total; i++) {
    const s = sched[i] ?? 0;
    if (ackOk[i] && s >= warmupEnd) ackLat.push((ackAt[i] ?? NaN) - s);
  }
  const sorted = lat.subarray(0, nLat).sort();
  const sortedSent = latSent.subarray(0, nLat).sort();

  const windowSec = (tEnd - t0) / 1000;
  const sendWindowSec = (Math.max(lastAck, tSendEnd) - t0) / 1000;
  const synCpuSec = (syn1?.cpuSec ?? syn0.cpuSec) - syn0.cpuSec;
  const cpuSec = synCpuSec + pgCpuSec;
  const genCpuPct = ((gen1.user + gen1.system) / 1e6 / windowSec) * 100;
  const stealPct = ((steal1.steal - steal0.steal) / Math.max(1, steal1.total - steal0.total)) * 100;
  const busy = samples.filter((s) => s.t > 0 && s.t <= o.durationSec);

  const details: SynapseS2Details = {
    db: inst.db,
    durability: inst.durability,
    rate: o.rate,
    durationSec: o.durationSec,
    senders: o.senders,
    receivers: o.receivers,
    warmupSec: o.warmupSec,
    synapseCore: core,
    scheduled: total,
    acked,
    sendErrors,
    deliveries,
    expectedDeliveries,
    latencySamples: nLat,
    p999Ms: r2(pct(sorted, 99.9)),
    maxMs: r2(sorted[sorted.length - 1] ?? NaN),
    fromSent: percentiles(sortedSent),
    ack: percentiles(Float64Array.from(ackLat).sort()),
    deliveriesPerSec: r2(deliveries / windowSec),
    synapseCpuSec: r2(synCpuSec),
    pgBackendCpuSec: r2(pgCpuSec),
    cpuWindowSec: r2(windowSec),
    usCpuPerMsg: r2((cpuSec / Math.max(1, acked)) * 1e6),
    usCpuPerDelivery: r2((cpuSec / Math.max(1, deliveries)) * 1e6),
    synapseCpuPctMean: r2((synCpuSec / windowSec) * 100),
    synapseCpuPctMax: r2(Math.max(0, ...busy.map((s) => s.cpuPct))),
    rssMbStart: r2(syn0.rssMb),
    rssMbEnd: r2(syn1?.rssMb ?? NaN),
    generatorCpuPct: r2(genCpuPct),
    stealPct: r2(stealPct),
    valid: genCpuPct <= 80,
    syncRequests,
    syncErrors,
    limitedSyncs,
    gapFilled,
    setupSec: r2(setupSec),
    synapseStartSec: r2(inst.startSec),
    samples,
  };
  return {
    p50Ms: r2(pct(sorted, 50)) ?? NaN,
    p95Ms: r2(pct(sorted, 95)) ?? NaN,
    p99Ms: r2(pct(sorted, 99)) ?? NaN,
    msgsPerSec: r2(acked / sendWindowSec) ?? 0,
    deliveriesPerCpuSec: r2(deliveries / Math.max(1e-9, cpuSec)) ?? 0,
    rssMb: r2(rssPeak) ?? 0,
    lost,
    duplicated,
    version: inst.version,
    details,
  };
}
