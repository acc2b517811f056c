import { timingSafeEqual } from 'node:crypto';
import type { DomainContext } from '../context.js';
import { ChatError } from '../shared/errors.js';
import { insertUserWithoutPermissionCheck } from './create-user.js';
import type { User } from './user.js';

export interface RegisterInput {
  readonly username: string;
  readonly email: string;
  readonly pass: string;
  readonly name: string;
  readonly secretURL?: string;
}

/**
 * `users.register`: self-service sign-up. Off unless an admin sets `Accounts_RegistrationForm` to
 * `Public`, or to `Secret URL` and the caller knows the secret.
 */
export async function registerUser(ctx: DomainContext, input: RegisterInput): Promise<User> {
  const form = ctx.settings.string('Accounts_RegistrationForm');
  const allowed =
    form === 'Public' ||
    (form === 'Secret URL' &&
      input.secretURL !== undefined &&
      sameSecret(input.secretURL, ctx.settings.string('Accounts_RegistrationForm_SecretURL')));
  if (!allowed) throw ChatError.notAllowed('User registration is not allowed');
  const roles = ctx.settings
    .string('Accounts_Registration_AuthenticationServices_Default_Roles')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  return ctx.store.transaction((tx) =>
    insertUserWithoutPermissionCheck(ctx, tx, {
      username: input.username,
      email: input.email,
      name: input.name,
      password: input.pass,
      roles: roles.length > 0 ? roles : ['user'],
    }),
  );
}

function sameSecret(given: string, expected: string): boolean {
  if (expected === '') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
