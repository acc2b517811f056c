/**
 * The hot read paths must be served by an index on both databases, or a room's history gets slower
 * with every message ever posted. Each case runs the real repo method against a recording Kysely,
 * so the plans checked are those of the SQL the store actually sends, not of a copy that could drift.
 */
import { CompiledQuery, sql, type Kysely, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Tx } from '../../domain/ports/store.js';
import type { Room } from '../../domain/rooms/room.js';
import type { MessageId } from '../../domain/shared/ids.js';
import type { User } from '../../domain/users/user.js';
import { onEachBackend } from '../../testing/backends.js';
import { freshDatabase, type TestDatabase } from '../../testing/databases.js';
import { createStore, type KyselyStore } from '../kysely-store.js';
import { createMessageRepo } from '../messages-repo.js';
import { openDatabase } from '../open-database.js';
import { createRoomRepo } from '../rooms-repo.js';
import type { Database } from '../schema.js';
import { createSubscriptionRepo } from '../subscriptions-repo.js';
import { aUser, T0 } from './factories.js';
import { aMessage, aRoom, aSubscription } from './room-factories.js';

type Repos = Pick<Tx, 'rooms' | 'subscriptions' | 'messages'>;

/** One table read by one plan step, and the index it went through (null: the whole table). */
interface Scan {
  readonly table: string;
  readonly index: string | null;
}

interface PlanCase {
  readonly path: string;
  readonly table: 'messages' | 'subscriptions' | 'subscription_removals';
  /** Every query of the path (rows and total) must read the table through one of these. */
  readonly indexes: readonly string[];
  /** The query that orders rows must use this one, so that a page does not sort the whole room. */
  readonly ordered?: string;
  readonly run: (repos: Repos, seed: Seed) => Promise<unknown>;
}

interface Seed {
  readonly rooms: readonly Room[];
  readonly users: readonly User[];
  /** Thread parents, per room. */
  readonly threadParents: readonly (readonly MessageId[])[];
}

const ROOMS = 4;
const MESSAGES_PER_ROOM = 120;
const REPLIES_PER_THREAD = 5;
const USERS = 12;

const CASES: readonly PlanCase[] = [
  {
    path: 'history: newest messages of a room (rid + ts order)',
    table: 'messages',
    // The total counts the room's live messages: the same range through either rid index.
    indexes: ['messages_room_ts', 'messages_room_updated'],
    ordered: 'messages_room_ts',
    run: ({ messages }, { rooms }) => messages.find({ roomId: rooms[1]!.id, offset: 0, count: 50 }),
  },
  {
    path: 'history: paging back before a time, thread replies hidden',
    table: 'messages',
    indexes: ['messages_room_ts'],
    ordered: 'messages_room_ts',
    run: ({ messages }, { rooms }) =>
      messages.find({
        roomId: rooms[1]!.id,
        latest: T0 + 60_000,
        hideThreadReplies: true,
        offset: 0,
        count: 50,
      }),
  },
  {
    path: 'thread: replies of a parent in order (tmid + ts)',
    table: 'messages',
    // The total too: counting a thread's replies must not read every message of the room.
    indexes: ['messages_thread_ts'],
    ordered: 'messages_thread_ts',
    run: ({ messages }, { rooms, threadParents }) =>
      messages.find({
        roomId: rooms[1]!.id,
        threadOf: threadParents[1]![1]!,
        order: 'oldest',
        offset: 0,
        count: 50,
      }),
  },
  {
    path: 'threads list: thread parents of a room, newest activity first (rid + tlm, tcount > 0)',
    table: 'messages',
    // The total too: counting a room's threads must not read every message of the room.
    indexes: ['messages_room_threads'],
    ordered: 'messages_room_threads',
    run: ({ messages }, { rooms }) =>
      messages.find({ roomId: rooms[1]!.id, threadsOnly: true, offset: 0, count: 50 }),
  },
  {
    path: 'sync: messages of a room changed since (rid + updated_at)',
    table: 'messages',
    indexes: ['messages_room_updated'],
    ordered: 'messages_room_updated',
    run: ({ messages }, { rooms }) =>
      messages.updatedSince(rooms[1]!.id, T0 + 60_000, { offset: 0, count: 50 }),
  },
  {
    path: 'sync: tombstones of a room deleted since (rid + deleted_at)',
    table: 'messages',
    indexes: ['messages_room_deleted'],
    run: ({ messages }, { rooms }) =>
      messages.deletedSince(rooms[1]!.id, T0 + 60_000, { offset: 0, count: 50 }),
  },
  {
    path: 'unread count: messages of a room after a time',
    table: 'messages',
    indexes: ['messages_room_ts'],
    run: ({ messages }, { rooms, users }) => messages.countAfter(rooms[1]!.id, T0 + 60_000, users[0]!.id),
  },
  {
    path: 'subscription by room and user',
    table: 'subscriptions',
    // With few rooms per user PostgreSQL may prefer the (user_id, updated_at) index; both are ranges.
    indexes: ['subscriptions_room_user', 'subscriptions_user_updated'],
    run: ({ subscriptions }, { rooms, users }) => subscriptions.byRoomAndUser(rooms[1]!.id, users[3]!.id),
  },
  {
    path: 'subscriptions of a user since (user_id + updated_at)',
    table: 'subscriptions',
    indexes: ['subscriptions_user_updated'],
    run: ({ subscriptions }, { users }) => subscriptions.ofUser(users[3]!.id, T0 + 5),
  },
  {
    path: 'subscriptions removed from a user since',
    table: 'subscription_removals',
    indexes: ['subscription_removals_user'],
    run: ({ subscriptions }, { users }) => subscriptions.removedSince(users[3]!.id, T0),
  },
];

