import type { DomainContext } from '../context.js';
import type { Actor } from '../shared/actor.js';
import type { User } from '../users/user.js';
import { checkSearchText } from './directory.js';
import type { Room } from './room.js';

/** Rocket.Chat's spotlight shows at most this many users and this many rooms. */
export const SPOTLIGHT_LIMIT = 10;

/**
 * `spotlight`: the sidebar's quick search. `@ali` searches users, `#gen` rooms, plain text both.
 * Users are active ones whose username or name matches (`view-outside-room`, else none); rooms are
 * public channels (`view-c-room`) plus the channels and groups the caller is in.
 */
export async function spotlight(
  ctx: DomainContext,
  actor: Actor,
  query: string,
): Promise<{ users: readonly User[]; rooms: readonly Room[] }> {
  const trimmed = query.trim();
  const only = trimmed.startsWith('@') ? 'users' : trimmed.startsWith('#') ? 'rooms' : null;
  const text = checkSearchText(only ? trimmed.slice(1) : trimmed);
  const page = { offset: 0, count: SPOTLIGHT_LIMIT };

  const users =
    only !== 'rooms' && (await ctx.authz.hasPermission(actor, 'view-outside-room'))
      ? (await ctx.store.users.listActive({ ...page, text })).items
      : [];
  const rooms =
    only !== 'users'
      ? (
          await ctx.store.rooms.listVisible({
            ...page,
            text,
            publicTypes: (await ctx.authz.hasPermission(actor, 'view-c-room')) ? ['c'] : [],
            memberTypes: ['c', 'p'],
            memberId: actor.userId,
          })
        ).items
      : [];
  return { users, rooms };
}
