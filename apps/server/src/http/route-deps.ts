import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actions } from '../domain/actions.js';
import type { SettingsCache } from '../domain/settings/settings-cache.js';

/** What every route module is handed by `buildHttpServer`. */
export interface RouteDeps {
  readonly actions: Actions;
  readonly settings: SettingsCache;
  readonly publicUrl: string;
  /** `onRequest` hook for routes that need a logged-in caller. */
  readonly auth: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

/** Rocket.Chat's success envelope: the payload's fields plus `success: true`. */
export function ok<T extends object>(payload: T): T & { success: true } {
  return { ...payload, success: true };
}
