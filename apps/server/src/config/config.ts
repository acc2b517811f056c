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

  return { port, host, dataDir, publicUrl, databaseUrl, logLevel: logLevel as LogLevel, admin };
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
