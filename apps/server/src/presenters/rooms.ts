import type { Message } from '../domain/messages/message.js';
import type { Room } from '../domain/rooms/room.js';
import type { Subscription } from '../domain/subscriptions/subscription.js';
import type { User } from '../domain/users/user.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** How a presenter writes times: ISO strings for REST (the default), EJSON `{$date}` for DDP. */
export type DateStyle<D> = (ms: number) => D;
export const ejsonDate = (ms: number) => ({ $date: ms });
const isoStyle = iso as DateStyle<never>;

/** A room as Rocket.Chat clients read it; `lastMessage` when the caller passes it. */
export function presentRoom<D = string>(
  room: Room,
  lastMessage?: Message | null,
  viewerId?: string,
  date: DateStyle<D> = isoStyle,
) {
  return {
    _id: room.id,
    t: room.t,
    ...(room.t !== 'd' && room.name !== null ? { name: room.name, fname: room.fname ?? room.name } : {}),
    ...(room.creatorId !== null && room.creatorUsername !== null
      ? { u: { _id: room.creatorId, username: room.creatorUsername } }
      : {}),
    ts: date(room.createdAt),
    _updatedAt: date(room.updatedAt),
    msgs: room.msgs,
    usersCount: room.usersCount,
    ...(room.lastMessageAt !== null ? { lm: date(room.lastMessageAt) } : {}),
    ...(lastMessage ? { lastMessage: presentMessage(lastMessage, { viewerId: viewerId ?? '', date }) } : {}),
    default: room.isDefault,
    ro: room.readOnly,
    sysMes: true,
    broadcast: false,
    encrypted: false,
    topic: room.topic,
    description: room.description,
    announcement: room.announcement,
    archived: room.archived,
    joinCodeRequired: room.joinCodeHash !== null,
    muted: [...room.muted],
    readReceipts: room.readReceipts,
    ...(room.t === 'd' ? { uids: [...room.uids], usernames: [...room.usernames] } : {}),
  };
}

export function presentSubscription<D = string>(s: Subscription, date: DateStyle<D> = isoStyle) {
  return {
    _id: s.id,
    rid: s.roomId,
    u: { _id: s.userId, username: s.username },
    name: s.name,
    fname: s.fname,
    t: s.t,
    ts: date(s.joinedAt),
    ...(s.ls !== null ? { ls: date(s.ls) } : {}),
    ...(s.lr !== null ? { lr: date(s.lr) } : {}),
    _updatedAt: date(s.updatedAt),
    open: s.open,
    alert: s.alert,
    unread: s.unread,
    userMentions: s.userMentions,
    groupMentions: s.groupMentions,
    tunread: [...s.tunread],
    tunreadUser: [...s.tunreadUser],
    tunreadGroup: [...s.tunreadGroup],
    roles: [...s.roles],
    f: s.favorite,
    archived: s.archived,
  };
}

/** Rooms of a list, each with its last message when `lastMessages` has it. */
export function presentRooms(
  rooms: readonly Room[],
  lastMessages: ReadonlyMap<string, Message>,
  viewerId: string,
) {
  return rooms.map((room) => presentRoom(room, lastMessages.get(room.id) ?? null, viewerId));
}

/**
 * A message with ISO dates; fields that are empty in Rocket.Chat's documents are left out. Stars
 * are private: `starred` shows only the viewer's own, as Rocket.Chat's clients expect.
 */
export function presentMessage<D = string>(
  m: Message,
  options: { readonly viewerId: string; readonly date?: DateStyle<D> },
) {
  const date = options.date ?? isoStyle;
  if (m.deletedAt !== null) {
    return {
      _id: m.id,
      rid: m.rid,
      msg: '',
      ts: date(m.ts),
      u: { ...m.u },
      _updatedAt: date(m.updatedAt),
      mentions: [],
      channels: [],
      md: [],
      _deletedAt: date(m.deletedAt),
    };
  }
  return {
    _id: m.id,
    rid: m.rid,
    msg: m.msg,
    ts: date(m.ts),
    u: { ...m.u },
    _updatedAt: date(m.updatedAt),
    ...(m.t !== null ? { t: m.t } : {}),
    ...(m.tmid !== null ? { tmid: m.tmid, tshow: m.tshow } : {}),
    ...(m.tcount > 0
      ? { tcount: m.tcount, replies: [...m.replies], ...(m.tlm !== null ? { tlm: date(m.tlm) } : {}) }
      : {}),
    mentions: m.mentions.map((x) => ({ ...x })),
    channels: m.channels.map((x) => ({ ...x })),
    md: [...m.md] as Record<string, unknown>[],
    ...(m.attachments.length > 0 ? { attachments: m.attachments.map((a) => ({ ...a })) } : {}),
    ...(Object.keys(m.reactions).length > 0
      ? {
          reactions: structuredClone(m.reactions) as Record<string, { usernames: string[]; names: string[] }>,
        }
      : {}),
    ...(m.editedAt !== null ? { editedAt: date(m.editedAt) } : {}),
    ...(m.editedBy !== null ? { editedBy: { ...m.editedBy } } : {}),
    ...(m.pinned ? { pinned: true } : {}),
    ...(m.pinnedAt !== null ? { pinnedAt: date(m.pinnedAt) } : {}),
    ...(m.pinnedBy !== null ? { pinnedBy: { ...m.pinnedBy } } : {}),
    ...(m.starredBy.includes(options.viewerId as Message['starredBy'][number])
      ? { starred: [{ _id: options.viewerId }] }
      : {}),
    ...(m.alias !== null ? { alias: m.alias } : {}),
    ...(m.emoji !== null ? { emoji: m.emoji } : {}),
    ...(m.avatar !== null ? { avatar: m.avatar } : {}),
    ...(typeof m.extra.role === 'string' ? { role: m.extra.role } : {}),
    ...(m.alias !== null || m.avatar !== null ? { groupable: false } : {}),
  };
}

export function presentMember(user: User) {
  return {
    _id: user.id,
    username: user.username,
    name: user.name,
    status: user.status,
    statusText: user.statusText,
    utcOffset: user.utcOffset,
  };
}
