import type { Tx } from '../ports/store.js';
import { markdownOf } from './markdown.js';
import type { ChannelRef, Mention } from './message.js';

export interface ParsedText {
  readonly md: readonly unknown[];
  readonly mentions: readonly Mention[];
  readonly channels: readonly ChannelRef[];
  /** `@all` or `@here` was written. */
  readonly groupMention: 'all' | 'here' | null;
}

/**
 * Parses `msg` into Rocket.Chat's `md` AST with its own parser, and resolves `@user` and `#room`
 * mentions to users and channels that exist. `@all` and `@here` become mentions of type `user`
 * with ids `all`/`here`, as Rocket.Chat writes them.
 */
export async function parseMessageText(repos: Pick<Tx, 'users' | 'rooms'>, msg: string): Promise<ParsedText> {
  const md = markdownOf(msg);
  const usernames = new Set<string>();
  const channelNames = new Set<string>();
  collect(md, usernames, channelNames);

  const mentions: Mention[] = [];
  let groupMention: 'all' | 'here' | null = null;
  for (const special of ['all', 'here'] as const) {
    if (usernames.has(special)) {
      mentions.push({ _id: special, username: special, type: 'user' });
      groupMention ??= special;
      usernames.delete(special);
    }
  }
  const users = await repos.users.byUsernames([...usernames].slice(0, 100));
  for (const user of users)
    mentions.push({ _id: user.id, username: user.username, name: user.name, type: 'user' });

  const channels: ChannelRef[] = [];
  for (const name of [...channelNames].slice(0, 50)) {
    const room = await repos.rooms.byName(name);
    if (room && room.t === 'c' && room.name) channels.push({ _id: room.id, name: room.name });
  }
  return { md, mentions, channels, groupMention };
}

function collect(node: unknown, usernames: Set<string>, channels: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collect(child, usernames, channels);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const typed = node as { type?: unknown; value?: unknown };
  if (typed.type === 'MENTION_USER' || typed.type === 'MENTION_CHANNEL') {
    const inner = typed.value as { value?: unknown } | undefined;
    if (typeof inner?.value === 'string')
      (typed.type === 'MENTION_USER' ? usernames : channels).add(inner.value);
    return;
  }
  if (typed.type === 'CODE' || typed.type === 'INLINE_CODE') return;
  collect(typed.value, usernames, channels);
}
