/**
 * Synapse reference homeserver for the S2 comparison: installs a pinned Synapse from PyPI into a
 * venv (once, reused), writes a benchmark homeserver config, starts it as a child process (optionally
 * pinned with taskset), waits for the client API and stops it again.
 *
 * Nothing here talks to anything but PyPI (install) and 127.0.0.1: no federation listener, federation
 * whitelist empty, no trusted key servers, no stats reporting, no URL previews, no identity server,
 * presence off.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** `bench/src/synapse` (or `bench/dist/synapse` when compiled): `bench/` is two levels up either way. */
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BENCH_DIR = path.resolve(HERE, '..', '..');
/** Cache root; SYNAPSE_BENCH_CACHE overrides it (e.g. to keep the venv outside the repo). */
export const CACHE_DIR = process.env.SYNAPSE_BENCH_CACHE
  ? path.resolve(process.env.SYNAPSE_BENCH_CACHE)
  : path.join(BENCH_DIR, '.cache');
export const VENV_DIR = path.join(CACHE_DIR, 'synapse-venv');
/** Always read from the source tree (tsc does not copy it to dist). */
export const REQUIREMENTS = path.join(BENCH_DIR, 'src', 'synapse', 'requirements.txt');
export const SERVER_NAME = 'bench.local';
const VENV_PY = path.join(VENV_DIR, 'bin', 'python');
const STAMP = path.join(VENV_DIR, '.bench-stamp');
const TEMPLATE_DIR = path.join(CACHE_DIR, 'synapse-template');
const DATA_ROOT = path.join(CACHE_DIR, 'synapse-data');

export type Log = (line: string) => void;
const defaultLog: Log = (line) => void process.stderr.write(`[synapse] ${line}\n`);

export interface VenvInfo {
  /** The venv's interpreter. */
  readonly python: string;
  /** Installed matrix-synapse version (package metadata), e.g. `1.163.2`. */
  readonly version: string;
  /** True when this call created the venv. */
  readonly installedNow: boolean;
  /** Seconds spent installing (0 when reused). */
  readonly installSec: number;
  readonly venvMb: number;
}

/**
 * Creates `bench/.cache/synapse-venv` from requirements.txt unless a venv built from the same
 * requirements file and interpreter version already exists.
 */
