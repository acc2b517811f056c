import { Type, type Static } from 'typebox';
import { Id, Iso, PageInfo, Pagination, Success } from './common.js';

export const UserStatus = Type.Union([
  Type.Literal('online'),
  Type.Literal('away'),
  Type.Literal('busy'),
  Type.Literal('offline'),
]);

/** A user as other users see it; `emails` and private fields only for admins and the user. */
export const UserObject = Type.Object(
  {
    _id: Type.String(),
    username: Type.String(),
    name: Type.String(),
    type: Type.String(),
    active: Type.Boolean(),
    status: UserStatus,
    statusText: Type.String(),
    statusConnection: Type.Optional(Type.String()),
    utcOffset: Type.Number(),
    roles: Type.Array(Type.String()),
    createdAt: Iso,
    _updatedAt: Iso,
    lastLogin: Type.Optional(Iso),
    nickname: Type.Optional(Type.String()),
    bio: Type.Optional(Type.String()),
    emails: Type.Optional(Type.Array(Type.Object({ address: Type.String(), verified: Type.Boolean() }))),
    customFields: Type.Optional(Type.Record(Type.String(), Type.String())),
    requirePasswordChange: Type.Optional(Type.Boolean()),
    avatarUrl: Type.Optional(Type.String()),
  },
  { $id: 'User' },
);

/** `me` and `login`'s `data.me`: the caller's own account. */
export const MeObject = Type.Object({
  ...UserObject.properties,
  email: Type.Optional(Type.String()),
  statusDefault: Type.String(),
  settings: Type.Object({
    profile: Type.Object({}, { additionalProperties: true }),
    preferences: Type.Object({}, { additionalProperties: true }),
  }),
  avatarUrl: Type.String(),
  isOAuthUser: Type.Boolean(),
  services: Type.Object({ password: Type.Object({ exists: Type.Boolean() }) }),
});

const Username = Type.String({ minLength: 1, maxLength: 64 });
const Email = Type.String({ minLength: 3, maxLength: 254 });
const Name = Type.String({ minLength: 1, maxLength: 120 });
const Password = Type.String({ minLength: 1, maxLength: 1024 });
const CustomFields = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 1000 }), {
  maxProperties: 50,
});
const Roles = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 });

export const UsersCreateBody = Type.Object({
  email: Email,
  name: Name,
  password: Type.Optional(Password),
  username: Username,
  active: Type.Optional(Type.Boolean()),
  roles: Type.Optional(Roles),
  joinDefaultChannels: Type.Optional(Type.Boolean()),
  requirePasswordChange: Type.Optional(Type.Boolean()),
  sendWelcomeEmail: Type.Optional(Type.Boolean()),
  verified: Type.Optional(Type.Boolean()),
  customFields: Type.Optional(CustomFields),
  setRandomPassword: Type.Optional(Type.Boolean()),
});
export type UsersCreateBody = Static<typeof UsersCreateBody>;

export const UsersRegisterBody = Type.Object({
  username: Username,
  email: Email,
  pass: Password,
  name: Name,
  secret: Type.Optional(Type.String({ maxLength: 200 })),
  secretURL: Type.Optional(Type.String({ maxLength: 200 })),
});

export const UserKeyQuery = Type.Object({
  userId: Type.Optional(Id()),
  username: Type.Optional(Username),
});

export const UsersListQuery = Type.Object({ ...Pagination });

export const UsersUpdateBody = Type.Object({
  userId: Id(),
  data: Type.Object(
    {
      email: Type.Optional(Email),
      name: Type.Optional(Name),
      username: Type.Optional(Username),
      password: Type.Optional(Password),
      active: Type.Optional(Type.Boolean()),
      roles: Type.Optional(Roles),
      verified: Type.Optional(Type.Boolean()),
      requirePasswordChange: Type.Optional(Type.Boolean()),
      nickname: Type.Optional(Type.String({ maxLength: 120 })),
      bio: Type.Optional(Type.String({ maxLength: 260 })),
      statusText: Type.Optional(Type.String({ maxLength: 120 })),
      customFields: Type.Optional(CustomFields),
      joinDefaultChannels: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
});

export const UsersDeleteBody = Type.Object({
  userId: Type.Optional(Id()),
  username: Type.Optional(Username),
  confirmRelinquish: Type.Optional(Type.Boolean()),
});

export const UsersSetActiveStatusBody = Type.Object({
  userId: Id(),
  activeStatus: Type.Boolean(),
  confirmRelinquish: Type.Optional(Type.Boolean()),
});

export const UsersUpdateOwnBasicInfoBody = Type.Object({
  data: Type.Object(
    {
      email: Type.Optional(Email),
      name: Type.Optional(Name),
      username: Type.Optional(Username),
      nickname: Type.Optional(Type.String({ maxLength: 120 })),
      bio: Type.Optional(Type.String({ maxLength: 260 })),
      statusText: Type.Optional(Type.String({ maxLength: 120 })),
      currentPassword: Type.Optional(Type.String({ maxLength: 1024 })),
      newPassword: Type.Optional(Password),
    },
    { additionalProperties: false },
  ),
  customFields: Type.Optional(CustomFields),
});

export const UsersSetPreferencesBody = Type.Object({
  userId: Type.Optional(Id()),
  data: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 100 }),
});

export const UsersLogoutBody = Type.Object({ userId: Type.Optional(Id()) });

export const UserResponse = Success({ user: UserObject });
export const UsersListResponse = Success({ users: Type.Array(UserObject), ...PageInfo });

export const PersonalAccessTokenBody = Type.Object({
  tokenName: Type.String({ minLength: 1, maxLength: 100 }),
  bypassTwoFactor: Type.Optional(Type.Boolean()),
});
export const PersonalAccessTokenNameBody = Type.Object({
  tokenName: Type.String({ minLength: 1, maxLength: 100 }),
});
export const PersonalAccessTokenList = Success({
  tokens: Type.Array(
    Type.Object({
      name: Type.String(),
      createdAt: Iso,
      lastTokenPart: Type.String(),
      bypassTwoFactor: Type.Boolean(),
    }),
  ),
});
