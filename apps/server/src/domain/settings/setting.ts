export type SettingType = 'boolean' | 'string' | 'int' | 'select' | 'code' | 'password';
export type SettingValue = boolean | string | number;

export interface Setting {
  readonly id: string;
  readonly type: SettingType;
  readonly value: SettingValue;
  readonly packageValue: SettingValue;
  /** Visible to anyone, logged in or not, through `settings.public`. */
  readonly public: boolean;
  readonly group: string;
  readonly values?: readonly { readonly key: string; readonly i18nLabel: string }[];
  readonly updatedAt: number;
}
