import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { describe, it } from 'vitest';
import { redactUrl } from '../bus/nats-bus.js';
import { onEachBackend } from './backends.js';
import { createTestServer, type TestServer } from './create-test-server.js';
import type { Backend } from './databases.js';

export type BusMode = 'in-process' | 'nats';

/** The NATS the tests use: `NATS_URL`, else the local one CI starts. */
export const TEST_NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * With `PARLEY_TEST_ALLOW_MISSING_SERVICES=1`, tests whose service (NATS, PostgreSQL) does not
 * answer are skipped, loudly; without it they fail, so that a CI without the service cannot pass.
 */
export const missingServicesAllowed = (): boolean => process.env.PARLEY_TEST_ALLOW_MISSING_SERVICES === '1';

let natsAnswers: Promise<string | null> | undefined;

/** Null when NATS answers at `TEST_NATS_URL`; otherwise why not. Asked once per test file. */
export function natsProblem(): Promise<string | null> {
  natsAnswers ??= (async () => {
    try {
      const nc = await connect({ servers: TEST_NATS_URL, timeout: 2000, reconnect: false });
      await nc.close();
      return null;
    } catch (error) {
      return `NATS is not reachable at ${redactUrl(TEST_NATS_URL)} (${(error as Error).message})`;
    }
  })();
  return natsAnswers;
}

/** Subject tokens no other test server (in this or another test file) uses. */
export function uniqueSubjectPrefix(): string {
  return `parley-test.p${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * The env of a server on NATS with a prefix of its own. Servers that must hear each other (a
 * cluster) share one result; every call isolates a new deployment.
 */
export function natsEnv(): Record<string, string> {
  return { NATS_URL: TEST_NATS_URL, PARLEY_NATS_SUBJECT_PREFIX: uniqueSubjectPrefix() };
}

/**
 * Declares `suite` under `title`, provided every needed service answers. When one does not, the
 * block fails with a test naming it, or, with `PARLEY_TEST_ALLOW_MISSING_SERVICES=1`, is skipped
 * after saying so on stderr. Call at a test file's top level (with `await`).
 */
export async function describeWithServices(
  title: string,
  needs: readonly (() => Promise<string | null>)[],
  suite: () => void,
): Promise<void> {
  const problems = (await Promise.all(needs.map((need) => need()))).filter((p): p is string => p !== null);
  describeUnless(problems, title, suite);
}

/** The synchronous half of `describeWithServices`, for problems already known. */
function describeUnless(problems: readonly string[], title: string, suite: () => void): void {
  if (problems.length === 0) {
    describe(title, suite);
    return;
  }
  const what = problems.join('; ');
  if (missingServicesAllowed()) {
    console.error(`\n!!! ${what}.\n!!! "${title}" is SKIPPED (PARLEY_TEST_ALLOW_MISSING_SERVICES=1).\n`);
    describe.skip(title, suite);
    return;
  }
  describe(title, () => {
    it('has the services it needs', () => {
      throw new Error(
        `${what}. Start it (CI provides it), or set PARLEY_TEST_ALLOW_MISSING_SERVICES=1 to skip these tests.`,
      );
    });
  });
}

/** `describeWithServices` for tests that need NATS alone. */
export function describeWithNats(title: string, suite: () => void): Promise<void> {
  return describeWithServices(title, [natsProblem], suite);
}

/**
 * Declares `suite` once per event bus: in-process always, NATS when it answers (see
 * `describeWithServices` for when it does not). `busEnv()` is the env to pass to
 * `createTestServer`: `{}` in process; with NATS, the URL and a fresh subject prefix on every
 * call, so that each server is a deployment of its own. Call at a test file's top level.
 */
export async function onEachBusMode(
  title: string,
  suite: (mode: BusMode, busEnv: () => Record<string, string>) => void,
): Promise<void> {
  const nats = await natsProblem();
  declareBusModes(title, nats, suite);
}

/**
 * `onEachBackend` × `onEachBusMode`: SQLite and PostgreSQL (as `onEachBackend` decides) with the
 * in-process bus, and PostgreSQL with NATS. Several processes share one database only on
 * PostgreSQL: two processes writing one SQLite file meet SQLITE_BUSY, which libsql 0.5 does not
 * recover from cleanly (tursodatabase/libsql-client-ts#352). Call at a test file's top level.
 */
export async function onEachBackendAndBusMode(
  title: string,
  suite: (backend: Backend, mode: BusMode, busEnv: () => Record<string, string>) => void,
): Promise<void> {
  const nats = await natsProblem();
  await onEachBackend(title, (backend) =>
    declareBusModes('', nats, (mode, busEnv) => suite(backend, mode, busEnv), backend === 'sqlite'),
  );
}

function declareBusModes(
  title: string,
  natsProblemFound: string | null,
  suite: (mode: BusMode, busEnv: () => Record<string, string>) => void,
  inProcessOnly = false,
): void {
  const named = (mode: string) => (title ? `${title} [${mode}]` : `[${mode}]`);
  describe(named('in-process bus'), () => suite('in-process', () => ({})));
  if (inProcessOnly) return;
  describeUnless(natsProblemFound === null ? [] : [natsProblemFound], named('nats bus'), () =>
    suite('nats', natsEnv),
  );
}

/**
 * The server a realtime test talks to, in `mode`. In process: one `createTestServer`. On NATS:
 * two servers (processes) on one database and one subject prefix, where REST (`as`, `anonymous`,
 * `makeUser`, `setSetting`, `parley`) goes to the first and sockets (`wsUrl`, `ddp`) to the
 * second, so that everything a socket hears has crossed NATS. `sockets` is the second one (its
 * `parley.gateway` holds the connections).
 */
export async function createBusModeServer(
  mode: BusMode,
  options: Parameters<typeof createTestServer>[0] = {},
): Promise<TestServer & { readonly sockets: TestServer }> {
  if (mode === 'in-process') {
    const server = await createTestServer(options);
    return { ...server, sockets: server };
  }
  // Several processes share a database only on PostgreSQL (see onEachBackendAndBusMode).
  if (options.backend === 'sqlite') throw new Error('two processes on NATS need the PostgreSQL backend');
  const env = { ...natsEnv(), ...options.env };
  const rest = await createTestServer({ ...options, backend: 'postgres', env });
  let sockets: TestServer;
  try {
    sockets = await createTestServer({
      listen: true,
      env,
      database: rest.database,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  } catch (error) {
    await rest.close();
    throw error;
  }
  return {
    ...rest,
    sockets,
    wsUrl: sockets.wsUrl,
    ddp: (session) => sockets.ddp(session),
    async close() {
      // The first owns the database and drops it: it goes last.
      await sockets.close();
      await rest.close();
    },
  };
}
