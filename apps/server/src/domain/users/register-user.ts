import { timingSafeEqual } from 'node:crypto';
import type { DomainContext } from '../context.js';
import { ChatError } from '../shared/errors.js';
import { insertUserWithoutPermissionCheck, preparePassword } from './create-user.js';
import type { User } from './user.js';

export interface RegisterInput {
  readonly username: string;
  readonly email: string;
  readonly pass: string;
  readonly name: string;
  /** The registration secret; Rocket.Chat's schema calls it `secret`, older clients `secretURL`. */
  readonly secret?: string;
  readonly secretURL?: string;
}

/**
 * `users.register`: self-service sign-up. Off unless an admin sets `Accounts_RegistrationForm` to
 * `Public`, or to `Secret URL` and the caller knows the secret.
 */
export async function registerUser(ctx: DomainContext, input: RegisterInput): Promise<User> {
  const form = ctx.settings.string('Accounts_RegistrationForm');
  if (form === 'Secret URL') {
    const given = input.secret ?? input.secretURL;
    if (
      given === undefined ||
      !sameSecret(given, ctx.settings.string('Accounts_RegistrationForm_SecretURL'))
    ) {
      throw ChatError.invalid(
        'error-user-registration-secret',
        'User registration is only allowed via Secret URL',
      );
    }
  } else if (form !== 'Public') {
    throw ChatError.invalid('error-user-registration-disabled', 'User registration is disabled');
  }
  const roles = ctx.settings
    .string('Accounts_Registration_AuthenticationServices_Default_Roles')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const password = await preparePassword(ctx, input.pass);
  return ctx.store.transaction((tx) =>
    insertUserWithoutPermissionCheck(ctx, tx, {
      username: input.username,
      email: input.email,
      name: input.name,
      password,
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
