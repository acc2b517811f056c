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

type Bound<F> = F extends (ctx: DomainContext, ...args: infer A) => infer R ? (...args: A) => R : never;

function bind<F extends (ctx: DomainContext, ...args: never[]) => unknown>(
  ctx: DomainContext,
  action: F,
): Bound<F> {
  return ((...args: never[]) => action(ctx, ...args)) as Bound<F>;
}

/** Direct messages, directory and spotlight use cases, bound to the context. */
export function createDirectActions(ctx: DomainContext) {
  return {
    createDirectMessage: bind(ctx, createDirectMessage),
    directMessageRoomKey: bind(ctx, directMessageRoomKey),
    listDirectMessages: bind(ctx, listDirectMessages),
    openDirectMessage: bind(ctx, openDirectMessage),
    closeDirectMessage: bind(ctx, closeDirectMessage),
    searchDirectory: bind(ctx, searchDirectory),
    spotlight: bind(ctx, spotlight),
    markRoomUnread: bind(ctx, markRoomUnread),
  };
}
