import type { DomainContext } from '../context.js';
import { readableRoom } from '../rooms/room-access.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { MessageId } from '../shared/ids.js';
import type { Message } from './message.js';

/**
 * Loads a live message the actor may read: its room must be readable to them. A message in a
 * room they cannot see is "not found", never "forbidden".
 */
export async function readableMessage(ctx: DomainContext, actor: Actor, id: MessageId): Promise<Message> {
  const message = await ctx.store.messages.byId(id);
  if (!message || message.deletedAt !== null) throw ChatError.messageNotFound();
  try {
    await readableRoom(ctx, actor, { roomId: message.rid });
  } catch {
    throw ChatError.messageNotFound();
  }
  return message;
}

/** `chat.getMessage`. */
export async function getMessage(ctx: DomainContext, actor: Actor, id: MessageId): Promise<Message> {
  return readableMessage(ctx, actor, id);
}
