import type { DomainContext } from '../context.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { MessageId, RoomId, UserId } from '../shared/ids.js';
import { loadReadableMessage } from './message-access.js';
import type { UserRef } from './message.js';

export interface ReadReceipt {
  readonly id: string;
  readonly roomId: RoomId;
  readonly userId: UserId;
  readonly messageId: MessageId;
  /** When the reader last marked the room read (their `ls`), at or after the message. */
  readonly ts: number;
  readonly user: UserRef;
}

/**
 * `chat.getMessageReadReceipts` (an Enterprise feature in Rocket.Chat; free in Parley): who has
 * read the message, derived from each member's last-seen time rather than stored per message.
 * The author is left out. Off when `Message_Read_Receipt_Enabled` is off or the room opted out.
 */
export async function messageReadReceipts(
  ctx: DomainContext,
  actor: Actor,
  messageId: MessageId,
): Promise<readonly ReadReceipt[]> {
  if (!ctx.settings.bool('Message_Read_Receipt_Enabled'))
    throw ChatError.actionNotAllowed('Read receipts are disabled', 'Read_receipts');
  const { message, room } = await loadReadableMessage(ctx, actor, messageId);
  if (!room.readReceipts)
    throw ChatError.actionNotAllowed('Read receipts are disabled in this room', 'Read_receipts');

  const readers = (await ctx.store.subscriptions.seenSince(room.id, message.ts)).filter(
    (s) => s.userId !== message.u._id && s.ls !== null && s.joinedAt <= message.ts,
  );
  const users = new Map((await ctx.store.users.byIds(readers.map((s) => s.userId))).map((u) => [u.id, u]));
  return readers.map((s) => {
    const user = users.get(s.userId);
    return {
      id: `${message.id}-${s.userId}`,
      roomId: room.id,
      userId: s.userId,
      messageId: message.id,
      ts: s.ls ?? message.ts,
      user: { _id: s.userId, username: user?.username ?? s.username, name: user?.name ?? s.username },
    };
  });
}