/** Records every query the repos send, compiled exactly as the dialect sends it. */
function recording(db: Kysely<Database>): { readonly repos: Repos; readonly queries: CompiledQuery[] } {
  const queries: CompiledQuery[] = [];
  const recorder: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      queries.push(db.getExecutor().compileQuery(node, queryId));
      return node;
    },
    transformResult: ({ result }) => Promise.resolve(result),
  };
  const recorded = db.withPlugin(recorder);
  return {
    repos: {
      rooms: createRoomRepo(recorded),
      subscriptions: createSubscriptionRepo(recorded),
      messages: createMessageRepo(recorded),
    },
    queries,
  };
}

interface SqlitePlanRow {
  readonly detail: string;
}

/** SQLite: `SEARCH t USING [COVERING] INDEX i (…)` reads a range; `SCAN t [USING INDEX i]` reads it all. */
async function sqliteScans(
  db: Kysely<Database>,
  query: CompiledQuery,
): Promise<{ scans: Scan[]; text: string }> {
  const { rows } = await db.executeQuery<SqlitePlanRow>(
    CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]),
  );
  const scans = rows.flatMap((row): Scan[] => {
    const search = /^SEARCH (\w+) USING (?:COVERING )?INDEX (\w+)/.exec(row.detail);
    if (search) return [{ table: search[1]!, index: search[2]! }];
    const primaryKey = /^SEARCH (\w+) USING (?:INTEGER )?PRIMARY KEY/.exec(row.detail);
    if (primaryKey) return [{ table: primaryKey[1]!, index: 'primary key' }];
    const scan = /^SCAN (\w+)/.exec(row.detail);
    if (scan) return [{ table: scan[1]!, index: null }];
    return [];
  });
  return { scans, text: rows.map((r) => r.detail).join('\n') };
}

interface PgPlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PgPlanNode[];
}

