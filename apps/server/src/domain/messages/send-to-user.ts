import type { DomainContext } from '../context.js';
import { createDirectMessage } from '../rooms/direct-messages.js';
import type { Actor } from '../shared/actor.js';
import type { Message } from './message.js';
import { sendMessage, type SendMessageInput } from './send-message.js';

/**
 * `chat.postMessage` with `channel: '@username'`: posts into the DM with that user, opening it as
 * `im.create` would. One transaction: a refused message leaves no new DM behind.
 */
export async function sendToUser(
  ctx: DomainContext,
  actor: Actor,
  username: string,
  input: Omit<SendMessageInput, 'room'>,
): Promise<Message> {
  return ctx.store.transaction(async () => {
    const dm = await createDirectMessage(ctx, actor, { usernames: [username] });
    return sendMessage(ctx, actor, { ...input, room: { roomId: dm.id } });
  });
}
