import { Type } from 'typebox';
import { Iso } from './common.js';

export const SettingValue = Type.Union([Type.Boolean(), Type.String(), Type.Number()]);

export const SettingObject = Type.Object({
  _id: Type.String(),
  value: SettingValue,
  type: Type.Optional(Type.String()),
  packageValue: Type.Optional(SettingValue),
  public: Type.Optional(Type.Boolean()),
  group: Type.Optional(Type.String()),
  values: Type.Optional(Type.Array(Type.Object({ key: Type.String(), i18nLabel: Type.String() }))),
  _updatedAt: Type.Optional(Iso),
});

export const SettingUpdateBody = Type.Object({
  value: Type.Optional(Type.Unknown()),
  execute: Type.Optional(Type.Boolean()),
});
