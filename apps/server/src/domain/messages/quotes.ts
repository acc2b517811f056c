import type { DomainContext } from '../context.js';
import type { Tx } from '../ports/store.js';
import { readableRoom } from '../rooms/room-access.js';
import type { Actor } from '../shared/actor.js';
import type { MessageId } from '../shared/ids.js';
import type { Message } from './message.js';

/** At most this many links in one message become quotes. */
const MAX_QUOTES = 5;
const URL_PATTERN = /https?:\/\/[^\s<>()]+/gi;
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The attachment Rocket.Chat shows for a quoted or pinned message (`MessageQuoteAttachment`):
 * author, text, time and a link back. Quotes inside the quoted message are left out, so quoting a
 * quote does not nest without end.
 */
export function quoteOf(message: Message, messageLink?: string): Record<string, unknown> {
  const inner = message.attachments.filter((a) => a.message_link === undefined);
  return {
    text: message.msg,
    author_name: message.alias ?? message.u.username,
    author_icon: `/avatar/${message.u.username}`,
    ...(messageLink !== undefined ? { message_link: messageLink } : {}),
    ts: new Date(message.ts).toISOString(),
    ...(inner.length > 0 ? { attachments: inner } : {}),
    ...(message.md.length > 0 ? { md: message.md } : {}),
  };
}

/**
 * Quotes for the permalinks in `text`: Rocket.Chat's permalink is `<site>/<room path>?msg=<id>`,
 * and a link of that form to a message the actor may read becomes a quote attachment (the
 * `jumpToMessage` hook in Rocket.Chat). Missing, deleted and unreadable targets are ignored, so a
 * link never reveals whether a message exists.
 */
export async function quoteAttachments(
  ctx: DomainContext,
  repos: Pick<Tx, 'messages' | 'rooms' | 'subscriptions'>,
  actor: Actor,
  text: string,
): Promise<Record<string, unknown>[]> {
  const links = new Map<string, string>();
  for (const match of text.matchAll(URL_PATTERN)) {
    const id = messageIdOf(match[0]);
    if (id !== null && !links.has(id)) links.set(id, match[0]);
    if (links.size >= MAX_QUOTES) break;
  }
  const quotes: Record<string, unknown>[] = [];
  for (const [id, link] of links) {
    const message = await repos.messages.byId(id as MessageId);
    if (!message || message.deletedAt !== null) continue;
    try {
      await readableRoom(ctx, actor, { roomId: message.rid }, repos);
    } catch {
      continue;
    }
    quotes.push(quoteOf(message, link));
  }
  return quotes;
}

function messageIdOf(link: string): string | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  const id = url.searchParams.get('msg');
  return id !== null && ID_PATTERN.test(id) ? id : null;
}
