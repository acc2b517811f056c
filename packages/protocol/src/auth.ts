import { Type } from 'typebox';
import { MeObject } from './users.js';

const Digest = Type.Object({
  digest: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
  algorithm: Type.Literal('sha-256'),
});
const PasswordField = Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Digest]);

/**
 * `POST /api/v1/login`. Rocket.Chat accepts `user` (a username, or an email when it holds `@`),
 * `username`, `email`, or `user: { username } | { email }`, with a password; or `resume`.
 */
export const LoginBody = Type.Object({
  user: Type.Optional(
    Type.Union([
      Type.String({ minLength: 1, maxLength: 254 }),
      Type.Object({ username: Type.String({ minLength: 1, maxLength: 254 }) }),
      Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) }),
    ]),
  ),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  password: Type.Optional(PasswordField),
  resume: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  code: Type.Optional(Type.String({ maxLength: 32 })),
});

export const LoginResponse = Type.Object({
  status: Type.Literal('success'),
  data: Type.Object({ userId: Type.String(), authToken: Type.String(), me: MeObject }),
  success: Type.Optional(Type.Literal(true)),
});

export const LogoutResponse = Type.Object({
  status: Type.Literal('success'),
  data: Type.Object({ message: Type.String() }),
  success: Type.Optional(Type.Literal(true)),
});

export const SetupCreateAdminBody = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 256 }),
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
});
