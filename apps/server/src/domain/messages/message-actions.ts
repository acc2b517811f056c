import type { DomainContext } from '../context.js';
import { deleteMessage } from './delete-message.js';
import { setFollowing } from './follow-message.js';
import { mentionedMessages, pinnedMessages, starredMessages } from './list-messages.js';
import { pinMessage, unpinMessage } from './pin-message.js';
import { reactToMessage } from './react-to-message.js';
import { messageReadReceipts } from './read-receipts.js';
import { setStarred } from './star-message.js';
import { deletedMessages, syncMessages } from './sync-messages.js';
import { listThreads, syncThreadMessages, threadMessages } from './threads.js';
import { updateMessage } from './update-message.js';

type Bound<F> = F extends (ctx: DomainContext, ...args: infer A) => infer R ? (...args: A) => R : never;

function bind<F extends (ctx: DomainContext, ...args: never[]) => unknown>(
  ctx: DomainContext,
  action: F,
): Bound<F> {
  return ((...args: never[]) => action(ctx, ...args)) as Bound<F>;
}

/** Message use cases beyond sending (edit, delete, react, pin, star, threads, sync), bound to the context. */
export function createMessageActions(ctx: DomainContext) {
  return {
    updateMessage: bind(ctx, updateMessage),
    deleteMessage: bind(ctx, deleteMessage),
    reactToMessage: bind(ctx, reactToMessage),
    pinMessage: bind(ctx, pinMessage),
    unpinMessage: bind(ctx, unpinMessage),
    setStarred: bind(ctx, setStarred),
    pinnedMessages: bind(ctx, pinnedMessages),
    starredMessages: bind(ctx, starredMessages),
    mentionedMessages: bind(ctx, mentionedMessages),
    syncMessages: bind(ctx, syncMessages),
    deletedMessages: bind(ctx, deletedMessages),
    listThreads: bind(ctx, listThreads),
    threadMessages: bind(ctx, threadMessages),
    syncThreadMessages: bind(ctx, syncThreadMessages),
    setFollowing: bind(ctx, setFollowing),
    messageReadReceipts: bind(ctx, messageReadReceipts),
  };
}
