import { Type } from 'typebox';
import { Iso } from './common.js';

const Loose = Type.Object({}, { additionalProperties: true });
const UserRef = Type.Object({
  _id: Type.String(),
  username: Type.String(),
  name: Type.Optional(Type.String()),
});

/** A message as Rocket.Chat clients read it (`IMessage`). */
export const MessageObject = Type.Object(
  {
    _id: Type.String(),
    rid: Type.String(),
    msg: Type.String(),
    ts: Iso,
    u: UserRef,
    _updatedAt: Iso,
    t: Type.Optional(Type.String()),
    tmid: Type.Optional(Type.String()),
    tshow: Type.Optional(Type.Boolean()),
    tcount: Type.Optional(Type.Integer()),
    tlm: Type.Optional(Iso),
    replies: Type.Optional(Type.Array(Type.String())),
    mentions: Type.Array(
      Type.Object({
        _id: Type.String(),
        username: Type.String(),
        name: Type.Optional(Type.String()),
        type: Type.String(),
      }),
    ),
    channels: Type.Array(Type.Object({ _id: Type.String(), name: Type.String() })),
    md: Type.Array(Loose),
    attachments: Type.Optional(Type.Array(Loose)),
    reactions: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object({ usernames: Type.Array(Type.String()), names: Type.Array(Type.String()) }),
      ),
    ),
    editedAt: Type.Optional(Iso),
    editedBy: Type.Optional(UserRef),
    pinned: Type.Optional(Type.Boolean()),
    pinnedAt: Type.Optional(Iso),
    pinnedBy: Type.Optional(UserRef),
    starred: Type.Optional(Type.Array(Type.Object({ _id: Type.String() }))),
    alias: Type.Optional(Type.String()),
    emoji: Type.Optional(Type.String()),
    avatar: Type.Optional(Type.String()),
    groupable: Type.Optional(Type.Boolean()),
    role: Type.Optional(Type.String()),
    _deletedAt: Type.Optional(Iso),
  },
  { $id: 'Message' },
);

/** A room (`IRoom`): channels and groups have a name; DMs have `uids` and `usernames`. */
export const RoomObject = Type.Object(
  {
    _id: Type.String(),
    t: Type.String(),
    name: Type.Optional(Type.String()),
    fname: Type.Optional(Type.String()),
    u: Type.Optional(UserRef),
    ts: Iso,
    _updatedAt: Iso,
    msgs: Type.Integer(),
    usersCount: Type.Integer(),
    lm: Type.Optional(Iso),
    lastMessage: Type.Optional(MessageObject),
    default: Type.Boolean(),
    ro: Type.Boolean(),
    sysMes: Type.Boolean(),
    broadcast: Type.Boolean(),
    encrypted: Type.Boolean(),
    topic: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    announcement: Type.Optional(Type.String()),
    archived: Type.Boolean(),
    joinCodeRequired: Type.Boolean(),
    muted: Type.Array(Type.String()),
    readReceipts: Type.Optional(Type.Boolean()),
    uids: Type.Optional(Type.Array(Type.String())),
    usernames: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'Room' },
);

/** A user's membership in a room (`ISubscription`). */
export const SubscriptionObject = Type.Object(
  {
    _id: Type.String(),
    rid: Type.String(),
    u: UserRef,
    name: Type.String(),
    fname: Type.String(),
    t: Type.String(),
    ts: Iso,
    ls: Type.Optional(Iso),
    lr: Type.Optional(Iso),
    _updatedAt: Iso,
    open: Type.Boolean(),
    alert: Type.Boolean(),
    unread: Type.Integer(),
    userMentions: Type.Integer(),
    groupMentions: Type.Integer(),
    tunread: Type.Array(Type.String()),
    tunreadUser: Type.Array(Type.String()),
    tunreadGroup: Type.Array(Type.String()),
    roles: Type.Array(Type.String()),
    f: Type.Boolean(),
    archived: Type.Boolean(),
  },
  { $id: 'Subscription' },
);

export const MemberObject = Type.Object({
  _id: Type.String(),
  username: Type.String(),
  name: Type.String(),
  status: Type.String(),
  statusText: Type.String(),
  utcOffset: Type.Number(),
  roles: Type.Optional(Type.Array(Type.String())),
});
