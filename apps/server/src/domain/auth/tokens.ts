import { createHash, randomBytes } from 'node:crypto';

/** A fresh bearer token: 32 random bytes, base64url (43 characters), as Meteor issues. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** How tokens are stored: base64(SHA-256(token)), Meteor's `Accounts._hashLoginToken`. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64');
}
