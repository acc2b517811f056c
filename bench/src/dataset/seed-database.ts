import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { roomHistory } from './history.js';
import type { DatasetPlan, PlannedRoom } from './plan.js';
import {
  loadServerModules,
  type DatabaseTarget,
  type DeviceId,
  type DomainContext,
  type MessageId,
  type RoomId,
  type ServerModules,
  type Tx,
  type User,
  type UserId,
} from './server-modules.js';
import { DATASET_EPOCH_MS, DATASET_PASSWORD } from './spec.js';
import { bodyPool } from './words.js';

/** Rows per transaction: large enough to amortise commits, small enough to report progress. */
const BATCH = 2_000;
/** Messages per unit of parallel work. */
const UNIT = 10_000;

type Parsed = Awaited<ReturnType<ServerModules['parseMessage']['parseMessageText']>>;

/**
 * Writes `plan` into an empty database through the server's own store and domain helpers (the same
 * rows the actions write, without Argon2 per user or an HTTP round trip per message): migrations,
 * roles and settings, users with a login token each, rooms with their counters, memberships, and
 * the history. `progress` hears one line per stage.
 */
export async function seedDatabase(
  plan: DatasetPlan,
  target: DatabaseTarget,
  progress: (line: string) => void,
): Promise<void> {
  const server = await loadServerModules();
  const store = server.store.createStore(target);
  try {
    await store.migrateToLatest();
    const now = DATASET_EPOCH_MS;
    await store.transaction((tx) => server.authorizer.seedRolesAndPermissions(tx, now));
    const settings = await server.settings.loadSettings(store.settings, now);
    const authz = await server.authorizer.createAuthorizer({
      permissions: store.permissions,
      roomRoles: () => Promise.resolve([]),
    });
    let nextId = 0;
    const ctx: DomainContext = {
      store,
      clock: { now: () => now },
      // Subscription ids: deterministic, distinct from every planned id.
      ids: { next: () => `sub${String(nextId++).padStart(14, '0')}` },
      settings,
      authz,
      loginAttempts: server.attemptLimiter.createAttemptLimiter(),
    };

    const users = await seedUsers(server, store, plan, progress);
    await seedRooms(server, ctx, plan, users, progress);
    await seedHistory(server, store, plan, users, progress);
  } finally {
    await store.close();
  }
}

/** Runs `work` over `items`, several at once on PostgreSQL (the store's pool), one at a time on SQLite. */
async function inParallel<T>(
  store: { readonly dialect: 'sqlite' | 'postgres' },
  items: readonly T[],
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: store.dialect === 'postgres' ? 4 : 1 }, worker));
}

async function inBatches<T>(
  store: { transaction<R>(fn: (tx: Tx) => Promise<R>): Promise<R> },
  items: readonly T[],
  write: (tx: Tx, item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) {
    const slice = items.slice(i, i + BATCH);
    await store.transaction(async (tx) => {
      for (const item of slice) await write(tx, item);
    });
    // libsql frees a statement's native memory in a finaliser that runs on a later turn of the
    // event loop, and Kysely prepares one per query: a seeding that never yields kept ~2 GB for the
    // quick data set and exhausted the machine on the full one (measured: ~2.5 KiB per statement).
    await yieldToEventLoop();
  }
}

async function seedUsers(
  server: ServerModules,
  store: DomainContext['store'],
  plan: DatasetPlan,
  progress: (line: string) => void,
): Promise<User[]> {
  // One Argon2 hash for everyone: hashing 10,000 passwords would take minutes and measure nothing.
  const passwordHash = await server.passwords.hashPassword(DATASET_PASSWORD);
  const users = plan.users.map((u): User => ({
    id: u.id as UserId,
    username: u.username,
    name: u.name,
    type: 'user',
    email: `${u.username}@bench.parley.invalid`,
    emailVerified: true,
    active: true,
    roles: ['user'],
    status: 'offline',
    statusText: '',
    statusDefault: 'online',
    utcOffset: 0,
    nickname: '',
    bio: '',
    customFields: {},
    preferences: {},
    passwordHash,
    requirePasswordChange: false,
    createdAt: DATASET_EPOCH_MS,
    updatedAt: DATASET_EPOCH_MS,
    lastLogin: null,
  }));
  await inBatches(store, plan.users, async (tx, planned) => {
    const user = users[planned.index] as User;
    await tx.users.insert(user);
    await tx.tokens.insert({
      hash: server.tokens.hashToken(planned.token),
      userId: user.id,
      deviceId: `bench-device-${planned.index}` as DeviceId,
      kind: 'login',
      name: null,
      lastTokenPart: planned.token.slice(-6),
      bypassTwoFactor: false,
      createdAt: DATASET_EPOCH_MS,
    });
  });
  progress(`users: ${users.length}`);
  return users;
}

