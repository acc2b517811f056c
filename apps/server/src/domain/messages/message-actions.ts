import type { DomainContext } from '../context.js';

/** Message use cases beyond sending (edit, delete, react, pin, star, threads, sync), bound to the context. */
export function createMessageActions(ctx: DomainContext) {
  void ctx;
  return {};
}