export async function ensureSynapseVenv(opts: { log?: Log; python?: string } = {}): Promise<VenvInfo> {
  const log = opts.log ?? defaultLog;
  const basePython = opts.python ?? process.env.SYNAPSE_PYTHON ?? 'python3';
  const req = await readFile(REQUIREMENTS);
  const pyVer = (
    await execFileP(basePython, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'])
  ).stdout.trim();
  const [maj, min] = pyVer.split('.').map(Number);
  if (maj !== 3 || (min ?? 0) < 10)
    throw new Error(`Synapse needs Python >= 3.10; ${basePython} is ${pyVer}`);
  const want = createHash('sha256').update(req).update(pyVer).digest('hex');
  const have = await readFile(STAMP, 'utf8').catch(() => '');
  let installedNow = false;
  let installSec = 0;
  if (have.trim() !== want || !existsSync(VENV_PY)) {
    const t0 = performance.now();
    log(`installing Synapse into ${VENV_DIR} (Python ${pyVer}) ...`);
    await rm(VENV_DIR, { recursive: true, force: true });
    await mkdir(CACHE_DIR, { recursive: true });
    await run(basePython, ['-m', 'venv', VENV_DIR]);
    // --only-binary: every pin has a manylinux wheel; never fall back to compiling (no Rust toolchain).
    await run(VENV_PY, [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '-q',
      '--only-binary=:all:',
      '-r',
      REQUIREMENTS,
    ]);
    await writeFile(STAMP, want + '\n');
    installedNow = true;
    installSec = (performance.now() - t0) / 1000;
    log(`installed in ${installSec.toFixed(1)} s`);
  }
  const version = (
    await execFileP(VENV_PY, ['-c', 'import importlib.metadata as m; print(m.version("matrix-synapse"))'])
  ).stdout.trim();
  const du = (await execFileP('du', ['-sm', VENV_DIR])).stdout;
  return { python: VENV_PY, version, installedNow, installSec, venvMb: Number(du.split('\t')[0]) };
}

/** Runs a command; on failure throws with its output, minus pip's noise about absent local indexes. */
async function run(cmd: string, args: readonly string[]): Promise<void> {
  try {
    await execFileP(cmd, args, { maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    const tail = `${e.stdout ?? ''}\n${e.stderr ?? ''}`
      .split('\n')
      .filter((l) => l && !l.includes('is ignored: it is neither a file nor a directory'))
      .slice(-30)
      .join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${tail}`);
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Synapse's signing key file: `ed25519 <key id> <unpadded base64 of the 32-byte seed>`. */
function newSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const seed = der.subarray(der.length - 32);
  return `ed25519 a_${randomBytes(3).toString('hex')} ${seed.toString('base64').replace(/=+$/, '')}\n`;
}

const RC = { per_second: 100000, burst_count: 100000 };

function homeserverConfig(p: {
  port: number;
  dataDir: string;
  db: unknown;
  sharedSecret: string;
}): Record<string, unknown> {
  return {
    server_name: SERVER_NAME,
    public_baseurl: `http://127.0.0.1:${p.port}/`,
    pid_file: path.join(p.dataDir, 'homeserver.pid'),
    listeners: [
      {
        port: p.port,
        bind_addresses: ['127.0.0.1'],
        type: 'http',
        tls: false,
        x_forwarded: false,
        // `client` also serves /_synapse/admin; there is no federation resource at all
        resources: [{ names: ['client'], compress: false }],
      },
    ],
    database: p.db,
    log_config: path.join(p.dataDir, 'log.config'),
    media_store_path: path.join(p.dataDir, 'media_store'),
    signing_key_path: path.join(p.dataDir, `${SERVER_NAME}.signing.key`),
    registration_shared_secret: p.sharedSecret,
    macaroon_secret_key: randomBytes(24).toString('hex'),
    form_secret: randomBytes(24).toString('hex'),
    enable_registration: false, // shared-secret admin registration works regardless
    bcrypt_rounds: 4,
    // nothing that reaches the internet
    report_stats: false,
    enable_metrics: false,
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    federation_domain_whitelist: [], // federate with nobody
    url_preview_enabled: false,
    presence: { enabled: false },
    // every rate limiter out of the way of an open-loop generator (the keys of synapse/config/ratelimiting.py)
    rc_message: RC,
    rc_registration: RC,
    rc_registration_token_validity: RC,
    rc_login: { address: RC, account: RC, failed_attempts: RC },
    rc_admin_redaction: RC,
    rc_joins: { local: RC, remote: RC },
    rc_joins_per_room: RC,
    rc_invites: { per_room: RC, per_user: RC, per_issuer: RC },
    rc_3pid_validation: RC,
    rc_presence: { per_user: RC },
    rc_room_creation: RC,
    rc_media_create: RC,
    rc_delayed_event_mgmt: RC,
    rc_reports: RC,
    rc_key_requests: RC,
    rc_third_party_invite: RC,
    rc_user_directory: RC,
    rc_profile: RC,
  };
}

function logConfig(file: string, level: string): Record<string, unknown> {
  return {
    version: 1,
    formatters: {
      precise: { format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s' },
    },
    handlers: {
      file: { class: 'logging.FileHandler', formatter: 'precise', filename: file, encoding: 'utf8' },
      // as in Synapse's generated default: buffered, flushed every 5 s or at WARNING
      buffer: {
        class: 'synapse.logging.handlers.PeriodicallyFlushingMemoryHandler',
        target: 'file',
        capacity: 10,
        flushLevel: 30,
        period: 5,
      },
    },
    loggers: { 'synapse.storage.SQL': { level: 'INFO' } },
    root: { level, handlers: ['buffer'] },
    disable_existing_loggers: false,
  };
}

export interface PgTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

/**
 * Runs one SQL statement on the `postgres` database through the venv's psycopg2 (no psql, no npm
 * driver needed). Returns the rows, tab separated, one a line.
 */
export async function pgExec(pg: PgTarget, sql: string): Promise<string> {
  const script = [
    'import sys, psycopg2',
    'c = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), user=sys.argv[3], dbname="postgres")',
    'c.autocommit = True',
    'cur = c.cursor()',
    'cur.execute(sys.argv[4])',
    'rows = cur.fetchall() if cur.description else []',
    'print("\\n".join("\\t".join(str(v) for v in r) for r in rows))',
  ].join('\n');
  const { stdout } = await execFileP(VENV_PY, ['-c', script, pg.host, String(pg.port), pg.user, sql]);
  return stdout.trim();
}

const CLK_TCK = 100; // Linux USER_HZ
const PAGE = 4096;

/** utime+stime (s) and RSS (MB) of a process from procfs; null once it is gone. */
export async function procStat(pid: number): Promise<{ cpuSec: number; rssMb: number } | null> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm) ": state is [0], utime [11], stime [12], rss (pages) [21]
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return { cpuSec: ticks / CLK_TCK, rssMb: (Number(f[21]) * PAGE) / 1048576 };
  } catch {
    return null;
  }
}

function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what crashed runs left behind: data directories and PostgreSQL databases named
 * `…_<ts>_<pid>` whose creating process is gone and whose Synapse is not running.
 */
export async function cleanupStale(pg: PgTarget | null): Promise<void> {
  for (const name of await readdir(DATA_ROOT).catch(() => [] as string[])) {
    const owner = Number(name.split('_')[1]);
    if (!owner || alive(owner)) continue;
    const spid = Number(
      await readFile(path.join(DATA_ROOT, name, 'homeserver.pid'), 'utf8').catch(() => '0'),
    );
    if (spid && alive(spid)) continue;
    await rm(path.join(DATA_ROOT, name), { recursive: true, force: true });
  }
  if (!pg) return;
  const dbs = await pgExec(
    pg,
    "SELECT datname FROM pg_database WHERE datname LIKE 'synapse\\_bench\\_%'",
  ).catch(() => '');
  for (const db of dbs ? dbs.split('\n') : []) {
    const owner = Number(db.split('_')[3]);
    if (!/^synapse_bench_\d+_\d+$/.test(db) || !owner || alive(owner)) continue;
    const conns = await pgExec(pg, `SELECT count(*) FROM pg_stat_activity WHERE datname = '${db}'`).catch(
      () => '1',
    );
    if (conns === '0') await pgExec(pg, `DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
  }
}

export type SynapseDb = 'sqlite' | 'postgres';

export interface SynapseInstance {
  /** `http://127.0.0.1:<port>`: client API and `/_synapse/admin`. */
  readonly baseUrl: string;
  readonly port: number;
  /** `bench.local` */
  readonly serverName: string;
  /** `registration_shared_secret`, for `/_synapse/admin/v1/register`. */
  readonly sharedSecret: string;
  /** The Synapse (python) process: Synapse runs as one process (no workers). */
  readonly mainPid: number;
  /** e.g. `1.163.2` */
  readonly version: string;
  readonly db: SynapseDb;
  /** What a commit waits for, printed beside every figure. */
  readonly durability: string;
  readonly pgDatabase: string | null;
  readonly dataDir: string;
  /** Spawn → `/_matrix/client/versions` answering, seconds. */
  readonly startSec: number;
  /** Every process whose CPU is Synapse's: its own plus the PostgreSQL backends serving it. */
  readonly pids: () => Promise<readonly number[]>;
  /** PostgreSQL backend pids connected to this Synapse's database (none on SQLite). */
  readonly pgBackendPids: () => Promise<readonly number[]>;
  /** SIGTERM (SIGKILL after 10 s), drop the PostgreSQL database, remove the data directory. */
  readonly stop: () => Promise<void>;
}

export interface StartSynapseOptions {
  readonly db?: SynapseDb;
  /** `taskset -c <core>` for the Synapse process; null/undefined: not pinned. */
  readonly core?: string | number | null;
  readonly port?: number;
  /** Root log level (default WARNING; Synapse's generated default is INFO — no measurable difference in S2). */
  readonly logLevel?: 'INFO' | 'WARNING' | 'ERROR';
  readonly pg?: Partial<PgTarget>;
  /** Keep the data directory after stop (for inspecting homeserver.log). */
  readonly keepData?: boolean;
  readonly startTimeoutMs?: number;
  readonly log?: Log;
}

/** Writes a fresh config and data directory, starts Synapse and waits for its client API. */
export async function startSynapse(opts: StartSynapseOptions = {}): Promise<SynapseInstance> {
  const log = opts.log ?? defaultLog;
  const venv = await ensureSynapseVenv({ log });
  const db = opts.db ?? 'sqlite';
  const pg: PgTarget = { host: '127.0.0.1', port: 5432, user: 'postgres', ...opts.pg };
  await cleanupStale(db === 'postgres' ? pg : null);
  const port = opts.port ?? (await freePort());
  const stamp = `${Date.now()}_${process.pid}`;
  const dataDir = path.join(DATA_ROOT, stamp);
  await mkdir(path.join(dataDir, 'media_store'), { recursive: true });
  const sharedSecret = randomBytes(24).toString('hex');
  const core = opts.core === undefined || opts.core === null ? null : String(opts.core);
  const logLevel = opts.logLevel ?? 'WARNING';

  // A freshly initialised SQLite database (schema, no users) is kept per Synapse version and copied
  // per run, with the signing key it was created with.
  const tpl = path.join(TEMPLATE_DIR, venv.version);
  const keyFile = path.join(dataDir, `${SERVER_NAME}.signing.key`);
  const tplKey = path.join(tpl, `${SERVER_NAME}.signing.key`);
  if (existsSync(tplKey)) await copyFile(tplKey, keyFile);
  else await writeFile(keyFile, newSigningKey());

  let pgDatabase: string | null = null;
  let dbConf: unknown;
  let durability: string;
  if (db === 'postgres') {
    pgDatabase = `synapse_bench_${stamp}`;
    // Synapse refuses a database whose collation is not C
    await pgExec(
      pg,
      `CREATE DATABASE ${pgDatabase} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0 OWNER ${pg.user}`,
    );
    dbConf = {
      name: 'psycopg2',
      args: { user: pg.user, host: pg.host, port: pg.port, dbname: pgDatabase, cp_min: 5, cp_max: 10 },
    };
    const sc = await pgExec(pg, 'SHOW synchronous_commit').catch(() => '?');
    durability = `PostgreSQL synchronous_commit=${sc}`;
  } else {
    const dbFile = path.join(dataDir, 'homeserver.db');
    if (existsSync(path.join(tpl, 'homeserver.db'))) await copyFile(path.join(tpl, 'homeserver.db'), dbFile);
    dbConf = { name: 'sqlite3', args: { database: dbFile } };
    // Synapse's SQLite engine only sets journal_mode=WAL (synapse/storage/engines/sqlite.py);
    // synchronous stays at SQLite's default, FULL.
    durability = 'SQLite WAL, synchronous=FULL (Synapse default)';
  }

  // JSON is valid YAML; Synapse reads both files with yaml.safe_load.
  await writeFile(
    path.join(dataDir, 'homeserver.yaml'),
    JSON.stringify(homeserverConfig({ port, dataDir, db: dbConf, sharedSecret }), null, 2),
  );
  await writeFile(
    path.join(dataDir, 'log.config'),
    JSON.stringify(logConfig(path.join(dataDir, 'homeserver.log'), logLevel), null, 2),
  );

  const args = ['-m', 'synapse.app.homeserver', '-c', path.join(dataDir, 'homeserver.yaml')];
  const [cmd, argv] = core === null ? [VENV_PY, args] : ['taskset', ['-c', core, VENV_PY, ...args]];
  const out = createWriteStream(path.join(dataDir, 'stdout-stderr.log'));
  const t0 = performance.now();
  // taskset execs python, so the child's pid is Synapse's
  const child = spawn(cmd, argv, { cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, sig) => {
      exitCode = code ?? (sig ? 128 : 1);
      resolve();
    }),
  );
  const mainPid = child.pid ?? 0;
  const baseUrl = `http://127.0.0.1:${port}`;

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (exitCode === null) {
      child.kill('SIGTERM');
      const t = await Promise.race([exited.then(() => 'exit'), sleep(10000, 'timeout', { ref: false })]);
      if (t === 'timeout' && exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    out.end();
    if (pgDatabase)
      await pgExec(pg, `DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`).catch(() => undefined);
    if (!opts.keepData) await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 120000);
  for (;;) {
    if (exitCode !== null) {
      const tail = await readTail(path.join(dataDir, 'stdout-stderr.log'));
      await stop();
      throw new Error(`Synapse exited with ${String(exitCode)} during start-up:\n${tail}`);
    }
    const r = await httpGet(`${baseUrl}/_matrix/client/versions`, 2000).catch(() => null);
    if (r?.status === 200) break;
    if (Date.now() > deadline) {
      const tail = await readTail(path.join(dataDir, 'stdout-stderr.log'));
      await stop();
      throw new Error(`Synapse did not answer /_matrix/client/versions in time:\n${tail}`);
    }
    await sleep(150);
  }
  const startSec = (performance.now() - t0) / 1000;

  if (db === 'sqlite' && !existsSync(path.join(tpl, 'homeserver.db'))) {
    // consistent copy of the live database through SQLite's backup API
    await mkdir(tpl, { recursive: true });
    await execFileP(VENV_PY, [
      '-c',
      'import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); d=sqlite3.connect(sys.argv[2]); s.backup(d); d.close()',
      path.join(dataDir, 'homeserver.db'),
      path.join(tpl, 'homeserver.db.tmp'),
    ]).then(
      async () => {
        await copyFile(keyFile, tplKey);
        await copyFile(path.join(tpl, 'homeserver.db.tmp'), path.join(tpl, 'homeserver.db'));
        await rm(path.join(tpl, 'homeserver.db.tmp'), { force: true });
      },
      (err: unknown) => log(`could not keep a template database: ${String(err)}`),
    );
  }

  const pgBackendPids = async (): Promise<number[]> => {
    if (!pgDatabase) return [];
    const rows = await pgExec(pg, `SELECT pid FROM pg_stat_activity WHERE datname = '${pgDatabase}'`);
    return rows ? rows.split('\n').map(Number) : [];
  };

  log(
    `Synapse ${venv.version} up on ${baseUrl} (pid ${mainPid}${core === null ? '' : `, core ${core}`}, ${db}) ` +
      `in ${startSec.toFixed(1)} s`,
  );
  return {
    baseUrl,
    port,
    serverName: SERVER_NAME,
    sharedSecret,
    mainPid,
    version: venv.version,
    db,
    durability,
    pgDatabase,
    dataDir,
    startSec,
    pids: async () => [mainPid, ...(await pgBackendPids())],
    pgBackendPids,
    stop,
  };
}

async function readTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-40).join('\n');
}
