import { performance } from 'node:perf_hooks';
import { roomHistory } from '../dataset/history.js';
import { messageId, type DatasetPlan, type PlannedRoom } from '../dataset/plan.js';
import type { BodyPool } from '../dataset/words.js';
import type { ActionRecorder } from '../load/action-stats.js';
import type { RestReply } from '../load/rest.js';
import type { Rng } from '../load/rng.js';
import type { OnlineLedger, SimulatedUser } from '../load/simulated-user.js';
import { SEND_MIX } from './room-audience.js';

/**
 * What a simulated office user does (§6.3 of the design, after mattermost-load-test-ng's
 * simulcontroller): one action after each think time, drawn from Mattermost's mix. Every request
 * is measured from the action's scheduled time (or, when it needs an earlier answer, from that
 * answer), and counted under its own kind.
 */
export type OfficeAction =
  | 'switch channel'
  | 'scroll up'
  | 'unread sync'
  | 'send message'
  | 'open DM'
  | 'threads'
  | 'permalink'
  | 'reaction'
  | 'edit'
  | 'search'
  | 'reconnect'
  | 'profile or status';

/** Shares in percent (§6.3); the last is the remainder (profile lookups, status changes). */
export const ACTION_MIX: readonly (readonly [OfficeAction, number])[] = [
  ['switch channel', 48],
  ['scroll up', 14.6],
  ['unread sync', 7.4],
  ['send message', 7.4],
  ['open DM', 7.2],
  ['threads', 8.9],
  ['permalink', 2.2],
  ['reaction', 1],
  ['edit', 0.3],
  ['search', 0.65],
  ['reconnect', 1.1],
  ['profile or status', 1.25],
];

/** Think time uniform in [1 s, 39 s): mean 20 s, about 3 actions a minute. */
const THINK_MIN_MS = 1_000;
const THINK_MAX_MS = 39_000;
/** Rocket.Chat's web client sends `UserPresence:online` while the user is active; once a minute here. */
export const PRESENCE_EVERY_MS = 60_000;
const PAGE = 50;
const THREAD_REPLY_SHARE = 0.3;
/** Mattermost's generator: 2 % of posts mention someone. */
const MENTION_SHARE = 0.02;
/** Reactions and thread replies go to one of the newest messages of a room, as a reader sees them. */
const RECENT = 20;
/** How long a leaving socket waits for what is already on its way to it. */
const DRAIN_MS = 2_000;

export interface Office {
  readonly plan: DatasetPlan;
  readonly wsUrl: string;
  readonly online: OnlineLedger;
  readonly actions: ActionRecorder;
  /** By plan index; undefined for users not in the population. */
  readonly users: readonly (SimulatedUser | undefined)[];
  readonly pool: BodyPool;
  readonly usernames: readonly string[];
  readonly rng: Rng;
  readonly counters: {
    unexpectedCloses: number;
    editsWithoutOwnMessage: number;
    /** Bugs of the load generator (an action that threw): the first is kept. */
    generatorErrors: number;
    firstGeneratorError: string | null;
  };
}

export function thinkTime(rng: Rng): number {
  return THINK_MIN_MS + rng.next() * (THINK_MAX_MS - THINK_MIN_MS);
}

/**
 * The wait before a joining user's first action, as if it had been acting all along: the residual
 * time of a renewal process in equilibrium (a length-biased think time, cut at a uniform point).
 * So users who join load the server at the full rate at once, not after a think time or two.
 */
export function firstWait(rng: Rng): number {
  const lengthBiased = Math.sqrt(THINK_MIN_MS ** 2 + rng.next() * (THINK_MAX_MS ** 2 - THINK_MIN_MS ** 2));
  return rng.next() * lengthBiased;
}

const MIX_TOTAL = ACTION_MIX.reduce((a, [, share]) => a + share, 0);

export function pickAction(rng: Rng): OfficeAction {
  let left = rng.next() * MIX_TOTAL;
  for (const [action, share] of ACTION_MIX) {
    left -= share;
    if (left < 0) return action;
  }
  return 'switch channel';
}

/**
 * Runs one action of `user` scheduled at `at`. A user whose socket the server closed, or whose
 * last reconnect failed, reconnects instead, as a client would; one that is reconnecting skips.
 */