/** PostgreSQL, with sequential scans discouraged so that the plan shows whether an index CAN serve. */
async function postgresScans(
  db: Kysely<Database>,
  query: CompiledQuery,
): Promise<{ scans: Scan[]; text: string }> {
  const plan = await db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const { rows } = await trx.executeQuery<{ 'QUERY PLAN': [{ Plan: PgPlanNode }] }>(
      CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${query.sql}`, [...query.parameters]),
    );
    return rows[0]!['QUERY PLAN'][0].Plan;
  });
  const scans: Scan[] = [];
  const lines: string[] = [];
  const indexesBelow = (node: PgPlanNode): string[] => [
    ...(node['Node Type'] === 'Bitmap Index Scan' && node['Index Name'] ? [node['Index Name']] : []),
    ...(node.Plans ?? []).flatMap(indexesBelow),
  ];
  const walk = (node: PgPlanNode, depth: number): void => {
    const relation = node['Relation Name'];
    lines.push(
      `${'  '.repeat(depth)}${node['Node Type']}${relation ? ` on ${relation}` : ''}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}`,
    );
    if (relation) {
      const type = node['Node Type'];
      const index =
        type === 'Index Scan' || type === 'Index Only Scan'
          ? (node['Index Name'] ?? null)
          : type === 'Bitmap Heap Scan'
            ? indexesBelow(node).join(' + ') || null
            : null;
      scans.push({ table: relation, index });
    }
    for (const child of node.Plans ?? []) walk(child, depth + 1);
  };
  walk(plan, 0);
  return { scans, text: lines.join('\n') };
}

await onEachBackend('Query plans of the hot read paths', (backend) => {
  let database: TestDatabase;
  let store: KyselyStore;
  let db: Kysely<Database>;
  let seed: Seed;

  beforeAll(async () => {
    database = await freshDatabase(backend);
    store = createStore(database.target);
    await store.migrateToLatest();
    db = openDatabase(database.target).db;
    seed = await seedRooms(store);
    if (backend === 'postgres') await sql`analyze`.execute(db);
  }, 120_000);

  afterAll(async () => {
    await db.destroy();
    await store.close();
    await database.drop();
  });

  it.each(CASES)(
    '$path uses $indexes.0, never a full scan of $table',
    async ({ table, indexes, ordered, run }) => {
      const { repos, queries } = recording(db);
      await run(repos, seed);
      const reading = queries.filter((q) => new RegExp(`\\b${table}\\b`).test(q.sql));
      expect(reading.length, 'the repo method sent no query').toBeGreaterThan(0);

      for (const query of reading) {
        const { scans, text } =
          backend === 'sqlite' ? await sqliteScans(db, query) : await postgresScans(db, query);
        const scansOfTable = scans.filter((s) => s.table === table);
        const explain = `${query.sql}\n--- plan ---\n${text}`;
        // PARLEY_SHOW_PLANS=1 prints every plan, for reviewing a new index.
        if (process.env.PARLEY_SHOW_PLANS) process.stderr.write(`[${backend}] ${explain}\n\n`);
        expect(scansOfTable.length, explain).toBeGreaterThan(0);
        for (const scan of scansOfTable) {
          expect(scan.index, `full scan of ${table}:\n${explain}`).not.toBeNull();
          expect(
            indexes.some((wanted) => scan.index?.includes(wanted)),
            `wrong index:\n${explain}`,
          ).toBe(true);
          if (ordered && / order by /.test(query.sql))
            expect(scan.index, `unordered:\n${explain}`).toContain(ordered);
        }
      }
    },
  );
});

/** A few hundred messages over several rooms, some of them threads, and every user in every room. */
async function seedRooms(store: KyselyStore): Promise<Seed> {
  const users = Array.from({ length: USERS }, (_, i) => aUser({ username: `user${i}` }));
  const rooms = Array.from({ length: ROOMS }, (_, i) => aRoom({ name: `room${i}` }));
  const threadParents: MessageId[][] = [];
  await store.transaction(async (tx) => {
    for (const user of users) await tx.users.insert(user);
    for (const room of rooms) {
      await tx.rooms.insert(room);
      for (const [i, user] of users.entries())
        await tx.subscriptions.insert(aSubscription(room, user, { updatedAt: T0 + i }));
      const parents: MessageId[] = [];
      threadParents.push(parents);
      for (let i = 0; i < MESSAGES_PER_ROOM; i++) {
        const author = users[i % USERS]!;
        const ts = T0 + i * 1_000;
        const isParent = i % 20 === 0;
        const message = aMessage(room, author, {
          ts,
          updatedAt: ts + (i % 7) * 10_000,
          deletedAt: i % 31 === 30 ? ts + 1 : null,
          ...(isParent ? { tcount: REPLIES_PER_THREAD, tlm: ts + 500 } : {}),
        });
        await tx.messages.insert(message);
        if (isParent) {
          parents.push(message.id);
          for (let r = 1; r <= REPLIES_PER_THREAD; r++)
            await tx.messages.insert(
              aMessage(room, author, {
                ts: ts + r * 100,
                updatedAt: ts + r * 100,
                tmid: message.id,
                tshow: r === 1,
              }),
            );
        }
      }
    }
    // Removals for removedSince.
    await tx.subscriptions.delete(rooms[0]!.id, users[3]!.id, T0 + 50);
  });
  return { rooms, users, threadParents };
}
