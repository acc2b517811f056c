import { timingSafeEqual } from 'node:crypto';
import { hashToken, newToken } from '../auth/tokens.js';
import type { DomainContext } from '../context.js';
import { ChatError } from '../shared/errors.js';
import { insertUserWithoutPermissionCheck } from '../users/create-user.js';
import type { User } from '../users/user.js';

const SETUP_TOKEN_KEY = 'setup-token-hash';

export interface AdminAccount {
  readonly username: string;
  readonly password: string;
  readonly email?: string;
  readonly name?: string;
}

export type SetupOutcome =
  | { readonly kind: 'ready' }
  | { readonly kind: 'admin-created'; readonly admin: User }
  | { readonly kind: 'awaiting-admin'; readonly setupToken: string };

/**
 * Run at every start. With an admin already present, nothing happens. Otherwise the admin named by
 * the environment is created; failing that, a fresh one-time setup token is issued (only its hash
 * is stored) for the setup wizard. The first visitor never becomes admin.
 */
export async function prepareFirstAdmin(
  ctx: DomainContext,
  fromEnv: AdminAccount | null,
): Promise<SetupOutcome> {
  return ctx.store.transaction(async (tx) => {
    if ((await tx.users.countWithRole('admin')) > 0) {
      await tx.meta.delete(SETUP_TOKEN_KEY);
      return { kind: 'ready' };
    }
    if (fromEnv) {
      const admin = await insertUserWithoutPermissionCheck(ctx, tx, adminUser(fromEnv));
      return { kind: 'admin-created', admin };
    }
    const setupToken = newToken();
    await tx.meta.set(SETUP_TOKEN_KEY, hashToken(setupToken));
    return { kind: 'awaiting-admin', setupToken };
  });
}

/** Whether the wizard still has to create the first admin. */
export async function setupRequired(ctx: DomainContext): Promise<boolean> {
  return (await ctx.store.meta.get(SETUP_TOKEN_KEY)) !== null;
}

/**
 * `POST /api/v1/setup.createAdmin`: the wizard creates the first admin, only with the one-time
 * token printed in the log. The token is spent on success.
 */
export async function createFirstAdmin(
  ctx: DomainContext,
  token: string,
  account: AdminAccount,
): Promise<User> {
  return ctx.store.transaction(async (tx) => {
    const expected = await tx.meta.get(SETUP_TOKEN_KEY);
    if (expected === null || (await tx.users.countWithRole('admin')) > 0) {
      throw ChatError.notAllowed('Setup is already complete');
    }
    if (!sameHash(hashToken(token), expected)) throw ChatError.unauthorized();
    const admin = await insertUserWithoutPermissionCheck(ctx, tx, adminUser(account));
    await tx.meta.delete(SETUP_TOKEN_KEY);
    return admin;
  });
}

/** `parley admin create`: an operator with shell access adds an admin at any time. */
export async function createAdminFromCli(ctx: DomainContext, account: AdminAccount): Promise<User> {
  return ctx.store.transaction(async (tx) => {
    const admin = await insertUserWithoutPermissionCheck(ctx, tx, adminUser(account));
    await tx.meta.delete(SETUP_TOKEN_KEY);
    return admin;
  });
}

function adminUser(account: AdminAccount) {
  return {
    username: account.username,
    name: account.name ?? account.username,
    email: account.email ?? null,
    password: account.password,
    roles: ['admin', 'user'],
    verified: account.email !== undefined,
  };
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
