import type { DomainContext } from '../context.js';
import { emit, messageSaved } from '../events/emit.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { MessageId } from '../shared/ids.js';
import { actorRef, ensureMayActInRoom, liveMessage, loadReadableMessage } from './message-access.js';
import type { Reactions } from './message.js';

export interface ReactInput {
  readonly messageId: MessageId;
  /** `:name:` or `name`; stored as `:name:`. */
  readonly emoji: string;
  /** Adds (true) or removes (false); toggles when absent, as Rocket.Chat does. */
  readonly shouldReact?: boolean;
}

const EMOJI = /^:?([a-z0-9_+-]{1,64}):?$/;

/** `:thumbsup:` from `thumbsup` or `:thumbsup:`; anything else is `error-invalid-emoji`. */
export function normaliseEmoji(raw: string): string {
  const name = EMOJI.exec(raw)?.[1];
  if (name === undefined) throw ChatError.invalid('error-invalid-emoji', 'Invalid emoji provided.');
  return `:${name}:`;
}

/**
 * `chat.react`: adds or removes the caller's reaction. Reactions keep the usernames and, in the
 * same order, the display names (Rocket.Chat shows names when `UI_Use_Real_Name` is on).
 * A read-only room takes reactions only from holders of `set-react-when-readonly`.
 */
export async function reactToMessage(ctx: DomainContext, actor: Actor, input: ReactInput): Promise<void> {
  const emoji = normaliseEmoji(input.emoji);
  const { message, room } = await loadReadableMessage(ctx, actor, input.messageId);
  await ensureMayActInRoom(ctx, actor, room, 'set-react-when-readonly');

  await ctx.store.transaction(async (tx) => {
    const current = await liveMessage(tx, message.id);
    const me = await actorRef(tx, actor);
    const existing = current.reactions[emoji] ?? { usernames: [], names: [] };
    const index = existing.usernames.indexOf(me.username);
    const add = input.shouldReact ?? index === -1;
    if (add === (index !== -1)) return; // Already as asked.

    const reactions: Record<string, Reactions[string]> = { ...current.reactions };
    if (add) {
      reactions[emoji] = {
        usernames: [...existing.usernames, me.username],
        names: [...existing.names, me.name ?? me.username],
      };
    } else {
      const keep = (_: string, i: number) => i !== index;
      const usernames = existing.usernames.filter(keep);
      if (usernames.length === 0) delete reactions[emoji];
      else reactions[emoji] = { usernames, names: existing.names.filter(keep) };
    }
    const now = ctx.clock.now();
    const updated = await tx.messages.update(current.id, { reactions }, now);
    if (updated) await emit(tx, now, messageSaved(room, updated, false));
  });
}
