import { hashPassword, verifyPassword, type PasswordInput } from '../auth/passwords.js';
import type { DomainContext } from '../context.js';
import { emit, sessionsRevoked } from '../events/emit.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import { checkEmail, checkName, checkPassword, checkUsername } from './account-rules.js';
import { applyUserPatch } from './update-user.js';
import type { User, UserPatch } from './user.js';

export interface OwnBasicInfo {
  readonly email?: string;
  readonly name?: string;
  readonly username?: string;
  readonly nickname?: string;
  readonly bio?: string;
  readonly statusText?: string;
  /** Needed to change the email or the password: the plain text or its SHA-256 hex digest. */
  readonly currentPassword?: string;
  readonly newPassword?: string;
}

const MAX_BIO = 260;
const MAX_NICKNAME = 120;
const MAX_STATUS_TEXT = 120;

/**
 * `users.updateOwnBasicInfo`: a user edits their own profile, as far as the `Accounts_Allow*`
 * settings permit. Changing the email or password needs the current password; a new password ends
 * the user's other sessions.
 */
export async function updateOwnBasicInfo(
  ctx: DomainContext,
  actor: Actor,
  data: OwnBasicInfo,
): Promise<User> {
  const s = ctx.settings;
  if (!s.bool('Accounts_AllowUserProfileChange'))
    throw ChatError.notAllowed('Editing user profile is not allowed');
  const user = await ctx.store.users.byId(actor.userId);
  if (!user) throw ChatError.userNotFound();

  const patch: { -readonly [K in keyof UserPatch]: UserPatch[K] } = {};
  if (data.name !== undefined && data.name !== user.name) {
    if (!s.bool('Accounts_AllowRealNameChange'))
      throw ChatError.notAllowed('Editing user real name is not allowed');
    patch.name = checkName(data.name);
  }
  if (data.username !== undefined && data.username !== user.username) {
    if (!s.bool('Accounts_AllowUsernameChange'))
      throw ChatError.notAllowed('Editing username is not allowed');
    patch.username = checkUsername(s, data.username);
  }
  const emailChanges = data.email !== undefined && data.email.toLowerCase() !== user.email?.toLowerCase();
  if (emailChanges) {
    if (!s.bool('Accounts_AllowEmailChange')) throw ChatError.notAllowed('Changing email is not allowed');
    patch.email = checkEmail(data.email ?? '');
    patch.emailVerified = false;
  }
  if (data.newPassword !== undefined) {
    if (!s.bool('Accounts_AllowPasswordChange'))
      throw ChatError.notAllowed('Changing password is not allowed');
    patch.passwordHash = await hashPassword(checkPassword(s, data.newPassword));
    patch.requirePasswordChange = false;
  }
  if (emailChanges || data.newPassword !== undefined) {
    if (
      user.passwordHash !== null &&
      !(await currentPasswordMatches(user.passwordHash, data.currentPassword))
    ) {
      throw ChatError.invalid('error-invalid-password', 'Invalid password');
    }
  }
  if (data.newPassword !== undefined && (await verifyPassword(user.passwordHash, data.newPassword))) {
    throw ChatError.invalid('error-password-same-as-current', 'Entered password same as current password');
  }
  if (data.nickname !== undefined) patch.nickname = bounded(data.nickname.trim(), MAX_NICKNAME, 'nickname');
  if (data.bio !== undefined) patch.bio = bounded(data.bio, MAX_BIO, 'bio');
  if (data.statusText !== undefined) {
    if (!s.bool('Accounts_AllowUserStatusMessageChange'))
      throw ChatError.notAllowed('Changing status message is not allowed');
    patch.statusText = bounded(data.statusText.trim(), MAX_STATUS_TEXT, 'statusText');
  }

  return ctx.store.transaction(async (tx) => {
    const updated = await applyUserPatch(ctx, tx, user, patch);
    const revoked =
      data.newPassword === undefined ? 0 : await tx.tokens.deleteLoginTokensOfUser(user.id, actor.tokenHash);
    if (revoked > 0) await emit(tx, ctx.clock.now(), sessionsRevoked(user.id));
    return updated;
  });
}

async function currentPasswordMatches(passwordHash: string, given: string | undefined): Promise<boolean> {
  if (given === undefined || given === '') return false;
  // Rocket.Chat's clients send the SHA-256 hex digest; scripts often send the plain text.
  const candidates: PasswordInput[] = /^[0-9a-f]{64}$/i.test(given)
    ? [{ digest: given, algorithm: 'sha-256' }, given]
    : [given];
  for (const candidate of candidates) if (await verifyPassword(passwordHash, candidate)) return true;
  return false;
}

function bounded(value: string, max: number, field: string): string {
  if ([...value].length > max) throw ChatError.invalidParams(`${field} must be at most ${max} characters`);
  return value;
}
