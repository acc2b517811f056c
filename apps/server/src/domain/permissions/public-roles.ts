import type { DomainContext } from '../context.js';

export interface UserInPublicRoles {
  readonly _id: string;
  readonly username: string;
  readonly roles: readonly string[];
}

/** At most this many holders per role: the answer is for badges in a client, not an export. */
const PER_ROLE = 1000;

/**
 * DDP `getUserRoles`: active users who hold a global role shown publicly (one with a description,
 * other than `user`), each with those roles only — what clients use to badge admins and bots.
 */
export async function usersInPublicRoles(ctx: DomainContext): Promise<UserInPublicRoles[]> {
  const roles = (await ctx.store.roles.list()).filter(
    (r) => r.scope === 'Users' && r.id !== 'user' && r.description.trim() !== '',
  );
  const byUser = new Map<string, { username: string; roles: string[] }>();
  for (const role of roles) {
    const { items } = await ctx.store.users.list({ offset: 0, count: PER_ROLE, role: role.id });
    for (const user of items) {
      if (!user.active) continue;
      const entry = byUser.get(user.id) ?? { username: user.username, roles: [] };
      entry.roles.push(role.id);
      byUser.set(user.id, entry);
    }
  }
  return [...byUser].map(([_id, { username, roles: held }]) => ({ _id, username, roles: held }));
}
