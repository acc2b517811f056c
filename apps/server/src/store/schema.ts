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

export interface Database {
  users: UsersTable;
  user_roles: UserRolesTable;
  login_tokens: LoginTokensTable;
  roles: RolesTable;
  permissions: PermissionsTable;
  settings: SettingsTable;
  meta: MetaTable;
}
