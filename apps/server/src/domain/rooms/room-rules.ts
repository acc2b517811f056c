import type { SettingsCache } from '../settings/settings-cache.js';
import { ChatError } from '../shared/errors.js';

const MAX_NAME = 64;
const MAX_TEXT = 5000;

/** Rocket.Chat's rule: the whole name matches `UTF8_Channel_Names_Validation`. */
export function checkRoomName(settings: SettingsCache, name: string): string {
  const trimmed = name.trim().replace(/^#/, '');
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^${settings.string('UTF8_Channel_Names_Validation')}$`, 'u');
  } catch {
    pattern = /^[0-9a-zA-Z-_.]+$/;
  }
  if (trimmed.length === 0 || trimmed.length > MAX_NAME || !pattern.test(trimmed)) {
    throw ChatError.invalid('error-invalid-room-name', `${trimmed} is not a valid room name`);
  }
  return trimmed;
}

/** Topics, descriptions and announcements: any text up to a bound, no control characters but newlines. */
export function checkRoomText(field: string, value: string): string {
  if ([...value].length > MAX_TEXT)
    throw ChatError.invalidParams(`${field} must be at most ${MAX_TEXT} characters`);
  // Control characters other than tab, newline and carriage return.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/u.test(value))
    throw ChatError.invalidParams(`${field} must not contain control characters`);
  return value;
}
