import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from './cli.js';
import { verifyPassword } from './domain/auth/passwords.js';
import { createStore } from './store/kysely-store.js';
import { MIGRATION_NAMES } from './store/migrations/index.js';

describe('the parley CLI', () => {
  let dataDir: string;
  let out: string[];
  let err: string[];
  const io = (env: Record<string, string> = {}): CliIo => ({
    env: { PARLEY_DATA_DIR: dataDir, ...env },
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    logger: pino({ level: 'silent' }),
  });

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    out = [];
    err = [];
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the usage for --help and exits 0', async () => {
    expect(await runCli(['--help'], io())).toEqual({ exitCode: 0 });
    expect(out.join('')).toContain('admin create');
  });

  it('refuses an unknown command or option with exit code 2', async () => {
    expect(await runCli(['frobnicate'], io())).toEqual({ exitCode: 2 });
    expect(err.join('')).toContain('Unknown command: frobnicate');
    expect(await runCli(['start', '--colour'], io())).toEqual({ exitCode: 2 });
  });

  it('`migrate` creates the SQLite database under the data dir and applies every migration', async () => {
    expect(await runCli(['migrate'], io())).toEqual({ exitCode: 0 });
    const store = createStore({ kind: 'sqlite', file: join(dataDir, 'parley.db') });
    try {
      expect(await store.schemaVersion()).toBe(MIGRATION_NAMES.at(-1));
      expect(await store.migrateToLatest()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('`admin create` adds an admin whose password verifies', async () => {
    const result = await runCli(
      ['admin', 'create', '--username', 'ops', '--email', 'ops@example.test'],
      io({ PARLEY_ADMIN_PASSWORD: 'a long passphrase' }),
    );
    expect(result).toEqual({ exitCode: 0 });
    expect(out.join('')).toMatch(/Created admin ops/);
    const store = createStore({ kind: 'sqlite', file: join(dataDir, 'parley.db') });
    try {
      const ops = await store.users.byUsername('ops');
      expect(ops?.roles).toEqual(['admin', 'user']);
      expect(ops?.email).toBe('ops@example.test');
      expect(await verifyPassword(ops?.passwordHash ?? null, 'a long passphrase')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('`admin create` without a password exits 2 and creates nobody', async () => {
    expect(await runCli(['admin', 'create', '--username', 'ops'], io())).toEqual({ exitCode: 2 });
    expect(err.join('')).toContain('needs --username and a password');
  });

  it('`admin create` with a taken username fails with the reason', async () => {
    expect(
      await runCli(['admin', 'create', '--username', 'ops', '--password', 'a long passphrase'], io()),
    ).toEqual({ exitCode: 0 });
    await expect(
      runCli(['admin', 'create', '--username', 'OPS', '--password', 'a long passphrase'], io()),
    ).rejects.toThrow(/already in use/);
  });

  it('`start` serves over a real socket, with the admin from the environment', async () => {
    const result = await runCli(
      ['start'],
      io({
        PARLEY_PORT: '0',
        PARLEY_HOST: '127.0.0.1',
        PARLEY_ADMIN_USERNAME: 'admin',
        PARLEY_ADMIN_PASSWORD: 'a long passphrase',
      }),
    );
    if (!('serving' in result)) throw new Error(`start did not serve: ${JSON.stringify(result)}`);
    try {
      const address = result.serving.http.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const live = await fetch(`http://127.0.0.1:${port}/livez`);
      expect(live.status).toBe(200);
      const login = await fetch(`http://127.0.0.1:${port}/api/v1/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: 'admin', password: 'a long passphrase' }),
      });
      expect(login.status).toBe(200);
      expect(login.headers.get('content-type')).toBe('application/json');
      const body = (await login.json()) as { data: { me: { roles: string[] } } };
      expect(body.data.me.roles).toContain('admin');
    } finally {
      await result.serving.close();
    }
  });
});
