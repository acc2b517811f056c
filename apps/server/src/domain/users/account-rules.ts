import type { SettingsCache } from '../settings/settings-cache.js';
import { ChatError } from '../shared/errors.js';

const MAX_USERNAME = 64;
const MAX_NAME = 120;
const MAX_EMAIL = 254;
/** Argon2 hashes any length, but a megabyte password is an attack, not a password. */
const HARD_MAX_PASSWORD = 1024;

/** Rocket.Chat's rule: the whole name matches `UTF8_User_Names_Validation` and is not blocked. */
export function checkUsername(settings: SettingsCache, username: string): string {
  const trimmed = username.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_USERNAME) {
    throw ChatError.invalid(
      'error-invalid-username',
      `Invalid username: must be 1 to ${MAX_USERNAME} characters`,
    );
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^${settings.string('UTF8_User_Names_Validation')}$`, 'u');
  } catch {
    pattern = /^[0-9a-zA-Z-_.]+$/;
  }
  if (!pattern.test(trimmed)) {
    throw ChatError.invalid('error-invalid-username', `${trimmed} is not a valid username`);
  }
  const blocked = [
    settings.string('Accounts_SystemBlockedUsernameList'),
    settings.string('Accounts_BlockedUsernameList'),
  ]
    .join(',')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (blocked.includes(trimmed.toLowerCase())) {
    throw ChatError.invalid('error-blocked-username', `${trimmed} is blocked and can't be used!`);
  }
  return trimmed;
}

export function checkEmail(email: string): string {
  const trimmed = email.trim();
  // Deliberately loose (one @, a dot in the domain, no spaces): the mail server is the real judge.
  if (trimmed.length > MAX_EMAIL || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(trimmed)) {
    throw ChatError.invalid('error-invalid-email', `Invalid email ${trimmed}`);
  }
  return trimmed;
}

export function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME || /\p{Cc}/u.test(trimmed)) {
    throw ChatError.invalid(
      'error-invalid-name',
      `Invalid name: must be 1 to ${MAX_NAME} printable characters`,
    );
  }
  return trimmed;
}

export function checkPassword(settings: SettingsCache, password: string): string {
  if (password.length > HARD_MAX_PASSWORD) {
    throw ChatError.invalid(
      'error-password-policy-not-met-maxLength',
      `The password must not exceed ${HARD_MAX_PASSWORD} characters`,
    );
  }
  if (password.length === 0)
    throw ChatError.invalid('error-password-policy-not-met-minLength', 'The password must not be empty');
  if (!settings.bool('Accounts_Password_Policy_Enabled')) return password;
  const min = settings.int('Accounts_Password_Policy_MinLength');
  if (min > 0 && [...password].length < min) {
    throw ChatError.invalid(
      'error-password-policy-not-met-minLength',
      `The password must have at least ${min} characters`,
    );
  }
  const max = settings.int('Accounts_Password_Policy_MaxLength');
  if (max > 0 && [...password].length > max) {
    throw ChatError.invalid(
      'error-password-policy-not-met-maxLength',
      `The password must not exceed ${max} characters`,
    );
  }
  return password;
}
