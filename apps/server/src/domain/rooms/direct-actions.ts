import type { DomainContext } from '../context.js';
import { markRoomUnread } from '../subscriptions/mark-unread.js';
import {
  closeDirectMessage,
  createDirectMessage,
  directMessageRoomKey,
  listDirectMessages,
  openDirectMessage,
} from './direct-messages.js';
import { searchDirectory } from './directory.js';
import { spotlight } from './spotlight.js';
import { bindToContext } from '../bind.js';

/** Direct messages, directory and spotlight use cases, bound to the context. */
export function createDirectActions(ctx: DomainContext) {
  return {
    createDirectMessage: bindToContext(ctx, createDirectMessage),
    directMessageRoomKey: bindToContext(ctx, directMessageRoomKey),
    listDirectMessages: bindToContext(ctx, listDirectMessages),
    openDirectMessage: bindToContext(ctx, openDirectMessage),
    closeDirectMessage: bindToContext(ctx, closeDirectMessage),
    searchDirectory: bindToContext(ctx, searchDirectory),
    spotlight: bindToContext(ctx, spotlight),
    markRoomUnread: bindToContext(ctx, markRoomUnread),
  };
}
