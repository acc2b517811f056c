import { createHash } from 'node:crypto';
import { Rng, stableId } from '../load/rng.js';
import { DATASET_EPOCH_MS, type DatasetSpec } from './spec.js';

export type RoomKind = 'general' | 'team' | 'hot' | 'dm' | 'group-dm';

export interface PlannedUser {
  readonly index: number;
  readonly id: string;
  readonly username: string;
  readonly name: string;
  /** A resume token, stored hashed: the load generator logs in with it over DDP (`login {resume}`). */
  readonly token: string;
}

export interface PlannedRoom {
  readonly index: number;
  readonly id: string;
  readonly kind: RoomKind;
  readonly t: 'c' | 'd';
  readonly name: string | null;
  /** Indices into `users`, ascending; the first is the creator of a channel. */
  readonly members: readonly number[];
  /** Messages of the history in this room. */
  readonly messages: number;
  /** The global number of this room's first message (message ids derive from it). */
  readonly firstMessage: number;
  readonly createdAt: number;
}

/**
 * Who exists and which rooms, as a pure function of the spec: the seeder writes it into a database,
 * and the load generator computes the same plan to know every user's token and every room's members
 * without reading anything back.
 */
export interface DatasetPlan {
  readonly spec: DatasetSpec;
  readonly users: readonly PlannedUser[];
  readonly rooms: readonly PlannedRoom[];
}

const KIND_USER = 1;
const KIND_ROOM = 2;
export const KIND_MESSAGE = 3;

const DAY_MS = 86_400_000;

export function planDataset(spec: DatasetSpec): DatasetPlan {
  const { seed } = spec;
  const users: PlannedUser[] = [];
  for (let i = 0; i < spec.users; i++) {
    const label = String(i).padStart(5, '0');
    users.push({
      index: i,
      id: stableId(seed, KIND_USER, i),
      username: `user${label}`,
      name: `User ${label}`,
      token: createHash('sha256').update(`${seed}:token:${i}`).digest('base64url'),
    });
  }
  const all = users.map((u) => u.index);
  const createdAt = DATASET_EPOCH_MS - (spec.history.days + 1) * DAY_MS;
  type Draft = Omit<PlannedRoom, 'index' | 'messages' | 'firstMessage' | 'createdAt'>;
  const drafts: Draft[] = [{ id: 'GENERAL', kind: 'general', t: 'c', name: 'general', members: all }];

  const rng = new Rng(seed, 2);
  const { teamChannels: team } = spec;
  for (let i = 0; i < team.count; i++) {
    const size = Math.round(team.medianMembers * Math.exp(team.sigma * rng.normal()));
    const clipped = Math.min(spec.users, Math.max(team.minMembers, Math.min(team.maxMembers, size)));
    drafts.push({
      id: stableId(seed, KIND_ROOM, drafts.length),
      kind: 'team',
      t: 'c',
      name: `team-${String(i + 1).padStart(3, '0')}`,
      members: rng.sample(spec.users, clipped).sort((a, b) => a - b),
    });
  }
  drafts.push({
    id: stableId(seed, KIND_ROOM, drafts.length),
    kind: 'hot',
    t: 'c',
    name: 'hot-history',
    members: all.slice(0, Math.min(spec.users, spec.hotRoom.members)),
  });

  const pairs = new Set<string>();
  while (pairs.size < spec.directMessages) {
    const [a, b] = rng.sample(spec.users, 2).sort((x, y) => x - y) as [number, number];
    const key = `${a}:${b}`;
    if (pairs.has(key)) continue;
    pairs.add(key);
    // Parley's rule for a 1:1 DM: the two user ids sorted and concatenated.
    const uids = [users[a]!.id, users[b]!.id].sort();
    drafts.push({ id: uids.join(''), kind: 'dm', t: 'd', name: null, members: [a, b] });
  }
  const groups = new Set<string>();
  while (groups.size < spec.groupDirectMessages) {
    const members = rng.sample(spec.users, rng.between(3, 8)).sort((a, b) => a - b);
    const key = members.join(':');
    if (groups.has(key)) continue;
    groups.add(key);
    drafts.push({
      id: stableId(seed, KIND_ROOM, drafts.length),
      kind: 'group-dm',
      t: 'd',
      name: null,
      members,
    });
  }

  const counts = historyCounts(spec, drafts, new Rng(seed, 3));
  let firstMessage = 0;
  const rooms = drafts.map((draft, index): PlannedRoom => {
    const room = { ...draft, index, messages: counts[index] ?? 0, firstMessage, createdAt };
    firstMessage += room.messages;
    return room;
  });
  return { spec, users, rooms };
}

/**
 * Messages per room: `channelShare` of the history Zipf-distributed over the channels (ranks in a
 * seeded random order), the rest evenly over DMs and group DMs, and the hot room's own history.
 */
function historyCounts(spec: DatasetSpec, rooms: readonly { kind: RoomKind }[], rng: Rng): number[] {
  const counts = rooms.map(() => 0);
  const channels = rng.shuffle(
    rooms.flatMap((r, i) => (r.kind === 'general' || r.kind === 'team' ? [i] : [])),
  );
  const direct = rooms.flatMap((r, i) => (r.kind === 'dm' || r.kind === 'group-dm' ? [i] : []));
  const cumulative: number[] = [];
  let total = 0;
  for (let rank = 1; rank <= channels.length; rank++) {
    total += 1 / rank ** spec.history.zipfExponent;
    cumulative.push(total);
  }
  const inChannels = Math.round(spec.history.messages * spec.history.channelShare);
  for (let i = 0; i < inChannels; i++) {
    const target = rng.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    const room = channels[lo] as number;
    counts[room] = (counts[room] ?? 0) + 1;
  }
  for (let i = inChannels; i < spec.history.messages && direct.length > 0; i++) {
    const room = rng.pick(direct);
    counts[room] = (counts[room] ?? 0) + 1;
  }
  const hot = rooms.findIndex((r) => r.kind === 'hot');
  if (hot >= 0) counts[hot] = spec.hotRoom.messages;
  return counts;
}

/** The id of the `n`-th message of the data set. */
export function messageId(spec: DatasetSpec, n: number): string {
  return stableId(spec.seed, KIND_MESSAGE, n);
}
