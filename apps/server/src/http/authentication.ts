import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actions } from '../domain/actions.js';
import type { Actor } from '../domain/shared/actor.js';
import { ChatError } from '../domain/shared/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** An `onRequest` hook for routes that need a caller: `X-User-Id` + `X-Auth-Token`, or 401. */
export function requireAuth(actions: Actions) {
  return async function authenticateRequest(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const userId = header(request, 'x-user-id');
    const token = header(request, 'x-auth-token');
    if (!userId || !token) throw ChatError.notLoggedIn();
    request.actor = await actions.authenticate(userId, token);
  };
}

/** The authenticated caller; only valid on routes registered with `requireAuth`. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw ChatError.notLoggedIn();
  return request.actor;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const single = Array.isArray(value) ? value[0] : value;
  return single && single.length <= 512 ? single : undefined;
}
