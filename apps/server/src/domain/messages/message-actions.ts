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
import { bindToContext } from '../bind.js';

/** Message use cases beyond sending (edit, delete, react, pin, star, threads, sync), bound to the context. */
export function createMessageActions(ctx: DomainContext) {
  return {
    updateMessage: bindToContext(ctx, updateMessage),
    deleteMessage: bindToContext(ctx, deleteMessage),
    reactToMessage: bindToContext(ctx, reactToMessage),
    pinMessage: bindToContext(ctx, pinMessage),
    unpinMessage: bindToContext(ctx, unpinMessage),
    setStarred: bindToContext(ctx, setStarred),
    pinnedMessages: bindToContext(ctx, pinnedMessages),
    starredMessages: bindToContext(ctx, starredMessages),
    mentionedMessages: bindToContext(ctx, mentionedMessages),
    syncMessages: bindToContext(ctx, syncMessages),
    deletedMessages: bindToContext(ctx, deletedMessages),
    listThreads: bindToContext(ctx, listThreads),
    threadMessages: bindToContext(ctx, threadMessages),
    syncThreadMessages: bindToContext(ctx, syncThreadMessages),
    setFollowing: bindToContext(ctx, setFollowing),
    messageReadReceipts: bindToContext(ctx, messageReadReceipts),
  };
}
