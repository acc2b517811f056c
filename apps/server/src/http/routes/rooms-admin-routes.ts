import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../route-deps.js';

/** Routes for room administration: settings, room roles, archive, delete, open/close, favorite. */
export function roomAdminRoutes(app: FastifyInstance, deps: RouteDeps): void {
  void app;
  void deps;
}
