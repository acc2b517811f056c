import { Type } from 'typebox';
import { Iso, Success } from './common.js';

export const PermissionObject = Type.Object({
  _id: Type.String(),
  roles: Type.Array(Type.String()),
  _updatedAt: Iso,
});

export const RoleObject = Type.Object({
  _id: Type.String(),
  name: Type.String(),
  scope: Type.String(),
  description: Type.String(),
  protected: Type.Boolean(),
  mandatory2fa: Type.Boolean(),
  _updatedAt: Iso,
});

export const PermissionsListAllResponse = Success({
  update: Type.Array(PermissionObject),
  remove: Type.Array(PermissionObject),
});

export const PermissionsUpdateBody = Type.Object({
  permissions: Type.Array(
    Type.Object({
      _id: Type.String({ minLength: 1, maxLength: 128 }),
      roles: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 }),
    }),
    { minItems: 1, maxItems: 500 },
  ),
});

export const RoleAssignmentBody = Type.Object({
  roleId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  roleName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  username: Type.String({ minLength: 1, maxLength: 64 }),
  roomId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

export const RoleResponse = Success({ role: RoleObject });
