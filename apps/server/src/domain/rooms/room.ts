import type { MessageId, RoomId, UserId } from '../shared/ids.js';

/** `c` public channel, `p` private group, `d` direct message (two or more people). */
export type RoomType = 'c' | 'p' | 'd';

export interface Room {
  readonly id: RoomId;
  readonly t: RoomType;
  /** Unique among channels and groups, case-insensitively; null for DMs. */
  readonly name: string | null;
  readonly fname: string | null;
  readonly creatorId: UserId | null;
  readonly creatorUsername: string | null;
  readonly topic: string;
  readonly description: string;
  readonly announcement: string;
  readonly readOnly: boolean;
  /** New users join default channels. */
  readonly isDefault: boolean;
  readonly archived: boolean;
  /** Only a hash of the join code is kept. */
  readonly joinCodeHash: string | null;
  readonly readReceipts: boolean;
  /** Messages posted, system messages included, as Rocket.Chat counts them. */
  readonly msgs: number;
  readonly usersCount: number;
  readonly lastMessageId: MessageId | null;
  readonly lastMessageAt: number | null;
  /** Members of a DM, sorted; empty for channels and groups. */
  readonly uids: readonly UserId[];
  readonly usernames: readonly string[];
  /** Usernames who may not post here. */
  readonly muted: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type RoomPatch = Partial<
  Pick<
    Room,
    | 't'
    | 'name'
    | 'fname'
    | 'topic'
    | 'description'
    | 'announcement'
    | 'readOnly'
    | 'isDefault'
    | 'archived'
    | 'joinCodeHash'
    | 'readReceipts'
    | 'usernames'
    | 'muted'
  >
>;

/** A new room: empty counters and text, readable receipts on; `fields` say what differs. */
export function newRoom(fields: Pick<Room, 'id' | 't' | 'createdAt'> & Partial<Room>): Room {
  return {
    name: null,
    fname: null,
    creatorId: null,
    creatorUsername: null,
    topic: '',
    description: '',
    announcement: '',
    readOnly: false,
    isDefault: false,
    archived: false,
    joinCodeHash: null,
    readReceipts: true,
    msgs: 0,
    usersCount: 0,
    lastMessageId: null,
    lastMessageAt: null,
    uids: [],
    usernames: [],
    muted: [],
    updatedAt: fields.createdAt,
    ...fields,
  };
}
