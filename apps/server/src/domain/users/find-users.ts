import type { DomainContext } from '../context.js';
import type { Paged, UserListQuery } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';
import type { User } from './user.js';

/** What the viewer may see of other users: private fields need `view-full-other-user-info`. */
export interface UserView {
  readonly user: User;
  readonly full: boolean;
}

/** `users.info`: one user by id or username. */
export async function getUserInfo(
  ctx: DomainContext,
  actor: Actor,
  key: { userId: UserId } | { username: string },
): Promise<UserView> {
  const user =
    'userId' in key ? await ctx.store.users.byId(key.userId) : await ctx.store.users.byUsername(key.username);
  if (!user) throw ChatError.userNotFound();
  const full =
    user.id === actor.userId || (await ctx.authz.hasPermission(actor, 'view-full-other-user-info'));
  return { user, full };
}

/** `users.list`: the directory of accounts, for those holding `view-d-room` or user administration. */
export async function listUsers(
  ctx: DomainContext,
  actor: Actor,
  query: UserListQuery,
): Promise<Paged<User> & { readonly full: boolean }> {
  const admin = await ctx.authz.hasPermission(actor, 'view-user-administration');
  if (!admin && !(await ctx.authz.hasPermission(actor, 'view-d-room'))) throw ChatError.unauthorized();
  const page = await ctx.store.users.list(query);
  const full = admin || (await ctx.authz.hasPermission(actor, 'view-full-other-user-info'));
  return { ...page, full };
}
