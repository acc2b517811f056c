import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

/** The error `loadConfig(env)` throws; fails the test when it throws nothing or something else. */
function configErrorOf(env: Record<string, string>, cwd?: string): ConfigError {
  try {
    loadConfig(env, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const writeConfig = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  describe('defaults', () => {
    it('runs on port 3000 over SQLite in ./data with no admin', () => {
      expect(loadConfig({}, '/srv/parley')).toEqual({
        port: 3000,
        host: '0.0.0.0',
        dataDir: '/srv/parley/data',
        publicUrl: 'http://localhost:3000',
        databaseUrl: null,
        logLevel: 'info',
        admin: null,
        natsUrl: null,
        natsSubjectPrefix: 'parley',
        realtime: {
          heartbeatMs: 30_000,
          connectTimeoutMs: 10_000,
          offlineGraceMs: 5_000,
          idleAfterMs: 300_000,
          presenceFlushMs: 250,
        },
        outboxRetentionMs: 7 * 24 * 3600_000,
      });
    });

    it('takes NATS_URL and a subject prefix, and refuses malformed ones naming the variable', () => {
      expect(
        loadConfig({ NATS_URL: 'nats://127.0.0.1:4222', PARLEY_NATS_SUBJECT_PREFIX: 'acme.chat' }),
      ).toMatchObject({
        natsUrl: 'nats://127.0.0.1:4222',
        natsSubjectPrefix: 'acme.chat',
      });
      expect(() => loadConfig({ NATS_URL: 'http://x' })).toThrow(/NATS_URL must start with nats:\/\//);
      expect(() => loadConfig({ PARLEY_NATS_SUBJECT_PREFIX: 'a b' })).toThrow(/PARLEY_NATS_SUBJECT_PREFIX/);
      expect(() => loadConfig({ PARLEY_DDP_HEARTBEAT_MS: '5' })).toThrow(
        /PARLEY_DDP_HEARTBEAT_MS must be an integer/,
      );
    });

    it('derives the default public URL from the port and strips a trailing slash from a given one', () => {
      expect(loadConfig({ PARLEY_PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
      expect(loadConfig({ PARLEY_PUBLIC_URL: 'https://chat.example.org/' }).publicUrl).toBe(
        'https://chat.example.org',
      );
    });

    it('treats an empty variable as unset', () => {
      expect(loadConfig({ PARLEY_PORT: '', PARLEY_LOG_LEVEL: '' })).toMatchObject({
        port: 3000,
        logLevel: 'info',
      });
    });

    it('reads every variable it knows', () => {
      const config = loadConfig(
        {
          PARLEY_PORT: '4000',
          PARLEY_HOST: '127.0.0.1',
          PARLEY_DATA_DIR: 'state',
          PARLEY_PUBLIC_URL: 'https://chat.example.org',
          DATABASE_URL: 'postgres://parley:secret@db:5432/parley',
          PARLEY_LOG_LEVEL: 'DEBUG',
          PARLEY_ADMIN_USERNAME: 'root',
          PARLEY_ADMIN_PASSWORD: 'hunter2-hunter2',
          PARLEY_ADMIN_EMAIL: 'root@example.org',
        },
        '/srv/parley',
      );
      expect(config).toMatchObject({
        port: 4000,
        host: '127.0.0.1',
        dataDir: '/srv/parley/state',
        publicUrl: 'https://chat.example.org',
        databaseUrl: 'postgres://parley:secret@db:5432/parley',
        logLevel: 'debug',
        admin: { username: 'root', password: 'hunter2-hunter2', email: 'root@example.org' },
      });
    });
  });

  describe('bad variables are named in the error', () => {
    it.each(['abc', '70000', '-1', '30.5'])('PARLEY_PORT=%s', (value) => {
      const error = configErrorOf({ PARLEY_PORT: value });
      expect(error.variable).toBe('PARLEY_PORT');
      expect(error.message).toContain('PARLEY_PORT');
    });

    it('PARLEY_LOG_LEVEL=loud', () => {
      const error = configErrorOf({ PARLEY_LOG_LEVEL: 'loud' });
      expect(error.variable).toBe('PARLEY_LOG_LEVEL');
      expect(error.message).toContain('PARLEY_LOG_LEVEL');
      expect(error.message).toContain('loud');
    });

    it.each(['ftp://x', 'not a url'])('PARLEY_PUBLIC_URL=%s', (value) => {
      const error = configErrorOf({ PARLEY_PUBLIC_URL: value });
      expect(error.variable).toBe('PARLEY_PUBLIC_URL');
      expect(error.message).toContain('PARLEY_PUBLIC_URL');
    });

    it.each(['mysql://parley:s3cret-pw@db/parley', 'postgres://parley:s3cret-pw@db:port/parley'])(
      'DATABASE_URL=%s, without echoing the password',
      (value) => {
        const error = configErrorOf({ DATABASE_URL: value });
        expect(error.variable).toBe('DATABASE_URL');
        expect(error.message).toContain('DATABASE_URL');
        expect(error.message).not.toContain('s3cret-pw');
      },
    );

    it('an admin username without a password names PARLEY_ADMIN_PASSWORD', () => {
      const error = configErrorOf({ PARLEY_ADMIN_USERNAME: 'root' });
      expect(error.variable).toBe('PARLEY_ADMIN_PASSWORD');
      expect(error.message).toContain('PARLEY_ADMIN_PASSWORD');
    });

    it('an admin password without a username names PARLEY_ADMIN_USERNAME, without echoing it', () => {
      const error = configErrorOf({ PARLEY_ADMIN_PASSWORD: 'hunter2-hunter2' });
      expect(error.variable).toBe('PARLEY_ADMIN_USERNAME');
      expect(error.message).not.toContain('hunter2-hunter2');
    });

    it('an admin email alone names PARLEY_ADMIN_EMAIL', () => {
      expect(configErrorOf({ PARLEY_ADMIN_EMAIL: 'root@example.org' }).variable).toBe('PARLEY_ADMIN_EMAIL');
    });
  });

  describe('PARLEY_CONFIG_FILE', () => {
    it('reads a JSON file of variable names to values, relative to the working directory', () => {
      writeConfig(
        'parley.json',
        JSON.stringify({
          PARLEY_PORT: 4100,
          PARLEY_LOG_LEVEL: 'warn',
          PARLEY_PUBLIC_URL: 'https://file.example',
        }),
      );
      expect(loadConfig({ PARLEY_CONFIG_FILE: 'parley.json' }, dir)).toMatchObject({
        port: 4100,
        logLevel: 'warn',
        publicUrl: 'https://file.example',
      });
    });

    it('lets the environment win over the file', () => {
      const path = writeConfig('both.json', JSON.stringify({ PARLEY_PORT: '4100', PARLEY_HOST: '10.0.0.1' }));
      expect(loadConfig({ PARLEY_CONFIG_FILE: path, PARLEY_PORT: '4200' })).toMatchObject({
        port: 4200,
        host: '10.0.0.1',
      });
    });

    it('checks values from the file like values from the environment', () => {
      const path = writeConfig('bad-port.json', JSON.stringify({ PARLEY_PORT: 'abc' }));
      expect(configErrorOf({ PARLEY_CONFIG_FILE: path }).variable).toBe('PARLEY_PORT');
    });

    it('names PARLEY_CONFIG_FILE when the file is missing', () => {
      const error = configErrorOf({ PARLEY_CONFIG_FILE: join(dir, 'absent.json') });
      expect(error.variable).toBe('PARLEY_CONFIG_FILE');
      expect(error.message).toContain('absent.json');
    });

    it('names PARLEY_CONFIG_FILE when the file is not valid JSON', () => {
      const path = writeConfig('broken.json', '{"PARLEY_PORT": 4100,');
      expect(configErrorOf({ PARLEY_CONFIG_FILE: path }).variable).toBe('PARLEY_CONFIG_FILE');
    });

    it('does not echo a secret from a file that is not valid JSON', () => {
      // A value left unquoted is an easy slip; the parser's message (V8 quotes the text around the
      // error) must not carry the password to the log.
      const path = writeConfig(
        'unquoted.json',
        '{"PARLEY_ADMIN_USERNAME": "root", "PARLEY_ADMIN_PASSWORD": s3cretpw}',
      );
      const error = configErrorOf({ PARLEY_CONFIG_FILE: path });
      expect(error.variable).toBe('PARLEY_CONFIG_FILE');
      expect(error.message).not.toContain('s3cretpw');
    });

    it('names PARLEY_CONFIG_FILE when the JSON is not an object, and the key when a value is nested', () => {
      const array = writeConfig('array.json', '["PARLEY_PORT"]');
      expect(configErrorOf({ PARLEY_CONFIG_FILE: array }).variable).toBe('PARLEY_CONFIG_FILE');
      const nested = writeConfig('nested.json', JSON.stringify({ PARLEY_PORT: { value: 1 } }));
      expect(configErrorOf({ PARLEY_CONFIG_FILE: nested }).variable).toBe('PARLEY_PORT');
    });
  });
});