export async function perform(office: Office, user: SimulatedUser, action: OfficeAction, at: number) {
  if (user.reconnecting) {
    office.actions.skipped();
    return;
  }
  if (user.client === null || !user.client.isOpen) {
    if (user.client !== null) office.counters.unexpectedCloses++;
    action = 'reconnect';
  }
  office.actions.started(action);
  try {
    await HANDLERS[action](office, user, at);
  } catch (error) {
    office.counters.generatorErrors++;
    office.counters.firstGeneratorError ??= `${action}: ${errorText(error)}`;
  }
}

/** The background presence heartbeat. */
export async function heartbeat(office: Office, user: SimulatedUser, at: number): Promise<void> {
  if (user.client === null || user.reconnecting) return;
  await call(office, user, 'UserPresence:online', [], at);
}

type Handler = (office: Office, user: SimulatedUser, at: number) => Promise<void>;

const HANDLERS: Record<OfficeAction, Handler> = {
  'switch channel': async (office, user, at) => {
    const room = pick(office.rng, user.rooms, (r) => r !== user.openRoom) ?? (user.rooms[0] as PlannedRoom);
    await openRoom(office, user, room, at);
  },

  /** The next older page of the open room, from the oldest message loaded; at the top, from the newest again. */
  'scroll up': async (office, user, at) => {
    const room = user.openRoom ?? office.rng.pick(user.rooms);
    user.openRoom = room;
    const end = user.oldestLoaded ?? Date.now();
    const page = await call(
      office,
      user,
      'loadHistory',
      [room.id, { $date: end }, PAGE],
      at,
      'loadHistory (older)',
    );
    if (page && user.openRoom === room) user.oldestLoaded = oldestTs(page);
  },

  'unread sync': async (office, user, at) => {
    const since = user.lastSyncAt;
    user.lastSyncAt = Date.now();
    await call(office, user, 'subscriptions/get', [{ $date: since }], at);
  },

  'send message': (office, user, at) => {
    sendMessage(office, user, at);
    return Promise.resolve();
  },

  /** Opens one of the user's DMs (`createDirectMessage`) or group DMs (`im.open`), then shows it. */
  'open DM': async (office, user, at) => {
    const room = pick(office.rng, user.rooms, (r) => r.kind === 'dm' || r.kind === 'group-dm');
    if (!room) return HANDLERS['switch channel'](office, user, at);
    let opened: Buffer | null;
    if (room.kind === 'dm') {
      const partner = room.members.find((m) => m !== user.user.index) ?? user.user.index;
      opened = await call(office, user, 'createDirectMessage', [office.usernames[partner]], at);
    } else {
      opened = await rest(
        office,
        'im.open',
        () => user.rest.post('/api/v1/im.open', { roomId: room.id }),
        at,
      );
    }
    if (opened) await openRoom(office, user, room, performance.now());
  },

  /** The thread list of the open room (or another with history), then the newest thread's replies. */
  threads: async (office, user, at) => {
    const room =
      user.openRoom !== null && user.openRoom.messages > 0
        ? user.openRoom
        : (pick(office.rng, user.rooms, (r) => r.messages > 0) ?? office.rng.pick(user.rooms));
    const list = await rest(
      office,
      'chat.getThreadsList',
      () => user.rest.get(`/api/v1/chat.getThreadsList?rid=${room.id}&count=25`),
      at,
    );
    const tmid = list ? firstThreadId(list) : null;
    if (tmid === null) return;
    await rest(
      office,
      'chat.getThreadMessages',
      () => user.rest.get(`/api/v1/chat.getThreadMessages?tmid=${tmid}&count=50`),
      performance.now(),
    );
  },

  /** A link to any message of one of the user's rooms. */
  permalink: async (office, user, at) => {
    const room = pick(office.rng, user.rooms, (r) => r.messages > 0);
    const id = room ? historyMessage(office, room, room.messages) : null;
    if (id === null) return;
    await rest(office, 'chat.getMessage', () => user.rest.get(`/api/v1/chat.getMessage?msgId=${id}`), at);
  },

  reaction: async (office, user, at) => {
    const room = pick(office.rng, user.rooms, (r) => r.messages > 0);
    const id = room ? historyMessage(office, room, RECENT) : null;
    if (id === null) return;
    await call(office, user, 'setReaction', [':thumbsup:', id], at);
  },

  /**
   * Edits one of the user's own messages: the newest it wrote in one of its DMs or group DMs in the
   * data set (rebuilt from the plan, cheap for rooms that small). The run's own messages are not
   * edited: an edit of `B<seq>` would reach every member as a second frame of that message.
   */
  edit: async (office, user, at) => {
    const own = ownDirectMessage(office, user);
    if (own === null) {
      office.counters.editsWithoutOwnMessage++;
      return HANDLERS['profile or status'](office, user, at);
    }
    await call(
      office,
      user,
      'updateMessage',
      [{ _id: own.id, rid: own.rid, msg: `${own.text} (edited)` }],
      at,
    );
  },

  /** Message search is not implemented yet: the quick search (`spotlight`, users and rooms by name) stands in. */
  search: async (office, user, at) => {
    const query = office.rng.pick(office.usernames).slice(0, -2);
    await rest(office, 'spotlight', () => user.rest.get(`/api/v1/spotlight?query=${query}`), at);
  },

  /** Closes the socket and opens a new one: resume login, every subscription again. */
  reconnect: async (office, user) => {
    const generation = user.generation;
    user.reconnecting = true;
    try {
      await user.disconnect(office.online, DRAIN_MS);
      const from = performance.now();
      try {
        await user.connect(office.wsUrl, office.online);
        office.actions.reconnected(performance.now() - from, true);
      } catch (error) {
        office.actions.reconnected(performance.now() - from, false, errorText(error));
      }
      // The user left the population meanwhile (a step down): it goes.
      if (user.generation !== generation) await user.disconnect(office.online, DRAIN_MS);
    } finally {
      user.reconnecting = false;
    }
  },

  /** Half the time another member's profile (`users.info`), else a status change (away ↔ online). */
  'profile or status': async (office, user, at) => {
    if (office.rng.next() < 0.5) {
      const room = office.rng.pick(user.rooms);
      const other = office.plan.users[office.rng.pick(room.members)]?.id ?? user.user.id;
      await rest(office, 'users.info', () => user.rest.get(`/api/v1/users.info?userId=${other}`), at);
      return;
    }
    user.away = !user.away;
    await call(office, user, 'UserPresence:setDefaultStatus', [user.away ? 'away' : 'online'], at);
  },
};

