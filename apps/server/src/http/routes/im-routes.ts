import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../route-deps.js';

/** Routes for direct messages (im.* and dm.*), directory and spotlight. */
export function imRoutes(app: FastifyInstance, deps: RouteDeps): void {
  void app;
  void deps;
}
