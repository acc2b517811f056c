import type { Actor } from '../../domain/shared/actor.js';
import { ChatError } from '../../domain/shared/errors.js';
import { MethodError, toMeteorError } from '../ddp.js';
import type { MethodContext, MethodTable } from './method.js';

/** What one call over REST produced: a result, or a Meteor error; `unexpected` is a bug to log. */
export interface MethodOutcome {
  readonly result?: unknown;
  readonly error?: unknown;
  /** The raw error when it was neither a `ChatError` nor a `MethodError`: log it, never send it. */
  readonly unexpected?: unknown;
}

/**
 * Runs DDP methods for `method.call` and `method.callAnon`: the same table and the same refusals
 * as a WebSocket connection, without one. There is no connection to log in, log out or mark idle,
 * so those hooks do nothing (a `login` over REST still answers its token, as Rocket.Chat's web
 * client expects when it routes password logins through `method.callAnon`).
 */
export function restInvoker(table: MethodTable) {
  return async function invokeOverRest(
    name: string,
    params: readonly unknown[],
    caller: { readonly actor: Actor | null; readonly address: string },
  ): Promise<MethodOutcome> {
    const context: MethodContext = {
      actor: caller.actor,
      connectionId: null,
      address: caller.address,
      loggedIn: () => Promise.resolve(),
      loggedOut: () => undefined,
      markIdle: () => undefined,
    };
    try {
      const definition = table.get(name);
      if (!definition) throw MethodError.notFound(name);
      if (!definition.anonymous && !caller.actor) throw new MethodError('error-not-allowed', 'Not allowed');
      return { result: await definition.run(context, params) };
    } catch (error) {
      const expected = error instanceof MethodError || error instanceof ChatError;
      return { error: toMeteorError(error), ...(expected ? {} : { unexpected: error }) };
    }
  };
}
