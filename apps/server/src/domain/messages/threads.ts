import type { DomainContext } from '../context.js';
import type { Page, Paged } from '../ports/store.js';
import { readableRoom } from '../rooms/room-access.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { MessageId, RoomId } from '../shared/ids.js';
import { loadReadableMessage } from './message-access.js';
import type { Message } from './message.js';

export type ThreadFilter = 'all' | 'following' | 'unread';

export function ensureThreadsEnabled(ctx: DomainContext): void {
  if (!ctx.settings.bool('Threads_enabled')) throw ChatError.notAllowed('Threads are disabled');
}

/**
 * `chat.getThreadsList`: the room's thread parents, most recent reply first. `following` keeps the
 * threads the caller follows (`replies`), `unread` those in the caller's `tunread`; `text` is a
 * case-insensitive substring of the parent's text.
 */
export async function listThreads(
  ctx: DomainContext,
  actor: Actor,
  input: Page & { readonly roomId: RoomId; readonly type?: ThreadFilter; readonly text?: string },
): Promise<Paged<Message>> {
  ensureThreadsEnabled(ctx);
  const { room, subscription } = await readableRoom(ctx, actor, { roomId: input.roomId });
  return ctx.store.messages.find({
    roomId: room.id,
    threadsOnly: true,
    order: 'newest',
    offset: input.offset,
    count: input.count,
    ...(input.type === 'following' ? { followedBy: actor.userId } : {}),
    ...(input.type === 'unread' ? { ids: subscription?.tunread ?? [] } : {}),
    ...(input.text !== undefined && input.text !== '' ? { text: input.text } : {}),
  });
}

/** `chat.getThreadMessages`: a thread's replies, oldest first (the parent is not among them). */
export async function threadMessages(
  ctx: DomainContext,
  actor: Actor,
  input: Page & { readonly tmid: MessageId },
): Promise<Paged<Message>> {
  ensureThreadsEnabled(ctx);
  const { message: parent } = await loadReadableMessage(ctx, actor, input.tmid);
  return ctx.store.messages.find({
    roomId: parent.rid,
    threadOf: parent.id,
    order: 'oldest',
    offset: input.offset,
    count: input.count,
  });
}

/** `chat.syncThreadMessages`: replies changed and deleted after `since`. */
export async function syncThreadMessages(
  ctx: DomainContext,
  actor: Actor,
  input: { readonly tmid: MessageId; readonly since: number; readonly count: number },
): Promise<{ update: readonly Message[]; remove: readonly Message[] }> {
  ensureThreadsEnabled(ctx);
  const { message: parent } = await loadReadableMessage(ctx, actor, input.tmid);
  const page = { offset: 0, count: input.count };
  const update = await ctx.store.messages.updatedSince(parent.rid, input.since, page, parent.id);
  const remove = await ctx.store.messages.deletedSince(parent.rid, input.since, page, parent.id);
  return { update, remove: remove.items };
}
