import type { DomainContext } from '../context.js';

/**
 * Forgets outbox events older than `keepMs`. Live delivery happens at commit and clients that
 * were away catch up through the sync endpoints, which read the rooms and messages themselves,
 * so the outbox only has to outlive the slowest durable consumer.
 */
export async function pruneOutbox(ctx: DomainContext, keepMs: number): Promise<number> {
  return ctx.store.events.pruneBefore(ctx.clock.now() - keepMs);
}
