import type { LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { composeParley, type Parley } from '../compose.js';
import { loadConfig } from '../config/config.js';
import type { Clock } from '../domain/shared/clock.js';
import { freshDatabase, type Backend, type TestDatabase } from './databases.js';
import { TestDdpClient } from './ddp-client.js';

export interface Session {
  readonly userId: string;
  readonly username: string;
  readonly authToken: string;
  readonly password: string;
}

export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: LightMyRequestResponse['headers'];
  readonly raw: string;
}

export interface TestServer {
  readonly parley: Parley;
  /** Its database: pass it as `database` to start another server (process) on the same one. */
  readonly database: TestDatabase;
  /** carol is the admin; alice and bob are ordinary users. */
  readonly carol: Session;
  readonly alice: Session;
  readonly bob: Session;
  readonly anonymous: Client;
  as(session: Session): Client;
  /** Creates a user through `users.create` (as carol) and logs them in. */
  makeUser(username: string, extra?: Record<string, unknown>): Promise<Session>;
  /** Changes a setting through `POST settings/:_id` as carol. */
  setSetting(id: string, value: unknown): Promise<void>;
  /** `ws://…/websocket` once the server listens (the `listen` option). */
  readonly wsUrl: string;
  /** Opens a DDP connection (closed with the server), logged in as `session` when given. */
  ddp(session?: Session): Promise<TestDdpClient>;
  close(): Promise<void>;
}

export interface Client {
  get<T = Record<string, unknown>>(url: string, query?: Record<string, string>): Promise<Reply<T>>;
  post<T = Record<string, unknown>>(url: string, body?: unknown): Promise<Reply<T>>;
  /** Sends `payload` as is, with the given Content-Type: for malformed bodies. */
  raw(method: 'GET' | 'POST', url: string, payload: string, contentType?: string): Promise<Reply>;
}

export const PASSWORD = 'correct horse battery';

/**
 * A real Parley over a fresh database of its own (SQLite file or PostgreSQL schema), with the
 * cast logged in through the real `login` route. Requests go through Fastify's `inject`.
 */
export async function createTestServer(
  options: {
    backend?: Backend;
    clock?: Clock;
    env?: Record<string, string>;
    /** Listen on a free port of 127.0.0.1, for WebSocket tests. */
    listen?: boolean;
    /** Use this database (another server's) instead of a fresh one: for several processes. */
    database?: TestDatabase;
  } = {},
): Promise<TestServer> {
  const shared = options.database;
  const database = shared ?? (await freshDatabase(options.backend ?? 'sqlite'));
  const drop = () => (shared ? Promise.resolve() : database.drop());
  const config = loadConfig({
    PARLEY_ADMIN_USERNAME: 'carol',
    PARLEY_ADMIN_PASSWORD: PASSWORD,
    PARLEY_ADMIN_EMAIL: 'carol@example.test',
    PARLEY_PUBLIC_URL: 'http://parley.test',
    ...options.env,
  });
  let parley: Parley;
  try {
    parley = await composeParley(config, {
      logger: pino({ level: 'silent' }),
      database: database.target,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  } catch (error) {
    await drop();
    throw error;
  }
  try {
    let wsUrl = '';
    if (options.listen) {
      await parley.http.listen({ port: 0, host: '127.0.0.1' });
      const address = parley.http.server.address();
      if (address === null || typeof address === 'string') throw new Error('no TCP address');
      wsUrl = `ws://127.0.0.1:${address.port}/websocket`;
    }
    return await castAndClients(parley, database, drop, wsUrl, shared !== undefined);
  } catch (error) {
    await parley.close();
    await drop();
    throw error;
  }
}

async function castAndClients(
  parley: Parley,
  database: TestDatabase,
  drop: () => Promise<void>,
  wsUrl: string,
  existingCast: boolean,
): Promise<TestServer> {
  const sockets: TestDdpClient[] = [];
  const client = (session: Session | null): Client => {
    const headers = session ? { 'x-user-id': session.userId, 'x-auth-token': session.authToken } : {};
    const send = async (
      method: 'GET' | 'POST',
      url: string,
      init: { payload?: string; contentType?: string; query?: Record<string, string> },
    ) => {
      const response = await parley.http.inject({
        method,
        url,
        headers: { ...headers, ...(init.contentType ? { 'content-type': init.contentType } : {}) },
        ...(init.payload !== undefined ? { payload: init.payload } : {}),
        ...(init.query ? { query: init.query } : {}),
      });
      let body: unknown = undefined;
      try {
        body = response.body ? JSON.parse(response.body) : undefined;
      } catch {
        body = undefined;
      }
      return { status: response.statusCode, body, headers: response.headers, raw: response.body };
    };
    return {
      get: async (url, query) => (await send('GET', url, query ? { query } : {})) as never,
      post: async (url, body) =>
        (await send(
          'POST',
          url,
          body === undefined ? {} : { payload: JSON.stringify(body), contentType: 'application/json' },
        )) as never,
      raw: async (method, url, payload, contentType = 'application/json') =>
        (await send(method, url, { payload, contentType })) as never,
    };
  };

  const login = async (username: string, password = PASSWORD): Promise<Session> => {
    const reply = await client(null).post<{ data: { userId: string; authToken: string } }>('/api/v1/login', {
      user: username,
      password,
    });
    if (reply.status !== 200) throw new Error(`login of ${username} failed: ${reply.raw}`);
    return { userId: reply.body.data.userId, authToken: reply.body.data.authToken, username, password };
  };

  const carol = await login('carol');
  const makeOrLogin = (username: string): Promise<Session> =>
    existingCast ? login(username) : makeUser(username);
  const makeUser = async (username: string, extra: Record<string, unknown> = {}): Promise<Session> => {
    const reply = await client(carol).post('/api/v1/users.create', {
      username,
      name: username[0]?.toUpperCase() + username.slice(1),
      email: `${username}@example.test`,
      password: PASSWORD,
      verified: true,
      ...extra,
    });
    if (reply.status !== 200) throw new Error(`users.create ${username} failed: ${reply.raw}`);
    return login(username);
  };
  const alice = await makeOrLogin('alice');
  const bob = await makeOrLogin('bob');

  return {
    parley,
    database,
    carol,
    alice,
    bob,
    anonymous: client(null),
    as: client,
    makeUser,
    async setSetting(id, value) {
      const reply = await client(carol).post(`/api/v1/settings/${id}`, { value });
      if (reply.status !== 200) throw new Error(`setting ${id} failed: ${reply.raw}`);
    },
    wsUrl,
    async ddp(session) {
      if (!wsUrl) throw new Error('createTestServer({ listen: true }) is needed for DDP');
      const socket = await TestDdpClient.open(wsUrl);
      sockets.push(socket);
      if (session) await socket.login(session.authToken);
      return socket;
    },
    async close() {
      await Promise.all(sockets.map((s) => s.close().catch(() => undefined)));
      await parley.close();
      await drop();
    },
  };
}
