import type { Generated } from 'kysely';

/**
 * The database's tables as Kysely sees them. Booleans are stored as 0/1 and timestamps as integer
 * milliseconds in both dialects, so one query serves SQLite and PostgreSQL.
 */
export interface UsersTable {
  id: string;
  username: string;
  username_lower: string;
  name: string;
  /** Lower-cased in JS: SQLite's lower() folds ASCII only. */
  name_lower: string;
  type: string;
  email: string | null;
  email_lower: string | null;
  email_verified: number;
  active: number;
  status: string;
  status_text: string;
  status_default: string;
  utc_offset: number;
  nickname: string;
  bio: string;
  custom_fields: string;
  preferences: string;
  password_hash: string | null;
  require_password_change: number;
  created_at: number;
  updated_at: number;
  last_login: number | null;
}

export interface UserRolesTable {
  user_id: string;
  role_id: string;
}

export interface LoginTokensTable {
  hash: string;
  user_id: string;
  device_id: string;
  kind: string;
  name: string | null;
  last_token_part: string;
  bypass_two_factor: number;
  created_at: number;
}

export interface RolesTable {
  id: string;
  name: string;
  scope: string;
  description: string;
  protected: number;
  mandatory2fa: number;
  updated_at: number;
}

export interface PermissionsTable {
  id: string;
  roles: string;
  updated_at: number;
}

export interface SettingsTable {
  id: string;
  type: string;
  value: string;
  package_value: string;
  public: number;
  group_name: string;
  select_values: string | null;
  updated_at: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface RoomsTable {
  id: string;
  t: string;
  name: string | null;
  name_lower: string | null;
  fname: string | null;
  creator_id: string | null;
  creator_username: string | null;
  topic: string;
  description: string;
  announcement: string;
  read_only: number;
  is_default: number;
  archived: number;
  join_code_hash: string | null;
  read_receipts: number;
  msgs: number;
  users_count: number;
  last_message_id: string | null;
  last_message_at: number | null;
  uids: string;
  uids_key: string | null;
  usernames: string;
  muted: string;
  created_at: number;
  updated_at: number;
}

export interface SubscriptionsTable {
  id: string;
  room_id: string;
  user_id: string;
  username: string;
  t: string;
  name: string;
  fname: string;
  open: number;
  alert: number;
  unread: number;
  user_mentions: number;
  group_mentions: number;
  tunread: string;
  tunread_user: string;
  tunread_group: string;
  roles: string;
  favorite: number;
  archived: number;
  ls: number | null;
  lr: number | null;
  joined_at: number;
  updated_at: number;
}

export interface SubscriptionRemovalsTable {
  id: string;
  room_id: string;
  user_id: string;
  deleted_at: number;
}

export interface MessagesTable {
  id: string;
  rid: string;
  msg: string;
  t: string | null;
  u_id: string;
  u_username: string;
  u_name: string | null;
  ts: number;
  updated_at: number;
  tmid: string | null;
  tshow: number;
  tcount: number;
  tlm: number | null;
  replies: string;
  mentions: string;
  /** Space-delimited ids of mentioned users (` id1 id2 `), for `chat.getMentionedMessages`. */
  mentioned_ids: string;
  channels: string;
  md: string;
  attachments: string;
  reactions: string;
  edited_at: number | null;
  edited_by: string | null;
  pinned: number;
  pinned_at: number | null;
  pinned_by: string | null;
  starred_by: string;
  alias: string | null;
  emoji: string | null;
  avatar: string | null;
  extra: string;
  deleted_at: number | null;
}

export interface Database {
  users: UsersTable;
  user_roles: UserRolesTable;
  login_tokens: LoginTokensTable;
  roles: RolesTable;
  permissions: PermissionsTable;
  settings: SettingsTable;
  meta: MetaTable;
  rooms: RoomsTable;
  subscriptions: SubscriptionsTable;
  subscription_removals: SubscriptionRemovalsTable;
  messages: MessagesTable;
  events: EventsTable;
}

export interface EventsTable {
  position: Generated<number>;
  type: string;
  /** `room:<id>`, `user:<id>`, `logged` or `all`. */
  audience: string;
  /** The event's other fields, as JSON. */
  payload: string;
  at: number;
}
