import type { DomainContext } from '../context.js';
import type { Page, Paged } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { User } from '../users/user.js';
import type { Room } from './room.js';

/** Search text longer than this is refused: no name is that long, and LIKE work grows with it. */
export const MAX_SEARCH_TEXT = 200;

export type DirectoryQuery = Page & {
  readonly text: string;
} & (
    | {
        readonly type: 'users';
        readonly sort?: { readonly field: 'username' | 'name' | 'createdAt'; readonly direction: 1 | -1 };
      }
    | {
        readonly type: 'channels';
        readonly sort?: {
          readonly field: 'name' | 'createdAt' | 'usersCount' | 'lastMessageAt';
          readonly direction: 1 | -1;
        };
      }
    | { readonly type: 'teams' }
  );

export type DirectoryResult =
  | { readonly type: 'users'; readonly page: Paged<User>; readonly showEmails: boolean }
  | { readonly type: 'channels'; readonly page: Paged<Room> }
  | { readonly type: 'teams'; readonly page: Paged<never> };

/**
 * `directory`: searches active users (`view-outside-room`; never the caller, as in Rocket.Chat's
 * `browseChannels`) or channels (`view-c-room`: every public channel plus the caller's private
 * groups) by a case-insensitive substring of the name. Emails only for `view-full-other-user-info`.
 * Parley has no teams, so a teams search finds none.
 */
export async function searchDirectory(
  ctx: DomainContext,
  actor: Actor,
  query: DirectoryQuery,
): Promise<DirectoryResult> {
  const text = checkSearchText(query.text);
  const page = { offset: query.offset, count: query.count };
  switch (query.type) {
    case 'users': {
      await ctx.authz.require(actor, 'view-outside-room');
      const users = await ctx.store.users.listActive({
        ...page,
        text,
        exceptIds: [actor.userId],
        ...(query.sort ? { sort: query.sort } : {}),
      });
      const showEmails = await ctx.authz.hasPermission(actor, 'view-full-other-user-info');
      return { type: 'users', page: users, showEmails };
    }
    case 'channels': {
      await ctx.authz.require(actor, 'view-c-room');
      const rooms = await ctx.store.rooms.listVisible({
        ...page,
        text,
        publicTypes: ['c'],
        memberTypes: ['p'],
        memberId: actor.userId,
        ...(query.sort ? { sort: query.sort } : {}),
      });
      return { type: 'channels', page: rooms };
    }
    case 'teams':
      return { type: 'teams', page: { items: [], total: 0 } };
  }
}

/** Trims search text and refuses what no name could match: overlong text or control characters. */
export function checkSearchText(raw: string): string {
  const text = raw.trim();
  if ([...text].length > MAX_SEARCH_TEXT)
    throw ChatError.invalidParams(`text must be at most ${MAX_SEARCH_TEXT} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/u.test(text))
    throw ChatError.invalidParams('text must not contain control characters');
  return text;
}
