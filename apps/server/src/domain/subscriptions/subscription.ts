import type { RoomType } from '../rooms/room.js';
import type { MessageId, RoomId, UserId } from '../shared/ids.js';

/** A user's membership in a room, with their unread state and room-scoped roles. */
export interface Subscription {
  readonly id: string;
  readonly roomId: RoomId;
  readonly userId: UserId;
  readonly username: string;
  readonly t: RoomType;
  /** The room's name, or for a DM the other members' usernames. */
  readonly name: string;
  readonly fname: string;
  /** Shown in the sidebar; `im.close`/`channels.close` hide it until the next message. */
  readonly open: boolean;
  readonly alert: boolean;
  readonly unread: number;
  readonly userMentions: number;
  readonly groupMentions: number;
  /** Threads with unread replies, and those among them that mention the user or everyone. */
  readonly tunread: readonly MessageId[];
  readonly tunreadUser: readonly MessageId[];
  readonly tunreadGroup: readonly MessageId[];
  /** Room-scoped roles: owner, moderator, leader. */
  readonly roles: readonly string[];
  readonly favorite: boolean;
  readonly archived: boolean;
  /** Last seen: the user has read everything up to this time. */
  readonly ls: number | null;
  /** Last reply: when the user last posted here. */
  readonly lr: number | null;
  readonly joinedAt: number;
  readonly updatedAt: number;
}

export type SubscriptionPatch = Partial<
  Pick<
    Subscription,
    | 'name'
    | 'fname'
    | 't'
    | 'open'
    | 'alert'
    | 'unread'
    | 'userMentions'
    | 'groupMentions'
    | 'tunread'
    | 'tunreadUser'
    | 'tunreadGroup'
    | 'roles'
    | 'favorite'
    | 'archived'
    | 'ls'
    | 'lr'
  >
>;
