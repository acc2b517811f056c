import type { SettingType, SettingValue } from './setting.js';

export interface SettingDefinition {
  readonly id: string;
  readonly type: SettingType;
  readonly packageValue: SettingValue;
  readonly public: boolean;
  readonly group: string;
  readonly values?: readonly { readonly key: string; readonly i18nLabel: string }[];
  /** Inclusive bounds for `int` settings. */
  readonly min?: number;
  readonly max?: number;
}

/**
 * The settings Parley knows, with Rocket.Chat's ids where Rocket.Chat has the same setting, so that
 * its clients and test harnesses can read and toggle them. Parley's defaults lean safe: registration
 * is off and the password policy is on.
 */
export const SETTINGS: readonly SettingDefinition[] = [
  { id: 'Site_Name', type: 'string', packageValue: 'Parley', public: true, group: 'General' },
  { id: 'Site_Url', type: 'string', packageValue: 'http://localhost:3000', public: true, group: 'General' },
  { id: 'Language', type: 'string', packageValue: 'en', public: true, group: 'General' },
  {
    id: 'Accounts_RegistrationForm',
    type: 'select',
    packageValue: 'Disabled',
    public: true,
    group: 'Accounts',
    values: [
      { key: 'Public', i18nLabel: 'Accounts_RegistrationForm_Public' },
      { key: 'Disabled', i18nLabel: 'Accounts_RegistrationForm_Disabled' },
      { key: 'Secret URL', i18nLabel: 'Accounts_RegistrationForm_Secret_URL' },
    ],
  },
  {
    id: 'Accounts_RegistrationForm_SecretURL',
    type: 'password',
    packageValue: '',
    public: false,
    group: 'Accounts',
  },
  {
    id: 'Accounts_Registration_AuthenticationServices_Default_Roles',
    type: 'string',
    packageValue: 'user',
    public: false,
    group: 'Accounts',
  },
  {
    id: 'Accounts_AllowAnonymousRead',
    type: 'boolean',
    packageValue: false,
    public: true,
    group: 'Accounts',
  },
  {
    id: 'Accounts_AllowUserProfileChange',
    type: 'boolean',
    packageValue: true,
    public: true,
    group: 'Accounts',
  },
  {
    id: 'Accounts_AllowRealNameChange',
    type: 'boolean',
    packageValue: true,
    public: true,
    group: 'Accounts',
  },
  {
    id: 'Accounts_AllowUsernameChange',
    type: 'boolean',
    packageValue: true,
    public: true,
    group: 'Accounts',
  },
  { id: 'Accounts_AllowEmailChange', type: 'boolean', packageValue: true, public: true, group: 'Accounts' },
  {
    id: 'Accounts_AllowPasswordChange',
    type: 'boolean',
    packageValue: true,
    public: true,
    group: 'Accounts',
  },
  {
    id: 'Accounts_AllowUserStatusMessageChange',
    type: 'boolean',
    packageValue: true,
    public: true,
    group: 'Accounts',
  },
  {
    id: 'Accounts_AllowDeleteOwnAccount',
    type: 'boolean',
    packageValue: false,
    public: true,
    group: 'Accounts',
  },
  {
    id: 'Accounts_SystemBlockedUsernameList',
    type: 'string',
    packageValue: 'administrator,system,user',
    public: false,
    group: 'Accounts',
  },
  { id: 'Accounts_BlockedUsernameList', type: 'string', packageValue: '', public: false, group: 'Accounts' },
  {
    id: 'UTF8_User_Names_Validation',
    type: 'string',
    packageValue: '[0-9a-zA-Z-_.]+',
    public: true,
    group: 'General',
  },
  {
    id: 'Accounts_Password_Policy_Enabled',
    type: 'boolean',
    packageValue: true,
    public: true,
    group: 'Accounts',
  },
  {
    id: 'Accounts_Password_Policy_MinLength',
    type: 'int',
    packageValue: 8,
    public: true,
    group: 'Accounts',
    min: 1,
    max: 1024,
  },
  {
    id: 'Accounts_Password_Policy_MaxLength',
    type: 'int',
    packageValue: -1,
    public: true,
    group: 'Accounts',
    min: -1,
    max: 1024,
  },
  {
    id: 'Block_Multiple_Failed_Logins_Enabled',
    type: 'boolean',
    packageValue: true,
    public: false,
    group: 'Accounts',
  },
  {
    id: 'Block_Multiple_Failed_Logins_By_User',
    type: 'boolean',
    packageValue: true,
    public: false,
    group: 'Accounts',
  },
  {
    id: 'Block_Multiple_Failed_Logins_By_Ip',
    type: 'boolean',
    packageValue: true,
    public: false,
    group: 'Accounts',
  },
  {
    id: 'Block_Multiple_Failed_Logins_Attempts_Until_Block_by_User',
    type: 'int',
    packageValue: 10,
    public: false,
    group: 'Accounts',
    min: 1,
    max: 1_000_000,
  },
  {
    id: 'Block_Multiple_Failed_Logins_Time_To_Unblock_By_User_In_Minutes',
    type: 'int',
    packageValue: 5,
    public: false,
    group: 'Accounts',
    min: 1,
    max: 100_000,
  },
  {
    id: 'Block_Multiple_Failed_Logins_Attempts_Until_Block_By_Ip',
    type: 'int',
    packageValue: 50,
    public: false,
    group: 'Accounts',
    min: 1,
    max: 1_000_000,
  },
  {
    id: 'Block_Multiple_Failed_Logins_Time_To_Unblock_By_Ip_In_Minutes',
    type: 'int',
    packageValue: 5,
    public: false,
    group: 'Accounts',
    min: 1,
    max: 100_000,
  },
  {
    id: 'API_Default_Count',
    type: 'int',
    packageValue: 50,
    public: false,
    group: 'General',
    min: 1,
    max: 10_000,
  },
  {
    id: 'API_Upper_Count_Limit',
    type: 'int',
    packageValue: 100,
    public: false,
    group: 'General',
    min: 1,
    max: 10_000,
  },
  { id: 'API_Allow_Infinite_Count', type: 'boolean', packageValue: true, public: false, group: 'General' },
];
