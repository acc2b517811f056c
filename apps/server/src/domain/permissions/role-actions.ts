import type { DomainContext } from '../context.js';
import { emit, roleChanged } from '../events/emit.js';
import type { Paged, Page } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import { ensureAnotherActiveAdmin } from '../users/last-admin.js';
import type { User } from '../users/user.js';
import type { Role } from './role.js';

/** `roles.list` and `roles.sync`: any logged-in user may read the roles. */
export async function listRoles(ctx: DomainContext, updatedSince?: number): Promise<readonly Role[]> {
  return updatedSince === undefined ? ctx.store.roles.list() : ctx.store.roles.updatedSince(updatedSince);
}

export interface RoleAssignment {
  readonly role: string;
  readonly username: string;
  readonly roomId?: string;
}

async function resolveAssignment(
  ctx: DomainContext,
  actor: Actor,
  input: RoleAssignment,
): Promise<{ role: Role; user: User }> {
  await ctx.authz.require(actor, 'access-permissions');
  const role = await ctx.store.roles.byIdOrName(input.role);
  if (!role) throw ChatError.roleNotFound(input.role);
  if (role.scope !== 'Users' || input.roomId !== undefined) {
    // Room-scoped roles (owner, moderator, leader) are given through the room endpoints.
    throw ChatError.invalid(
      'error-invalid-role-scope',
      `Role "${role.id}" is given inside a room, not globally`,
    );
  }
  // Making or unmaking an administrator is a permission of its own, as in Rocket.Chat.
  if (role.id === 'admin') await ctx.authz.require(actor, 'assign-admin-role');
  const user = await ctx.store.users.byUsername(input.username);
  if (!user) throw ChatError.userNotFound();
  return { role, user };
}

/** `roles.addUserToRole`: gives a global role. Needs `access-permissions`. */
export async function addUserToRole(ctx: DomainContext, actor: Actor, input: RoleAssignment): Promise<Role> {
  const { role, user } = await resolveAssignment(ctx, actor, input);
  if (user.roles.includes(role.id)) {
    throw ChatError.invalid('error-user-already-in-role', `User is already in role "${role.id}"`);
  }
  await ctx.store.transaction(async (tx) => {
    const now = ctx.clock.now();
    await tx.users.addRole(user.id, role.id, now);
    await emit(tx, now, roleChanged({ user, roleId: role.id, change: 'added', scope: null }));
  });
  return role;
}

/** `roles.removeUserFromRole`: takes a global role away; never the last admin's admin role. */
export async function removeUserFromRole(
  ctx: DomainContext,
  actor: Actor,
  input: RoleAssignment,
): Promise<Role> {
  const { role, user } = await resolveAssignment(ctx, actor, input);
  if (!user.roles.includes(role.id))
    throw ChatError.invalid('error-user-not-in-role', 'User is not in this role');
  await ctx.store.transaction(async (tx) => {
    if (role.id === 'admin') await ensureAnotherActiveAdmin(tx, user.id);
    const now = ctx.clock.now();
    await tx.users.removeRole(user.id, role.id, now);
    await emit(tx, now, roleChanged({ user, roleId: role.id, change: 'removed', scope: null }));
  });
  return role;
}

/** `roles.getUsersInRole`: who holds a global role. Needs `access-permissions`. */
export async function getUsersInRole(
  ctx: DomainContext,
  actor: Actor,
  input: { role: string; roomId?: string; page: Page },
): Promise<Paged<User>> {
  await ctx.authz.require(actor, 'access-permissions');
  const role = await ctx.store.roles.byIdOrName(input.role);
  if (!role) throw ChatError.roleNotFound(input.role);
  if (input.roomId !== undefined) {
    throw ChatError.invalid(
      'error-invalid-role-scope',
      `Room members by role are listed through the room endpoints`,
    );
  }
  return ctx.store.users.list({ ...input.page, role: role.id });
}
