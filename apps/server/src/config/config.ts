import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly publicUrl: string;
  /** Unset: SQLite in the data dir. */
  readonly databaseUrl: string | null;
  readonly logLevel: LogLevel;
  readonly admin: { readonly username: string; readonly password: string; readonly email?: string } | null;
  /** Unset: one process, with an in-process event bus. */
  readonly natsUrl: string | null;
  /** Processes of one deployment share it; two deployments on one NATS must not. */
  readonly natsSubjectPrefix: string;
  readonly realtime: RealtimeConfig;
  /** How long committed events stay in the outbox table. */
  readonly outboxRetentionMs: number;
}

/** Timings of the DDP gateway and presence, in milliseconds. */
export interface RealtimeConfig {
  /** Silence after which the server pings, and after another such wait closes (4000). */
  readonly heartbeatMs: number;
  /** A socket that has not sent `connect` by then is closed. */
  readonly connectTimeoutMs: number;
  /** How long a user with no connection left stays online before going offline. */
  readonly offlineGraceMs: number;
  /** A connection that calls no method for this long counts as away. */
  readonly idleAfterMs: number;
  /** Status changes are gathered this long and broadcast together. */
  readonly presenceFlushMs: number;
}

/** A bad setting at start: names the variable and what was wrong, and the process exits. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Source = Readonly<Record<string, string | undefined>>;

/**
 * Reads the configuration from the environment, over an optional JSON file named by
 * `PARLEY_CONFIG_FILE` (keys are the same variable names). The environment wins.
 */
export function loadConfig(env: Source, cwd = process.cwd()): Config {
  const merged: Record<string, string | undefined> = {
    ...readConfigFile(env.PARLEY_CONFIG_FILE, cwd),
    ...definedOnly(env),
  };
  const get = (name: string): string | undefined => {
    const value = merged[name];
    return value === undefined || value === '' ? undefined : value;
  };

  const port = integer('PARLEY_PORT', get('PARLEY_PORT') ?? '3000', 0, 65535);
  const host = get('PARLEY_HOST') ?? '0.0.0.0';
  const dataDir = resolve(cwd, get('PARLEY_DATA_DIR') ?? './data');
  const publicUrl = url('PARLEY_PUBLIC_URL', get('PARLEY_PUBLIC_URL') ?? `http://localhost:${port}`, [
    'http:',
    'https:',
  ]).replace(/\/+$/, '');
  const databaseUrl = get('DATABASE_URL') ?? null;
  if (databaseUrl !== null) url('DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:']);
  const logLevel = (get('PARLEY_LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError('PARLEY_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const username = get('PARLEY_ADMIN_USERNAME');
  const password = get('PARLEY_ADMIN_PASSWORD');
  const email = get('PARLEY_ADMIN_EMAIL');
  if ((username === undefined) !== (password === undefined)) {
    const missing = username === undefined ? 'PARLEY_ADMIN_USERNAME' : 'PARLEY_ADMIN_PASSWORD';
    throw new ConfigError(
      missing,
      'must be set together with the other (PARLEY_ADMIN_USERNAME and PARLEY_ADMIN_PASSWORD)',
    );
  }
  if (email !== undefined && username === undefined) {
    throw new ConfigError('PARLEY_ADMIN_EMAIL', 'needs PARLEY_ADMIN_USERNAME and PARLEY_ADMIN_PASSWORD');
  }
  const admin =
    username !== undefined && password !== undefined
      ? { username, password, ...(email ? { email } : {}) }
      : null;

  const natsUrl = get('NATS_URL') ?? null;
  if (natsUrl !== null) url('NATS_URL', natsUrl, ['nats:', 'tls:', 'ws:', 'wss:']);
  const natsSubjectPrefix = get('PARLEY_NATS_SUBJECT_PREFIX') ?? 'parley';
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(natsSubjectPrefix)) {
    throw new ConfigError(
      'PARLEY_NATS_SUBJECT_PREFIX',
      `must be NATS subject tokens (letters, digits, _ and -, joined by dots) (got "${natsSubjectPrefix}")`,
    );
  }
  const ms = (variable: string, fallback: number, min: number) =>
    integer(variable, get(variable) ?? String(fallback), min, 24 * 3600 * 1000);
  const realtime: RealtimeConfig = {
    heartbeatMs: ms('PARLEY_DDP_HEARTBEAT_MS', 30_000, 100),
    connectTimeoutMs: ms('PARLEY_DDP_CONNECT_TIMEOUT_MS', 10_000, 100),
    offlineGraceMs: ms('PARLEY_PRESENCE_OFFLINE_GRACE_MS', 5_000, 0),
    idleAfterMs: ms('PARLEY_PRESENCE_IDLE_MS', 300_000, 100),
    presenceFlushMs: ms('PARLEY_PRESENCE_FLUSH_MS', 250, 0),
  };

  const outboxRetentionMs =
    integer('PARLEY_OUTBOX_RETENTION_HOURS', get('PARLEY_OUTBOX_RETENTION_HOURS') ?? '168', 1, 24 * 365) *
    3600_000;

  return {
    outboxRetentionMs,
    port,
    host,
    dataDir,
    publicUrl,
    databaseUrl,
    logLevel: logLevel as LogLevel,
    admin,
    natsUrl,
    natsSubjectPrefix,
    realtime,
  };
}

function readConfigFile(file: string | undefined, cwd: string): Record<string, string> {
  if (!file) return {};
  const path = resolve(cwd, file);
  if (!existsSync(path))
    throw new ConfigError('PARLEY_CONFIG_FILE', `names a file that does not exist: ${path}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // The parser's message quotes the text around the error, which may be a password: not echoed.
    throw new ConfigError('PARLEY_CONFIG_FILE', `names a file that is not valid JSON: ${path}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('PARLEY_CONFIG_FILE', 'must hold a JSON object of variable names to values');
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(key, `in ${path} must be a string, number or boolean`);
    }
    out[key] = String(value);
  }
  return out;
}

function definedOnly(env: Source): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function integer(variable: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(variable, `must be an integer from ${min} to ${max} (got "${raw}")`);
  const n = Number(raw);
  if (n < min || n > max)
    throw new ConfigError(variable, `must be an integer from ${min} to ${max} (got "${raw}")`);
  return n;
}

function url(variable: string, raw: string, protocols: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // A database URL may hold a password: never echo it.
    throw new ConfigError(
      variable,
      variable === 'DATABASE_URL' ? 'must be a URL' : `must be a URL (got "${raw}")`,
    );
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(
      variable,
      `must start with ${protocols.map((p) => `${p}//`).join(' or ')} (got "${parsed.protocol}//")`,
    );
  }
  return raw;
}
