import { ErrorResponse, Success } from '@parley/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Actor } from '../../domain/shared/actor.js';
import { actorOf } from '../authentication.js';
import { ok, type RouteDeps } from '../route-deps.js';

/**
 * Runs one DDP method for a REST caller. The realtime layer implements it (`restInvoker`); http
 * may not import realtime, so `compose.ts` hands it in.
 */
export type MethodInvoker = (
  name: string,
  params: readonly unknown[],
  caller: { readonly actor: Actor | null; readonly address: string },
) => Promise<{ readonly result?: unknown; readonly error?: unknown; readonly unexpected?: unknown }>;

const tags = ['method-call'];
const CallBody = Type.Object(
  { message: Type.String({ description: 'EJSON text of {msg: "method", id, method, params}' }) },
  { additionalProperties: false },
);
const CallParams = Type.Object({ method: Type.String({ maxLength: 256 }) });
const schema = {
  tags,
  params: CallParams,
  body: CallBody,
  response: {
    200: Success({
      message: Type.String({ description: 'JSON text of {msg: "result", id, result | error}' }),
    }),
    400: ErrorResponse,
    401: ErrorResponse,
  },
};

interface MethodCall {
  readonly id: string;
  readonly method: string;
  readonly params: readonly unknown[];
}

/**
 * Rocket.Chat's `isMethodCallProps`: exactly `{msg: 'method', id, method, params: []}`. Meteor's
 * client may add `randomSeed` to a method message; it is allowed and ignored.
 */
function methodCallOf(text: string): MethodCall | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return null;
  const { msg, id, method, params, ...rest } = data as Record<string, unknown>;
  const extra = Object.keys(rest).filter((key) => key !== 'randomSeed');
  if (msg !== 'method' || typeof id !== 'string' || typeof method !== 'string' || !Array.isArray(params))
    return null;
  if (extra.length > 0) return null;
  return { id, method, params };
}

/**
 * `POST /api/v1/method.call/:method` and `method.callAnon/:method` — any DDP method over REST, as
 * Rocket.Chat's web client sends them (`ddpOverREST.ts`). As in Rocket.Chat (`v1/misc.ts`):
 * the method run is the one named in `message`, the path's `:method` is only a label; a method's
 * own failure is still a 200 whose `message` carries the `error`; `callAnon` runs without a user
 * even when credentials are sent.
 */
export function methodCallRoutes(
  app: FastifyInstance,
  deps: Pick<RouteDeps, 'auth'>,
  invoke: MethodInvoker,
): void {
  const run = async (request: FastifyRequest, reply: FastifyReply, actor: Actor | null) => {
    const call = methodCallOf((request.body as Static<typeof CallBody>).message);
    // Rocket.Chat's `API.v1.failure('Invalid method call')`: no errorType.
    if (!call) return reply.code(400).send({ success: false, error: 'Invalid method call' });
    const outcome = await invoke(call.method, call.params, { actor, address: request.ip });
    if (outcome.unexpected !== undefined)
      request.log.error({ err: outcome.unexpected, method: call.method }, 'method call failed');
    const answer =
      outcome.error !== undefined
        ? { msg: 'result', id: call.id, error: outcome.error }
        : { msg: 'result', id: call.id, result: outcome.result };
    return ok({ message: JSON.stringify(answer) });
  };

  app.post('/api/v1/method.call/:method', { onRequest: deps.auth, schema }, (request, reply) =>
    run(request, reply, actorOf(request)),
  );

  app.post('/api/v1/method.callAnon/:method', { schema }, (request, reply) => run(request, reply, null));
}
