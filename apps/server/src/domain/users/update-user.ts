import { hashPassword } from '../auth/passwords.js';
import type { DomainContext } from '../context.js';
import { emit, roleChanged, sessionsRevoked, userChanged } from '../events/emit.js';
import { UniqueViolation, type Tx } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import { checkEmail, checkName, checkPassword, checkUsername } from './account-rules.js';
import { ensureAnotherActiveAdmin } from './last-admin.js';
import { propagateRename } from './propagate-rename.js';
import type { User, UserPatch } from './user.js';

export interface UpdateUserData {
  readonly email?: string;
  readonly name?: string;
  readonly username?: string;
  readonly password?: string;
  readonly active?: boolean;
  readonly roles?: readonly string[];
  readonly verified?: boolean;
  readonly requirePasswordChange?: boolean;
  readonly nickname?: string;
  readonly bio?: string;
  readonly statusText?: string;
  readonly customFields?: Readonly<Record<string, string>>;
}

/**
 * `users.update`: an administrator edits an account. Each part needs its own permission:
 * profile fields `edit-other-user-info`, password `edit-other-user-password`, active state
 * `edit-other-user-active-status`, roles `assign-roles`.
 */
export async function updateUser(
  ctx: DomainContext,
  actor: Actor,
  userId: UserId,
  data: UpdateUserData,
): Promise<User> {
  await ctx.authz.require(actor, 'edit-other-user-info');
  if (data.password !== undefined) await ctx.authz.require(actor, 'edit-other-user-password');
  if (data.active !== undefined) await ctx.authz.require(actor, 'edit-other-user-active-status');
  if (data.roles !== undefined) await ctx.authz.require(actor, 'assign-roles');

  const patch = await validatedPatch(ctx, data);
  return ctx.store.transaction(async (tx) => {
    const user = await tx.users.byId(userId);
    if (!user) throw ChatError.userNotFound();
    if (data.roles !== undefined && data.roles.includes('admin') !== user.roles.includes('admin')) {
      await ctx.authz.require(actor, 'assign-admin-role');
    }
    if (data.active === false || (data.roles !== undefined && !data.roles.includes('admin'))) {
      if (user.roles.includes('admin')) await ensureAnotherActiveAdmin(tx, user.id);
    }
    const updated = await applyUserPatch(ctx, tx, user, patch);
    if (data.roles !== undefined) await replaceRoles(ctx, tx, updated, data.roles);
    let revoked = 0;
    if (data.active === false || data.password !== undefined)
      revoked += await tx.tokens.deleteLoginTokensOfUser(user.id);
    if (data.active === false) revoked += await tx.tokens.deleteAllOfUser(user.id);
    if (revoked > 0) await emit(tx, ctx.clock.now(), sessionsRevoked(user.id));
    return (await tx.users.byId(user.id)) ?? updated;
  });
}

async function validatedPatch(ctx: DomainContext, data: UpdateUserData): Promise<UserPatch> {
  const patch: { -readonly [K in keyof UserPatch]: UserPatch[K] } = {};
  if (data.username !== undefined) patch.username = checkUsername(ctx.settings, data.username);
  if (data.name !== undefined) patch.name = checkName(data.name);
  if (data.email !== undefined) {
    patch.email = checkEmail(data.email);
    patch.emailVerified = data.verified ?? false;
  } else if (data.verified !== undefined) {
    patch.emailVerified = data.verified;
  }
  if (data.password !== undefined)
    patch.passwordHash = await hashPassword(checkPassword(ctx.settings, data.password));
  if (data.active !== undefined) patch.active = data.active;
  if (data.requirePasswordChange !== undefined) patch.requirePasswordChange = data.requirePasswordChange;
  if (data.nickname !== undefined) patch.nickname = data.nickname.trim();
  if (data.bio !== undefined) patch.bio = data.bio;
  if (data.statusText !== undefined) patch.statusText = data.statusText.trim();
  if (data.customFields !== undefined) patch.customFields = data.customFields;
  return patch;
}

/** Writes `patch`, turning a taken username or email into a 400. Call inside `store.transaction`. */
export async function applyUserPatch(
  ctx: DomainContext,
  tx: Tx,
  user: User,
  patch: UserPatch,
): Promise<User> {
  if (patch.username !== undefined && patch.username.toLowerCase() !== user.username.toLowerCase()) {
    if (await tx.users.byUsername(patch.username)) throw ChatError.duplicate('username', patch.username);
  }
  if (patch.email && patch.email.toLowerCase() !== user.email?.toLowerCase()) {
    if (await tx.users.byEmail(patch.email)) throw ChatError.duplicate('email', patch.email);
  }
  try {
    const now = ctx.clock.now();
    const updated = await tx.users.update(user.id, patch, now);
    if (!updated) throw ChatError.userNotFound();
    await emit(tx, now, userChanged(user, updated));
    await propagateRename(ctx, tx, user, updated);
    return updated;
  } catch (error) {
    if (error instanceof UniqueViolation) {
      throw error.key.startsWith('email')
        ? ChatError.duplicate('email', patch.email ?? '')
        : ChatError.duplicate('username', patch.username ?? '');
    }
    throw error;
  }
}

async function replaceRoles(ctx: DomainContext, tx: Tx, user: User, roles: readonly string[]): Promise<void> {
  const wanted = new Set(roles);
  for (const role of wanted) {
    if (!(await tx.roles.byId(role))) throw ChatError.roleNotFound(role);
  }
  const now = ctx.clock.now();
  const change = async (roleId: string, added: boolean) => {
    await (added ? tx.users.addRole(user.id, roleId, now) : tx.users.removeRole(user.id, roleId, now));
    await emit(tx, now, roleChanged({ user, roleId, change: added ? 'added' : 'removed', scope: null }));
  };
  for (const role of user.roles) if (!wanted.has(role)) await change(role, false);
  for (const role of wanted) if (!user.roles.includes(role)) await change(role, true);
}
