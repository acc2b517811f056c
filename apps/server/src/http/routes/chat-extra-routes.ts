import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../route-deps.js';

/** Routes for chat beyond sending: edit, delete, react, pin, star, threads, sync, read receipts. */
export function chatExtraRoutes(app: FastifyInstance, deps: RouteDeps): void {
  void app;
  void deps;
}