async function seedRooms(
  server: ServerModules,
  ctx: DomainContext,
  plan: DatasetPlan,
  users: readonly User[],
  progress: (line: string) => void,
): Promise<void> {
  const pool = bodyPool(plan.spec.seed);
  const usernames = users.map((u) => u.username);
  const memberships: { room: ReturnType<ServerModules['room']['newRoom']>; user: User; owner: boolean }[] =
    [];
  await inBatches(ctx.store, plan.rooms, async (tx, planned) => {
    const members = planned.members.map((m) => users[m] as User);
    const last = lastMessage(plan, planned, usernames, pool);
    const creator = planned.t === 'c' && planned.kind !== 'general' ? members[0] : undefined;
    const room = server.room.newRoom({
      id: planned.id as RoomId,
      t: planned.t,
      name: planned.name,
      fname: planned.name,
      creatorId: creator?.id ?? null,
      creatorUsername: creator?.username ?? null,
      isDefault: planned.kind === 'general',
      msgs: planned.messages,
      lastMessageId: last?.id ?? null,
      lastMessageAt: last?.ts ?? null,
      // Parley's DMs list their members' ids sorted and their usernames by display name.
      uids: planned.t === 'd' ? members.map((m) => m.id).sort() : [],
      usernames: planned.t === 'd' ? members.map((m) => m.username) : [],
      createdAt: planned.createdAt,
    });
    await tx.rooms.insert(room);
    for (const user of members) memberships.push({ room, user, owner: user === creator });
  });
  progress(`rooms: ${plan.rooms.length}`);
  const chunks: (typeof memberships)[] = [];
  for (let i = 0; i < memberships.length; i += BATCH) chunks.push(memberships.slice(i, i + BATCH));
  await inParallel(ctx.store, chunks, async (chunk) => {
    await inBatches(ctx.store, chunk, async (tx, { room, user, owner }) => {
      await server.subscribe.subscribeWithoutPermissionCheck(ctx, tx, {
        room,
        user,
        roles: owner ? ['owner'] : [],
        now: DATASET_EPOCH_MS,
      });
    });
  });
  progress(`memberships: ${memberships.length}`);
}

function lastMessage(
  plan: DatasetPlan,
  room: PlannedRoom,
  usernames: readonly string[],
  pool: ReturnType<typeof bodyPool>,
): { id: MessageId; ts: number } | null {
  if (room.messages === 0) return null;
  // The history is cheap to recompute next to the inserts it saves (one counter update per message).
  const { messages } = roomHistory(plan.spec, room, usernames, pool);
  const last = messages[messages.length - 1];
  return last ? { id: last.id as MessageId, ts: last.ts } : null;
}

async function seedHistory(
  server: ServerModules,
  store: DomainContext['store'],
  plan: DatasetPlan,
  users: readonly User[],
  progress: (line: string) => void,
): Promise<void> {
  const pool = bodyPool(plan.spec.seed);
  const usernames = users.map((u) => u.username);
  const parsed = new Map<string, Parsed>();
  const parse = async (tx: Tx, text: string): Promise<Parsed> => {
    const known = parsed.get(text);
    if (known) return known;
    const result = await server.parseMessage.parseMessageText(tx, text);
    // Mentions are rare and each text distinct: keep the cache to the pool's texts.
    if (!text.startsWith('@')) parsed.set(text, result);
    return result;
  };
  let written = 0;
  let reported = 0;
  // Units of at most 10,000 messages, largest rooms first: the hot room is written by every worker.
  const units = plan.rooms
    .filter((r) => r.messages > 0)
    .sort((a, b) => b.messages - a.messages)
    .flatMap((room) =>
      Array.from({ length: Math.ceil(room.messages / UNIT) }, (_, i) => ({ room, from: i * UNIT })),
    );
  await inParallel(store, units, async ({ room, from }) => {
    // Recomputing the room's history per unit is cheap next to writing it, and keeps memory flat.
    const { messages, threads } = roomHistory(plan.spec, room, usernames, pool);
    const slice = messages.slice(from, from + UNIT);
    const rid = room.id as RoomId;
    await inBatches(store, slice, async (tx, drafted) => {
      const author = users[drafted.author] as User;
      const text = await parse(tx, drafted.text);
      const thread = threads.get(drafted.id);
      await tx.messages.insert(
        server.message.newMessage({
          id: drafted.id as MessageId,
          rid,
          msg: drafted.text,
          u: { _id: author.id, username: author.username, name: author.name },
          ts: drafted.ts,
          tmid: drafted.tmid as MessageId | null,
          tcount: thread?.count ?? 0,
          tlm: thread?.lastReplyAt ?? null,
          replies: thread ? [...thread.followers].map((i) => (users[i] as User).id) : [],
          mentions: text.mentions,
          channels: text.channels,
          md: text.md,
        }),
      );
    });
    written += slice.length;
    if (written - reported >= 100_000) {
      progress(`messages: ${written}`);
      reported = written;
    }
  });
  progress(`messages: ${written}`);
}