/** Shows `room`: its newest page and a read marker, as a client does on opening a room. */
async function openRoom(office: Office, user: SimulatedUser, room: PlannedRoom, from: number): Promise<void> {
  user.openRoom = room;
  user.oldestLoaded = null;
  const [page] = await Promise.all([
    call(office, user, 'loadHistory', [room.id, null, PAGE], from),
    call(office, user, 'readMessages', [room.id], from),
  ]);
  if (page && user.openRoom === room) user.oldestLoaded = oldestTs(page);
}

/**
 * A post into a room chosen by the send mix (§6.3), after 1–3 typing events; 30 % are thread
 * replies to one of the room's newest messages, 2 % mention another member. Every online member
 * (the sender too) must receive it: the ledger measures send→receive from `at`.
 */
function sendMessage(office: Office, user: SimulatedUser, at: number): void {
  const { rng } = office;
  const client = user.client;
  const room = sendRoom(office, user);
  if (client === null || room === null) return;
  const typing = rng.between(1, 3);
  for (let i = 0; i < typing; i++) {
    void call(
      office,
      user,
      'stream-notify-room',
      [`${room.id}/user-activity`, user.user.username, ['user-typing'], {}],
      at,
      'typing',
    );
  }
  const tmid = rng.next() < THREAD_REPLY_SHARE ? historyMessage(office, room, RECENT) : null;
  let text = rng.pick(tmid === null ? office.pool.posts : office.pool.replies);
  if (room.members.length > 1 && rng.next() < MENTION_SHARE) {
    const other = rng.pick(room.members.filter((m) => m !== user.user.index));
    text = `@${office.usernames[other]} ${text}`;
  }
  const seq = office.online.register(at, onlineSockets(office, room));
  client.sendMessage(seq, room.id, JSON.stringify(text), tmid ?? undefined);
  office.online.ledger.markSent(seq, performance.now());
}

