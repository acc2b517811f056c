import type { MessageId, RoomId, UserId } from '../shared/ids.js';

export interface UserRef {
  readonly _id: string;
  readonly username: string;
  readonly name?: string;
}

export interface Mention {
  readonly _id: string;
  readonly username: string;
  readonly name?: string;
  readonly type: 'user' | 'team';
}

export interface ChannelRef {
  readonly _id: string;
  readonly name: string;
}

export type Reactions = Readonly<
  Record<string, { readonly usernames: readonly string[]; readonly names: readonly string[] }>
>;

/** A message, or a system message when `t` is set (`uj`, `ul`, `room_changed_topic`, …). */
export interface Message {
  readonly id: MessageId;
  readonly rid: RoomId;
  readonly msg: string;
  readonly t: string | null;
  readonly u: UserRef;
  readonly ts: number;
  readonly updatedAt: number;
  /** Thread parent, when this is a reply; `tshow` also shows it in the room. */
  readonly tmid: MessageId | null;
  readonly tshow: boolean;
  /** On a thread parent: reply count, last reply time, followers (Rocket.Chat's `replies`). */
  readonly tcount: number;
  readonly tlm: number | null;
  readonly replies: readonly UserId[];
  readonly mentions: readonly Mention[];
  readonly channels: readonly ChannelRef[];
  /** The `@rocket.chat/message-parser` AST of `msg`. */
  readonly md: readonly unknown[];
  readonly attachments: readonly Readonly<Record<string, unknown>>[];
  readonly reactions: Reactions;
  readonly editedAt: number | null;
  readonly editedBy: UserRef | null;
  readonly pinned: boolean;
  readonly pinnedAt: number | null;
  readonly pinnedBy: UserRef | null;
  readonly starredBy: readonly UserId[];
  /** Bot-style fields from `chat.postMessage`. */
  readonly alias: string | null;
  readonly emoji: string | null;
  readonly avatar: string | null;
  /** Extra fields of a system message (e.g. the role given in `subscription-role-added`). */
  readonly extra: Readonly<Record<string, unknown>>;
  /** A deleted message is kept as a tombstone, emptied, for `chat.syncMessages`. */
  readonly deletedAt: number | null;
}

export type MessagePatch = Partial<
  Pick<
    Message,
    | 'msg'
    | 'md'
    | 'mentions'
    | 'channels'
    | 'attachments'
    | 'reactions'
    | 'editedAt'
    | 'editedBy'
    | 'pinned'
    | 'pinnedAt'
    | 'pinnedBy'
    | 'starredBy'
    | 'tcount'
    | 'tlm'
    | 'replies'
    | 'deletedAt'
    | 'u'
  >
>;

/** A new message: no thread, reactions, edits or pins; `fields` say what differs. */
export function newMessage(fields: Pick<Message, 'id' | 'rid' | 'u' | 'ts'> & Partial<Message>): Message {
  return {
    msg: '',
    t: null,
    updatedAt: fields.ts,
    tmid: null,
    tshow: false,
    tcount: 0,
    tlm: null,
    replies: [],
    mentions: [],
    channels: [],
    md: [],
    attachments: [],
    reactions: {},
    editedAt: null,
    editedBy: null,
    pinned: false,
    pinnedAt: null,
    pinnedBy: null,
    starredBy: [],
    alias: null,
    emoji: null,
    avatar: null,
    extra: {},
    deletedAt: null,
    ...fields,
  };
}
