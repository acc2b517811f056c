import type { DomainContext } from '../context.js';
import { emit, sessionsRevoked } from '../events/emit.js';
import { UniqueViolation } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { DeviceId } from '../shared/ids.js';
import type { LoginToken } from './login-token.js';
import { hashToken, newToken } from './tokens.js';

const MAX_NAME = 100;

const tokenExists = () =>
  ChatError.invalid('error-token-already-exists', 'A token with this name already exists');

function checkTokenName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NAME || /\p{Cc}/u.test(trimmed)) {
    throw ChatError.invalidParams(`tokenName must be 1 to ${MAX_NAME} printable characters`);
  }
  return trimmed;
}

/**
 * `users.generatePersonalAccessToken`: a named, long-lived token for scripts and bots. The plain
 * token is returned once and only its hash is kept.
 */
export async function generatePersonalAccessToken(
  ctx: DomainContext,
  actor: Actor,
  input: { tokenName: string; bypassTwoFactor?: boolean },
): Promise<string> {
  await ctx.authz.require(actor, 'create-personal-access-tokens');
  const name = checkTokenName(input.tokenName);
  return ctx.store.transaction(async (tx) => {
    if (await tx.tokens.personalByName(actor.userId, name)) {
      throw tokenExists();
    }
    const token = newToken();
    try {
      await tx.tokens.insert(personalToken(ctx, actor, name, token, input.bypassTwoFactor ?? false));
    } catch (error) {
      // Two requests racing for one name: the second loses the unique index, not the check above.
      if (error instanceof UniqueViolation) throw tokenExists();
      throw error;
    }
    return token;
  });
}

/** `users.regeneratePersonalAccessToken`: replaces the named token; the old one stops working. */
export async function regeneratePersonalAccessToken(
  ctx: DomainContext,
  actor: Actor,
  tokenName: string,
): Promise<string> {
  await ctx.authz.require(actor, 'create-personal-access-tokens');
  const name = checkTokenName(tokenName);
  return ctx.store.transaction(async (tx) => {
    const existing = await tx.tokens.personalByName(actor.userId, name);
    if (!existing) throw ChatError.invalid('not-authorized', 'Invalid token');
    await tx.tokens.deleteByHash(existing.hash);
    const token = newToken();
    await tx.tokens.insert(personalToken(ctx, actor, name, token, existing.bypassTwoFactor));
    await emit(tx, ctx.clock.now(), sessionsRevoked(actor.userId));
    return token;
  });
}

export async function listPersonalAccessTokens(
  ctx: DomainContext,
  actor: Actor,
): Promise<readonly LoginToken[]> {
  await ctx.authz.require(actor, 'create-personal-access-tokens');
  return ctx.store.tokens.personalOfUser(actor.userId);
}

export async function removePersonalAccessToken(
  ctx: DomainContext,
  actor: Actor,
  tokenName: string,
): Promise<void> {
  await ctx.authz.require(actor, 'create-personal-access-tokens');
  const name = checkTokenName(tokenName);
  await ctx.store.transaction(async (tx) => {
    const existing = await tx.tokens.personalByName(actor.userId, name);
    if (!existing) throw ChatError.invalid('not-authorized', 'Invalid token');
    await tx.tokens.deleteByHash(existing.hash);
    await emit(tx, ctx.clock.now(), sessionsRevoked(actor.userId));
  });
}

function personalToken(
  ctx: DomainContext,
  actor: Actor,
  name: string,
  token: string,
  bypassTwoFactor: boolean,
): LoginToken {
  return {
    hash: hashToken(token),
    userId: actor.userId,
    deviceId: ctx.ids.next() as DeviceId,
    kind: 'personal',
    name,
    lastTokenPart: token.slice(-6),
    bypassTwoFactor,
    createdAt: ctx.clock.now(),
  };
}
