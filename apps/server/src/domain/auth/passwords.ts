import { createHash } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

/** `Algorithm.Argon2id`; the package exports a const enum, which isolated modules cannot read. */
const ARGON2ID = 2 as Algorithm;

/**
 * Rocket.Chat clients may send a password as `{ digest, algorithm: 'sha-256' }`: the hex SHA-256
 * of the plain text. Meteor stores bcrypt(digest); Parley stores Argon2id(digest), so the plain and
 * the digest forms both verify against one hash.
 */
export type PasswordInput = string | { readonly digest: string; readonly algorithm: 'sha-256' };

export function passwordDigest(input: PasswordInput): string {
  if (typeof input === 'string') return createHash('sha256').update(input, 'utf8').digest('hex');
  return input.digest.toLowerCase();
}

export async function hashPassword(plain: string): Promise<string> {
  return hash(passwordDigest(plain), { algorithm: ARGON2ID });
}

let decoy: Promise<string> | undefined;

/**
 * True when `input` matches `passwordHash`. With no hash (no such user, or no password), it checks
 * against a decoy so that the answer takes as long as a real check and says nothing by its timing.
 */
export async function verifyPassword(passwordHash: string | null, input: PasswordInput): Promise<boolean> {
  decoy ??= hash('decoy', { algorithm: ARGON2ID });
  const target = passwordHash ?? (await decoy);
  try {
    const ok = await verify(target, passwordDigest(input));
    return ok && passwordHash !== null;
  } catch {
    return false;
  }
}
