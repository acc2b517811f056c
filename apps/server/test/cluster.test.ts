import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoredEvent } from '../src/domain/events/events.js';
import { describeWithServices, natsEnv, natsProblem } from '../src/testing/bus-modes.js';
import {
  PASSWORD,
  createTestServer,
  type Session,
  type TestServer,
} from '../src/testing/create-test-server.js';
import { POSTGRES_URL, postgresAvailable } from '../src/testing/databases.js';
import { TestDdpClient, type Frame } from '../src/testing/ddp-client.js';

/**
 * Two Parley processes, A and B, on one PostgreSQL database and one NATS deployment (subject
 * prefix): what a client on one sees of what happens on the other. A and B run in this test
 * process (each with its own bus connection, gateway and HTTP server; clients reach them over
 * real TCP); the last test also runs a third as a separate OS process.
 */

const postgresProblem = async (): Promise<string | null> =>
  (await postgresAvailable())
    ? null
    : `PostgreSQL is not reachable at ${POSTGRES_URL.replace(/:[^:@/]*@/, ':***@')}`;

interface Rest<T> {
  readonly status: number;
  readonly body: T;
}

/** REST over real HTTP (not `inject`), as another process's client would. */
async function rest<T = Record<string, unknown>>(
  baseUrl: string,
  session: Session | null,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Rest<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(session ? { 'x-user-id': session.userId, 'x-auth-token': session.authToken } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const httpOf = (server: TestServer): string =>
  server.wsUrl.replace(/^ws:/, 'http:').replace(/\/websocket$/, '');

interface WireMessage {
  readonly _id: string;
  readonly rid: string;
  readonly msg: string;
  readonly u: { readonly _id: string; readonly username: string };
  readonly ts: unknown;
}

const roomMessage =
  (eventName: string, text: string) =>
  (f: Frame): boolean =>
    f.msg === 'changed' &&
    f.collection === 'stream-room-messages' &&
    (f.fields as { eventName?: string }).eventName === eventName &&
    (f.fields as { args: WireMessage[] }).args[0]?.msg === text;

const argsOf = (f: Frame): unknown[] => (f.fields as { args: unknown[] }).args;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

/**
 * Retries `check` until it passes: what one process commits reaches the others' caches through
 * the bus, a few milliseconds later, not within the writer's request.
 */
async function eventually(check: () => Promise<void>, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() - start > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

await describeWithServices(
  'a cluster: two Parley processes on one PostgreSQL database and one NATS',
  [natsProblem, postgresProblem],
  () => {
    const env = natsEnv();
    let a: TestServer;
    let b: TestServer;
    /** B after its restart (test d). */
    let b2: TestServer | undefined;
    let bClosed = false;
    beforeAll(async () => {
      a = await createTestServer({ listen: true, backend: 'postgres', env });
      b = await createTestServer({ listen: true, database: a.database, env });
    });
    afterAll(async () => {
      // A owns the database: it goes last, and drops it.
      await b2?.close();
      if (!bClosed) await b?.close();
      await a?.close();
    });

    it('(a) delivers a message posted over REST on B to a DDP client on A, in well under 100 ms', async () => {
      const alice = await a.ddp(a.alice);
      expect((await alice.sub('stream-room-messages', 'GENERAL')).msg).toBe('ready');

      const committedOnB = new Map<string, number>();
      const stop = b.parley.bus.subscribe({
        events(events: readonly StoredEvent[]) {
          for (const event of events)
            if (event.type === 'message.saved' && event.created)
              committedOnB.set(event.message.msg, performance.now());
        },
        signal: () => undefined,
      });
      const warmUp = 3;
      const measured = 20;
      const postToReceipt: number[] = [];
      const commitToReceipt: number[] = [];
      try {
        for (let i = 0; i < warmUp + measured; i++) {
          const text = `latency probe ${i}`;
          const received = alice
            .next(roomMessage('GENERAL', text), 3000)
            .then((frame) => ({ frame, at: performance.now() }));
          const postedAt = performance.now();
          const reply = await rest(httpOf(b), b.bob, 'POST', '/api/v1/chat.postMessage', {
            roomId: 'GENERAL',
            text,
          });
          expect(reply.status).toBe(200);
          const { frame, at } = await received;
          const message = argsOf(frame)[0] as WireMessage;
          expect(message).toMatchObject({ rid: 'GENERAL', msg: text, u: { username: 'bob' } });
          expect(message.ts).toEqual({ $date: expect.any(Number) as number });
          if (i < warmUp) continue;
          postToReceipt.push(at - postedAt);
          commitToReceipt.push(at - (committedOnB.get(text) ?? Number.NaN));
        }
      } finally {
        stop();
      }
      const figures = (label: string, values: number[]) =>
        `${label}: median ${ms(median(values))}, p95 ${ms(percentile(values, 95))}, ` +
        `min ${ms(Math.min(...values))}, max ${ms(Math.max(...values))}`;
      // eslint-disable-next-line no-console -- the figures go into the operations notes
      console.log(
        `[cluster latency] ${measured} messages, REST POST on B -> DDP 'changed' on A (PostgreSQL + NATS):\n` +
          `  ${figures('POST sent -> received on A', postToReceipt)}\n` +
          `  ${figures('commit on B -> received on A (NATS hop + fan-out)', commitToReceipt)}`,
      );
      expect(commitToReceipt.every(Number.isFinite)).toBe(true);
      expect(median(postToReceipt)).toBeLessThan(100);
    });

    it('(b) carries __my_messages__ and subscriptions-changed across processes', async () => {
      const alice = await a.ddp(a.alice);
      expect((await alice.sub('stream-room-messages', '__my_messages__')).msg).toBe('ready');
      expect((await alice.sub('stream-notify-user', `${a.alice.userId}/subscriptions-changed`)).msg).toBe(
        'ready',
      );
      expect((await alice.sub('stream-notify-user', `${a.alice.userId}/rooms-changed`)).msg).toBe('ready');

      // Bob, on B, creates a private group with alice in it: A learns she is a member.
      const created = await rest<{ group: { _id: string } }>(
        httpOf(b),
        b.bob,
        'POST',
        '/api/v1/groups.create',
        {
          name: 'cluster-b',
          members: ['alice'],
        },
      );
      expect(created.status).toBe(200);
      const rid = created.body.group._id;
      const inserted = await alice.event('stream-notify-user', `${a.alice.userId}/subscriptions-changed`);
      expect(inserted).toMatchObject([
        'inserted',
        { rid, t: 'p', name: 'cluster-b', u: { _id: a.alice.userId } },
      ]);
      expect(await alice.event('stream-notify-user', `${a.alice.userId}/rooms-changed`)).toMatchObject([
        'inserted',
        { _id: rid, t: 'p', name: 'cluster-b' },
      ]);

      // A message there reaches her on A through __my_messages__, and her unread count changes.
      const posted = await rest(httpOf(b), b.bob, 'POST', '/api/v1/chat.postMessage', {
        roomId: rid,
        text: 'hi in cluster-b',
      });
      expect(posted.status).toBe(200);
      const mine = argsOf(await alice.next(roomMessage('__my_messages__', 'hi in cluster-b')));
      expect(mine).toMatchObject([
        { rid, msg: 'hi in cluster-b', u: { username: 'bob' } },
        { roomParticipant: true, roomType: 'p', roomName: 'cluster-b' },
      ]);
      const updated = await alice.event('stream-notify-user', `${a.alice.userId}/subscriptions-changed`);
      expect(updated).toMatchObject(['updated', { rid, unread: 1 }]);
    });

    it('(c) sends typing from a client on B to clients on A (and B), not back to the sender', async () => {
      const event = 'GENERAL/user-activity';
      const alice = await a.ddp(a.alice);
      const bob = await b.ddp(b.bob);
      const carol = await b.ddp(b.carol);
      for (const client of [alice, bob, carol])
        expect((await client.sub('stream-notify-room', event)).msg).toBe('ready');

      await bob.ok('stream-notify-room', event, 'bob', ['user-typing'], {});
      expect(await alice.event('stream-notify-room', event)).toEqual(['bob', ['user-typing'], {}]);
      expect(await carol.event('stream-notify-room', event)).toEqual(['bob', ['user-typing'], {}]);
      expect(await bob.none((f) => f.msg === 'changed' && f.collection === 'stream-notify-room', 300)).toBe(
        true,
      );

      await bob.ok('stream-notify-room', event, 'bob', [], {});
      expect(await alice.event('stream-notify-room', event)).toEqual(['bob', [], {}]);
    });

    it('(e) stops delivering a private group to alice on A as soon as B kicks her', async () => {
      const created = await rest<{ group: { _id: string } }>(
        httpOf(b),
        b.bob,
        'POST',
        '/api/v1/groups.create',
        {
          name: 'cluster-kick',
          members: ['alice'],
        },
      );
      expect(created.status).toBe(200);
      const rid = created.body.group._id;
      const alice = await a.ddp(a.alice);
      expect((await alice.sub('stream-room-messages', rid)).msg).toBe('ready');
      expect((await alice.sub('stream-room-messages', '__my_messages__')).msg).toBe('ready');
      const post = async (text: string) =>
        expect(
          (await rest(httpOf(b), b.bob, 'POST', '/api/v1/chat.postMessage', { roomId: rid, text })).status,
        ).toBe(200);

      await post('before the kick');
      await alice.next(roomMessage(rid, 'before the kick'));
      await alice.next(roomMessage('__my_messages__', 'before the kick'));

      const kicked = await rest(httpOf(b), b.bob, 'POST', '/api/v1/groups.kick', {
        roomId: rid,
        username: 'alice',
      });
      expect(kicked.status).toBe(200);
      // Posted right after the kick's reply: the removal travels first, on the same subject.
      await post('after the kick');
      expect(
        await alice.none(
          (f) => roomMessage(rid, 'after the kick')(f) || roomMessage('__my_messages__', 'after the kick')(f),
          500,
        ),
      ).toBe(true);
    });

    it('(f) applies a setting and a permission changed on A to requests on B', async () => {
      const siteNameOnB = async () =>
        (
          await rest<{ settings: { _id: string; value: unknown }[] }>(
            httpOf(b),
            null,
            'GET',
            '/api/v1/settings.public?count=500',
          )
        ).body.settings.find((setting) => setting._id === 'Site_Name')?.value;
      expect(await siteNameOnB()).toBe('Parley');
      const changed = await rest(httpOf(a), a.carol, 'POST', '/api/v1/settings/Site_Name', {
        value: 'Parley cluster',
      });
      expect(changed.status).toBe(200);
      await eventually(async () => expect(await siteNameOnB()).toBe('Parley cluster'));

      // Only admins may create private groups now: B refuses bob at once.
      const listed = await rest<{ update: { _id: string; roles: string[] }[] }>(
        httpOf(a),
        a.carol,
        'GET',
        '/api/v1/permissions.listAll',
      );
      const before = listed.body.update.find((p) => p._id === 'create-p')!.roles;
      expect(before).toContain('user');
      const setRoles = async (roles: readonly string[]) =>
        expect(
          (
            await rest(httpOf(a), a.carol, 'POST', '/api/v1/permissions.update', {
              permissions: [{ _id: 'create-p', roles }],
            })
          ).status,
        ).toBe(200);
      let attempt = 0;
      const createOnB = async () =>
        (await rest(httpOf(b), b.bob, 'POST', '/api/v1/groups.create', { name: `cluster-perm-${attempt++}` }))
          .status;
      await setRoles(['admin']);
      try {
        await eventually(async () => expect(await createOnB()).toBe(403));
      } finally {
        await setRoles(before);
      }
      await eventually(async () => expect(await createOnB()).toBe(200));
    });

    it('(g) ends a DDP session on A when its token is logged out on B', async () => {
      const login = await rest<{ data: { userId: string; authToken: string } }>(
        httpOf(a),
        null,
        'POST',
        '/api/v1/login',
        {
          user: 'alice',
          password: a.alice.password,
        },
      );
      expect(login.status).toBe(200);
      const session: Session = { ...a.alice, authToken: login.body.data.authToken };
      const onA = await a.ddp(session);
      expect((await onA.sub('stream-notify-user', `${session.userId}/force_logout`)).msg).toBe('ready');
      // Another of her sessions, on the same process, is not concerned.
      const other = await a.ddp(a.alice);
      expect((await other.sub('stream-notify-user', `${session.userId}/force_logout`)).msg).toBe('ready');

      expect((await rest(httpOf(b), session, 'POST', '/api/v1/logout')).status).toBe(200);
      expect(await onA.event('stream-notify-user', `${session.userId}/force_logout`)).toEqual([]);
      expect(
        (await onA.call('stream-notify-room', 'GENERAL/user-activity', 'alice', ['user-typing'], {})).error,
      ).toMatchObject({
        error: 'error-not-allowed',
      });
      expect(await other.none((f) => f.msg === 'changed', 300)).toBe(true);
      expect(
        (await other.call('stream-notify-room', 'GENERAL/user-activity', 'alice', [], {})).error,
      ).toBeUndefined();
    });

    it('(d) loses nothing when B restarts: a client back on B\u2032 catches up over REST and goes on live', async () => {
      const group = await rest<{ group: { _id: string } }>(
        httpOf(a),
        a.alice,
        'POST',
        '/api/v1/groups.create',
        {
          name: 'cluster-restart',
          members: ['bob'],
        },
      );
      expect(group.status).toBe(200);
      const groupId = group.body.group._id;

      // Bob is on B and has seen everything so far. (Not `b.ddp`: B's test harness would close
      // the socket itself on `close`; here the server goes away under it.)
      const bobOnB = await TestDdpClient.open(b.wsUrl);
      await bobOnB.login(b.bob.authToken);
      expect((await bobOnB.sub('stream-room-messages', 'GENERAL')).msg).toBe('ready');
      const seen = await rest(httpOf(a), a.alice, 'POST', '/api/v1/chat.postMessage', {
        roomId: 'GENERAL',
        text: 'seen live',
      });
      expect(seen.status).toBe(200);
      const last = argsOf(await bobOnB.next(roomMessage('GENERAL', 'seen live')))[0] as WireMessage & {
        ts: { $date: number };
      };
      const lastUpdate = new Date(last.ts.$date).toISOString();
      const bobSession = b.bob;

      // B stops; its socket is told so.
      const closing = bobOnB.closed();
      bClosed = true;
      await b.close();
      expect(await closing).toBe(1001);

      // Meanwhile, on A.
      const missed = ['while B was down 1', 'while B was down 2', 'while B was down 3'];
      for (const text of missed)
        expect(
          (await rest(httpOf(a), a.alice, 'POST', '/api/v1/chat.postMessage', { roomId: 'GENERAL', text }))
            .status,
        ).toBe(200);
      expect(
        (
          await rest(httpOf(a), a.alice, 'POST', '/api/v1/chat.postMessage', {
            roomId: groupId,
            text: 'private, while down',
          })
        ).status,
      ).toBe(200);

      // B′ starts on the same database; bob's old token still works there, over DDP and REST.
      b2 = await createTestServer({ listen: true, database: a.database, env });
      const base = httpOf(b2);
      const bobOnB2 = await TestDdpClient.open(b2.wsUrl);
      try {
        expect(await bobOnB2.login(bobSession.authToken)).toMatchObject({ id: bobSession.userId });
        expect((await bobOnB2.sub('stream-room-messages', 'GENERAL')).msg).toBe('ready');

        const sync = await rest<{ result: { updated: WireMessage[]; deleted: unknown[] } }>(
          base,
          bobSession,
          'GET',
          `/api/v1/chat.syncMessages?roomId=GENERAL&lastUpdate=${encodeURIComponent(lastUpdate)}`,
        );
        expect(sync.status).toBe(200);
        expect(sync.body.result.updated.map((m) => m.msg).sort()).toEqual([...missed].sort());

        const subscriptions = await rest<{ update: { rid: string; unread: number }[]; remove: unknown[] }>(
          base,
          bobSession,
          'GET',
          `/api/v1/subscriptions.get?updatedSince=${encodeURIComponent(lastUpdate)}`,
        );
        expect(subscriptions.status).toBe(200);
        expect(subscriptions.body.update).toEqual(
          expect.arrayContaining([expect.objectContaining({ rid: groupId, unread: 1 })]),
        );

        const rooms = await rest<{ update: { _id: string; lastMessage?: { msg: string } }[] }>(
          base,
          bobSession,
          'GET',
          `/api/v1/rooms.get?updatedSince=${encodeURIComponent(lastUpdate)}`,
        );
        expect(rooms.status).toBe(200);
        const byId = new Map(rooms.body.update.map((r) => [r._id, r]));
        expect(byId.get('GENERAL')?.lastMessage?.msg).toBe('while B was down 3');
        expect(byId.get(groupId)?.lastMessage?.msg).toBe('private, while down');

        // And live again: A's next message reaches bob on B′.
        expect(
          (
            await rest(httpOf(a), a.alice, 'POST', '/api/v1/chat.postMessage', {
              roomId: 'GENERAL',
              text: 'back live',
            })
          ).status,
        ).toBe(200);
        await bobOnB2.next(roomMessage('GENERAL', 'back live'));
      } finally {
        await bobOnB2.close();
      }
    });

    it('works with a third Parley as a separate OS process (`parley start` from the sources)', async () => {
      const child = await startChildParley({
        ...env,
        DATABASE_URL: withSearchPath(POSTGRES_URL, schemaOf(a)),
      });
      try {
        // Alice on the child hears bob posting on A, and the other way round.
        const aliceOnChild = await TestDdpClient.open(child.wsUrl);
        await aliceOnChild.login(a.alice.authToken);
        expect((await aliceOnChild.sub('stream-room-messages', 'GENERAL')).msg).toBe('ready');
        const bobOnA = await a.ddp(a.bob);
        expect((await bobOnA.sub('stream-room-messages', 'GENERAL')).msg).toBe('ready');

        expect(
          (
            await rest(httpOf(a), a.bob, 'POST', '/api/v1/chat.postMessage', {
              roomId: 'GENERAL',
              text: 'to the child',
            })
          ).status,
        ).toBe(200);
        await aliceOnChild.next(roomMessage('GENERAL', 'to the child'));
        const fromChild = await rest(child.httpUrl, a.alice, 'POST', '/api/v1/chat.postMessage', {
          roomId: 'GENERAL',
          text: 'from the child',
        });
        expect(fromChild.status).toBe(200);
        await bobOnA.next(roomMessage('GENERAL', 'from the child'));
        // The child logs in with the shared database's users too.
        const login = await rest<{ status: string }>(child.httpUrl, null, 'POST', '/api/v1/login', {
          user: 'carol',
          password: PASSWORD,
        });
        expect(login.body.status).toBe('success');

        const closing = aliceOnChild.closed();
        expect(await child.stop()).toBe(0);
        expect(await closing).toBe(1001);
      } finally {
        child.kill();
      }
    });
  },
);

const schemaOf = (server: TestServer): string => {
  const target = server.database.target;
  if (target.kind !== 'postgres' || !target.schema)
    throw new Error('the cluster runs on a PostgreSQL schema');
  return target.schema;
};

/** The test database's schema as a `DATABASE_URL`, through libpq's `options`. */
function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

interface ChildParley {
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  kill(): void;
}

/**
 * Runs `apps/server/src/main.ts start` in a new Node process. There is no build here: a module
 * hook compiles each TypeScript file with esbuild (vitest's own dependency) as Node loads it.
 */
async function startChildParley(env: Record<string, string>): Promise<ChildParley> {
  const require = createRequire(import.meta.url);
  const esbuild = pathToFileURL(require.resolve('esbuild')).href;
  const protocol = pathToFileURL(
    fileURLToPath(new URL('../../../packages/protocol/src/index.ts', import.meta.url)),
  ).href;
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'parley-child-'));
  const hooks = join(dir, 'ts-hooks.mjs');
  writeFileSync(
    hooks,
    `import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import esbuild from ${JSON.stringify(esbuild)};
export async function resolve(specifier, context, next) {
  if (specifier === '@parley/protocol') return { url: ${JSON.stringify(protocol)}, shortCircuit: true };
  if (context.parentURL?.endsWith('.ts') && /^\\.{1,2}\\//.test(specifier) && specifier.endsWith('.js')) {
    try { return await next(specifier, context); } catch { return next(specifier.slice(0, -3) + '.ts', context); }
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(fileURLToPath(url), 'utf8');
  const { code } = await esbuild.transform(source, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: fileURLToPath(url), sourcemap: 'inline' });
  return { format: 'module', source: code, shortCircuit: true };
}
`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );

  const child: ChildProcess = spawn(
    process.execPath,
    ['--enable-source-maps', '--import', pathToFileURL(register).href, main, 'start'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        PARLEY_HOST: '127.0.0.1',
        PARLEY_PORT: '0',
        PARLEY_DATA_DIR: dir,
        PARLEY_PUBLIC_URL: 'http://parley.test',
        PARLEY_LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => rmSync(dir, { recursive: true, force: true }));
  let output = '';
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the child Parley did not start within 20 s:\n${output}`)),
      20_000,
    );
    const read = (chunk: Buffer) => {
      output += String(chunk);
      const found = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the child Parley exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    httpUrl: address,
    wsUrl: `${address.replace(/^http:/, 'ws:')}/websocket`,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