/** A room of the user's of the kind the send mix picks; any but the history room when it has none. */
function sendRoom(office: Office, user: SimulatedUser): PlannedRoom | null {
  let left = office.rng.next();
  let kind = SEND_MIX[0]?.[0];
  for (const [k, share] of SEND_MIX) {
    kind = k;
    left -= share;
    if (left < 0) break;
  }
  return (
    pick(office.rng, user.rooms, (r) => r.kind === kind) ??
    pick(office.rng, user.rooms, (r) => r.kind !== 'hot')
  );
}

function onlineSockets(office: Office, room: PlannedRoom): number[] {
  const sockets: number[] = [];
  for (const member of room.members) {
    const socket = office.users[member]?.socket ?? -1;
    if (socket >= 0) sockets.push(socket);
  }
  return sockets;
}

/**
 * The id of one of the newest `within` history messages of `room`. Ids starting with `B` are
 * passed over: the load generator's client reads `B<digits>` as one of the run's own messages, and
 * a change to such a message would be taken for a delivery.
 */
function historyMessage(office: Office, room: PlannedRoom, within: number): string | null {
  const span = Math.min(within, room.messages);
  const start = office.rng.int(Math.max(1, span));
  for (let i = 0; i < span; i++) {
    const n = room.firstMessage + room.messages - 1 - ((start + i) % span);
    const id = messageId(office.plan.spec, n);
    if (!id.startsWith('B')) return id;
  }
  return null;
}

function ownDirectMessage(
  office: Office,
  user: SimulatedUser,
): { id: string; rid: string; text: string } | null {
  const direct = office.rng.shuffle(
    user.rooms.filter((r) => (r.kind === 'dm' || r.kind === 'group-dm') && r.messages > 0),
  );
  for (const room of direct) {
    const { messages } = roomHistory(office.plan.spec, room, office.usernames, office.pool);
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i];
      if (message && message.author === user.user.index && !message.id.startsWith('B'))
        return { id: message.id, rid: room.id, text: message.text };
    }
  }
  return null;
}

function pick<T>(rng: Rng, items: readonly T[], keep: (item: T) => boolean): T | null {
  const candidates = items.filter(keep);
  return candidates.length > 0 ? rng.pick(candidates) : null;
}

/** A method call on the user's socket, answer not parsed; null when it failed (counted). */
async function call(
  office: Office,
  user: SimulatedUser,
  method: string,
  params: readonly unknown[],
  from: number,
  kind = method,
): Promise<Buffer | null> {
  const client = user.client;
  if (client === null) return null;
  user.callsInFlight++;
  try {
    const frame = await client.callRaw(method, params);
    office.actions.record(kind, performance.now() - from, true);
    return frame;
  } catch (error) {
    office.actions.record(kind, performance.now() - from, false, errorText(error));
    return null;
  } finally {
    user.callsInFlight--;
  }
}

/** A REST call; the body, or null when it failed (counted: 4xx and 5xx alike, a scenario makes no bad calls). */
async function rest(
  office: Office,
  kind: string,
  request: () => Promise<RestReply>,
  from: number,
): Promise<Buffer | null> {
  try {
    const reply = await request();
    const ok = reply.status < 400;
    office.actions.record(
      kind,
      performance.now() - from,
      ok,
      ok ? undefined : `HTTP ${reply.status} ${reply.body.toString('utf8', 0, 200)}`,
    );
    return ok ? reply.body : null;
  } catch (error) {
    office.actions.record(kind, performance.now() - from, false, errorText(error));
    return null;
  }
}

const TS = Buffer.from('"ts":{"$date":');

/** The `ts` of a history page's last message (pages are newest first), or null for an empty page. */
function oldestTs(frame: Buffer): number | null {
  const at = frame.lastIndexOf(TS);
  if (at < 0) return null;
  const start = at + TS.length;
  const ms = Number.parseInt(frame.toString('latin1', start, start + 16), 10);
  return Number.isFinite(ms) ? ms : null;
}

const FIRST_THREAD = Buffer.from('"threads":[{"_id":"');

function firstThreadId(body: Buffer): string | null {
  const at = body.indexOf(FIRST_THREAD);
  if (at < 0) return null;
  const start = at + FIRST_THREAD.length;
  const end = body.indexOf(0x22, start);
  return end > start ? body.toString('latin1', start, end) : null;
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}
