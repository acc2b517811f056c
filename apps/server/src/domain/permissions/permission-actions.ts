import type { DomainContext } from '../context.js';
import { toLogged, type DomainEvent } from '../events/events.js';
import { emit } from '../events/emit.js';
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
    const before = new Map<string, Permission>();
    for (const change of changes) {
      const permission = await tx.permissions.byId(change._id);
      if (!permission) throw ChatError.permissionNotFound(change._id);
      before.set(permission.id, permission);
      for (const role of change.roles) {
        if (!(await tx.roles.byId(role))) throw ChatError.roleNotFound(role);
      }
    }
    for (const change of changes) await tx.permissions.setRoles(change._id, [...new Set(change.roles)], now);
    const after = await tx.permissions.list();
    // One event per permission whose roles changed; rewriting the same roles tells nobody.
    const changed = after.filter((p) => {
      const old = before.get(p.id);
      return old !== undefined && !sameRoles(old.roles, p.roles);
    });
    await emit(
      tx,
      now,
      ...changed.map((p): DomainEvent => ({
        type: 'permission.changed',
        audience: toLogged,
        permissionId: p.id,
        roles: p.roles,
        updatedAt: p.updatedAt,
      })),
    );
    return after;
  });
  for (const permission of written) ctx.authz.replaceAfterCommit(permission);
  return written;
}

function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((role) => set.has(role));
}
