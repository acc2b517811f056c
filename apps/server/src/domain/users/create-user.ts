import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/passwords.js';
import type { DomainContext } from '../context.js';
import { UniqueViolation, type Tx } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import { checkEmail, checkName, checkPassword, checkUsername } from './account-rules.js';
import type { User, UserType } from './user.js';
import { joinDefaultChannels } from '../rooms/create-room.js';

/** A password that passed the policy, as its Argon2id hash. */
export interface PreparedPassword {
  readonly hash: string;
}

/** Checks `plain` against the password policy and hashes it: outside any transaction. */
export async function preparePassword(ctx: DomainContext, plain: string): Promise<PreparedPassword> {
  return { hash: await hashPassword(checkPassword(ctx.settings, plain)) };
}

export interface NewUser {
  readonly username: string;
  readonly name: string;
  readonly email?: string | null;
  /**
   * Plain text, or already checked and hashed by `preparePassword` (which callers do before their
   * transaction, so that the slow hash holds no database lock); null for an account that cannot
   * log in with a password (bots with PATs).
   */
  readonly password: string | PreparedPassword | null;
  readonly roles?: readonly string[];
  readonly active?: boolean;
  readonly verified?: boolean;
  readonly requirePasswordChange?: boolean;
  readonly type?: UserType;
  readonly customFields?: Readonly<Record<string, string>>;
  /** New users join the default channels unless this is false. */
  readonly joinDefaultChannels?: boolean;
}

/**
 * Validates `input` and inserts the user. Decides nothing about who may: callers check that.
 * Call inside `store.transaction`.
 */
export async function insertUserWithoutPermissionCheck(
  ctx: DomainContext,
  tx: Tx,
  input: NewUser,
): Promise<User> {
  const username = checkUsername(ctx.settings, input.username);
  const name = checkName(input.name);
  const email =
    input.email === undefined || input.email === null || input.email === '' ? null : checkEmail(input.email);
  const password =
    input.password === null || typeof input.password === 'object'
      ? input.password
      : checkPassword(ctx.settings, input.password);
  const roles = [...new Set(input.roles ?? ['user'])];
  for (const role of roles) {
    if (!(await tx.roles.byId(role))) throw ChatError.roleNotFound(role);
  }
  if (await tx.users.byUsername(username)) throw ChatError.duplicate('username', username);
  if (email !== null && (await tx.users.byEmail(email))) throw ChatError.duplicate('email', email);

  const now = ctx.clock.now();
  const user: User = {
    id: ctx.ids.next() as UserId,
    username,
    name,
    type: input.type ?? 'user',
    email,
    emailVerified: input.verified ?? false,
    active: input.active ?? true,
    roles,
    status: 'offline',
    statusText: '',
    statusDefault: 'online',
    utcOffset: 0,
    nickname: '',
    bio: '',
    customFields: input.customFields ?? {},
    preferences: {},
    passwordHash:
      password === null ? null : typeof password === 'object' ? password.hash : await hashPassword(password),
    requirePasswordChange: input.requirePasswordChange ?? false,
    createdAt: now,
    updatedAt: now,
    lastLogin: null,
  };
  try {
    await tx.users.insert(user);
  } catch (error) {
    if (error instanceof UniqueViolation) {
      throw error.key.startsWith('email')
        ? ChatError.duplicate('email', email ?? '')
        : ChatError.duplicate('username', username);
    }
    throw error;
  }
  if (input.joinDefaultChannels !== false) await joinDefaultChannels(ctx, tx, user);
  return user;
}

export interface CreateUserInput extends Omit<NewUser, 'password'> {
  readonly password?: string;
  /** Generates a random password the user never learns (an admin sends a reset later). */
  readonly setRandomPassword?: boolean;
}

/** `users.create`: an admin (or anyone holding `create-user`) creates an account. */
export async function createUser(ctx: DomainContext, actor: Actor, input: CreateUserInput): Promise<User> {
  await ctx.authz.require(actor, 'create-user');
  if (input.roles && input.roles.some((r) => r !== 'user')) await ctx.authz.require(actor, 'assign-roles');
  if (input.roles?.includes('admin')) await ctx.authz.require(actor, 'assign-admin-role');
  const password = input.setRandomPassword ? randomBytes(24).toString('base64url') : input.password;
  if (password === undefined) throw ChatError.invalidParams("must have required property 'password'");
  const prepared = await preparePassword(ctx, password);
  return ctx.store.transaction((tx) =>
    insertUserWithoutPermissionCheck(ctx, tx, { ...input, password: prepared }),
  );
}
