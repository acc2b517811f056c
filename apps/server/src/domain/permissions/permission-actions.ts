import type { DomainContext } from '../context.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { Permission } from './role.js';

/** `permissions.listAll`: every permission, or those changed after `updatedSince`. */
export async function listPermissions(
  ctx: DomainContext,
  updatedSince?: number,
): Promise<readonly Permission[]> {
  return updatedSince === undefined
    ? ctx.store.permissions.list()
    : ctx.store.permissions.updatedSince(updatedSince);
}

/**
 * `permissions.update`: sets which roles hold each named permission. Needs `access-permissions`.
 * Every permission and role must exist; nothing is written unless all do.
 */
export async function updatePermissions(
  ctx: DomainContext,
  actor: Actor,
  changes: readonly { _id: string; roles: readonly string[] }[],
): Promise<readonly Permission[]> {
  await ctx.authz.require(actor, 'access-permissions');
  if (changes.length === 0) throw ChatError.invalidParams('permissions must not be empty');
  const now = ctx.clock.now();
  const written = await ctx.store.transaction(async (tx) => {
    for (const change of changes) {
      if (!(await tx.permissions.byId(change._id))) throw ChatError.permissionNotFound(change._id);
      for (const role of change.roles) {
        if (!(await tx.roles.byId(role))) throw ChatError.roleNotFound(role);
      }
    }
    for (const change of changes) await tx.permissions.setRoles(change._id, [...new Set(change.roles)], now);
    return tx.permissions.list();
  });
  for (const permission of written) ctx.authz.replaceAfterCommit(permission);
  return written;
}
