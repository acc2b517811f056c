import type { PermissionRepo, RoleRepo } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { RoomId, UserId } from '../shared/ids.js';
import { BUILT_IN_ROLES, DEFAULT_PERMISSIONS } from './catalogue.js';
import type { Permission } from './role.js';

/** The roles a user holds inside one room (owner, moderator, leader), from its subscription. */
export type RoomRoleLookup = (userId: UserId, roomId: RoomId) => Promise<readonly string[]>;

/**
 * The one place the domain decides permissions. Rocket.Chat's model: a permission lists the roles
 * that hold it; a user holds global roles, plus room-scoped roles inside a room.
 */
export interface Authorizer {
  hasPermission(actor: Actor, permission: string, roomId?: RoomId): Promise<boolean>;
  /** Throws `ChatError.unauthorized()` (403) unless the actor holds `permission`. */
  require(actor: Actor, permission: string, roomId?: RoomId): Promise<void>;
  /** The permission catalogue as cached; call `replaceAfterCommit` after writing one. */
  permission(id: string): Permission | undefined;
  replaceAfterCommit(permission: Permission): void;
}

export async function seedRolesAndPermissions(
  repos: { roles: RoleRepo; permissions: PermissionRepo },
  now: number,
): Promise<void> {
  for (const role of BUILT_IN_ROLES) {
    const existing = await repos.roles.byId(role.id);
    if (existing) continue;
    await repos.roles.upsert({
      ...role,
      name: role.id,
      protected: true,
      mandatory2fa: false,
      updatedAt: now,
    });
  }
  for (const permission of DEFAULT_PERMISSIONS) {
    await repos.permissions.insertIfAbsent({ ...permission, updatedAt: now });
  }
}

export async function createAuthorizer(options: {
  permissions: PermissionRepo;
  roomRoles: RoomRoleLookup;
}): Promise<Authorizer> {
  const byId = new Map<string, Permission>((await options.permissions.list()).map((p) => [p.id, p]));

  async function hasPermission(actor: Actor, permission: string, roomId?: RoomId): Promise<boolean> {
    const granted = byId.get(permission)?.roles;
    if (!granted || granted.length === 0) return false;
    if (actor.roles.some((role) => granted.includes(role))) return true;
    if (roomId === undefined) return false;
    const inRoom = await options.roomRoles(actor.userId, roomId);
    return inRoom.some((role) => granted.includes(role));
  }

  return {
    hasPermission,
    async require(actor, permission, roomId) {
      if (!(await hasPermission(actor, permission, roomId))) throw ChatError.unauthorized();
    },
    permission: (id) => byId.get(id),
    replaceAfterCommit: (permission) => void byId.set(permission.id, permission),
  };
}
