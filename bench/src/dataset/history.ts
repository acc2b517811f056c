import { Rng } from '../load/rng.js';
import { DATASET_EPOCH_MS, type DatasetSpec } from './spec.js';
import { messageId, type PlannedRoom } from './plan.js';
import type { BodyPool } from './words.js';

export interface HistoryMessage {
  readonly id: string;
  /** Index of the author in the plan's users. */
  readonly author: number;
  readonly ts: number;
  readonly text: string;
  readonly tmid: string | null;
}

/** What a thread parent carries once all its replies are in (`tcount`, `tlm`, `replies`). */
export interface ThreadStats {
  count: number;
  lastReplyAt: number;
  /** Authors following the thread: the parent's author and every replier, as user indices. */
  readonly followers: Set<number>;
}

export interface RoomHistory {
  readonly messages: readonly HistoryMessage[];
  readonly threads: ReadonlyMap<string, ThreadStats>;
}

const DAY_MS = 86_400_000;
/** Replies go to one of the room's last few thread-less posts. */
const RECENT_PARENTS = 20;

/**
 * A room's history, oldest first, evenly spread over the spec's days: authors among the members,
 * 15 % thread replies, 2 % mentioning another member. A pure function of the spec and the room.
 */
export function roomHistory(
  spec: DatasetSpec,
  room: PlannedRoom,
  usernames: readonly string[],
  pool: BodyPool,
): RoomHistory {
  const rng = new Rng(spec.seed, 7, room.index);
  const start = DATASET_EPOCH_MS - spec.history.days * DAY_MS;
  const step = (spec.history.days * DAY_MS) / (room.messages + 1);
  const messages: HistoryMessage[] = [];
  const threads = new Map<string, ThreadStats>();
  const recent: HistoryMessage[] = [];
  for (let j = 0; j < room.messages; j++) {
    const author = rng.pick(room.members);
    const ts = Math.floor(start + (j + 1) * step);
    const reply = recent.length > 0 && rng.next() < spec.history.threadReplyShare;
    let text = reply ? rng.pick(pool.replies) : rng.pick(pool.posts);
    if (room.members.length > 1 && rng.next() < spec.history.mentionShare) {
      const others = room.members.filter((m) => m !== author);
      text = `@${usernames[rng.pick(others)]} ${text}`;
    }
    const parent = reply ? rng.pick(recent) : null;
    const message: HistoryMessage = {
      id: messageId(spec, room.firstMessage + j),
      author,
      ts,
      text,
      tmid: parent?.id ?? null,
    };
    messages.push(message);
    if (parent) {
      const stats = threads.get(parent.id) ?? {
        count: 0,
        lastReplyAt: 0,
        followers: new Set([parent.author]),
      };
      stats.count += 1;
      stats.lastReplyAt = ts;
      stats.followers.add(author);
      threads.set(parent.id, stats);
    } else {
      recent.push(message);
      if (recent.length > RECENT_PARENTS) recent.shift();
    }
  }
  return { messages, threads };
}
