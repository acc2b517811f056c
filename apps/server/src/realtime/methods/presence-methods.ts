import type { Presence } from '../../domain/presence/presence.js';
import { param, requireActor, type MethodDefinition } from './method.js';

/**
 * The `UserPresence:*` methods Rocket.Chat's clients call: the status the user chose, and whether
 * this connection is in use (the web client calls `away` after a while without input).
 */
export function presenceMethods(
  presence: Pick<Presence, 'setDefaultStatus'>,
): Record<string, MethodDefinition> {
  return {
    'UserPresence:setDefaultStatus': {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        await presence.setDefaultStatus(actor, param.string(params, 0, 'status', 32));
        return true;
      },
    },
    // Over REST (`method.call`) there is no connection to mark; Rocket.Chat then does nothing too.
    'UserPresence:online': {
      run(ctx) {
        requireActor(ctx);
        ctx.markIdle(false);
        return Promise.resolve(ctx.connectionId !== null);
      },
    },
    'UserPresence:away': {
      run(ctx) {
        requireActor(ctx);
        ctx.markIdle(true);
        return Promise.resolve(ctx.connectionId !== null);
      },
    },
  };
}
