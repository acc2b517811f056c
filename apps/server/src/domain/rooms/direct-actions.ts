import type { DomainContext } from '../context.js';

/** Direct messages, directory and spotlight use cases, bound to the context. */
export function createDirectActions(ctx: DomainContext) {
  void ctx;
  return {};
}
