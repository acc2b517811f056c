import type { DomainContext } from '../context.js';
import type { Tx } from '../ports/store.js';
import { readableRoom } from '../rooms/room-access.js';
import type { Room } from '../rooms/room.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { MessageId, RoomId } from '../shared/ids.js';
import type { Subscription } from '../subscriptions/subscription.js';
import type { Message, UserRef } from './message.js';

export interface MessageView {
  readonly message: Message;
  readonly room: Room;
  /** The actor's membership in the message's room, when they are a member. */
  readonly subscription: Subscription | null;
}

/**
 * A live message the actor may read, with its room and the actor's membership. A deleted message,
 * or one in a room the actor cannot see, is `error-message-not-found`: existence is not revealed.
 *
 * Permission checks (`ctx.authz`) go outside `store.transaction`: on SQLite the one connection is
 * held by the transaction, and the authorizer's room-role lookup would wait for it forever.
 */
export async function loadReadableMessage(
  ctx: DomainContext,
  actor: Actor,
  id: MessageId,
  repos: Pick<Tx, 'messages' | 'rooms' | 'subscriptions'> = ctx.store,
): Promise<MessageView> {
  const message = await repos.messages.byId(id);
  if (!message || message.deletedAt !== null) throw ChatError.messageNotFound();
  try {
    const { room, subscription } = await readableRoom(ctx, actor, { roomId: message.rid }, repos);
    return { message, room, subscription };
  } catch {
    throw ChatError.messageNotFound();
  }
}

/** Like `loadReadableMessage`, but the caller also named the room: a different room is a 400. */
export async function loadReadableMessageInRoom(
  ctx: DomainContext,
  actor: Actor,
  input: { readonly roomId: RoomId; readonly msgId: MessageId },
): Promise<MessageView> {
  const view = await loadReadableMessage(ctx, actor, input.msgId);
  if (view.message.rid !== input.roomId) {
    throw ChatError.invalid(
      'error-invalid-room',
      'The room id provided does not match where the message is from.',
    );
  }
  return view;
}

/** Re-reads the message inside the transaction: a concurrent delete turns the write into "not found". */
export async function liveMessage(tx: Tx, id: MessageId): Promise<Message> {
  const message = await tx.messages.byId(id);
  if (!message || message.deletedAt !== null) throw ChatError.messageNotFound();
  return message;
}

/** The actor as messages record them (`editedBy`, `pinnedBy`). */
export async function actorRef(tx: Pick<Tx, 'users'>, actor: Actor): Promise<UserRef> {
  const user = await tx.users.byId(actor.userId);
  if (!user) throw ChatError.notLoggedIn();
  return { _id: user.id, username: user.username, name: user.name };
}

/** Muted users change nothing in the room; read-only rooms only for holders of `bypass`. */
export async function ensureMayActInRoom(
  ctx: DomainContext,
  actor: Actor,
  room: Room,
  readOnlyBypass: 'post-readonly' | 'set-react-when-readonly',
): Promise<void> {
  if (room.archived) throw ChatError.roomArchived();
  if (room.muted.includes(actor.username))
    throw ChatError.invalid('error-user-muted', 'You have been muted in this room');
  if (room.readOnly && !(await ctx.authz.hasPermission(actor, readOnlyBypass, room.id)))
    throw ChatError.invalid('error-room-read-only', 'This room is read only');
}

/** Whether `minutes` (0 = never) have passed since `ts`, unless the actor may bypass the limit. */
export async function pastTimeLimit(
  ctx: DomainContext,
  actor: Actor,
  options: { readonly room: Room; readonly ts: number; readonly minutes: number },
): Promise<boolean> {
  if (!(options.minutes > 0)) return false;
  if (ctx.clock.now() - options.ts < options.minutes * 60_000) return false;
  return !(await ctx.authz.hasPermission(actor, 'bypass-time-limit-edit-and-delete', options.room.id));
}
