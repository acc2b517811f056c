import type { DomainContext } from '../context.js';

/** Room administration use cases (settings, room roles, archive, delete), bound to the context. */
export function createRoomAdminActions(ctx: DomainContext) {
  void ctx;
  return {};
}
