import { ChatError } from '../domain/shared/errors.js';

/** DDP versions a client may ask for; Parley speaks `1` and answers the older ones the same. */
export const DDP_VERSIONS = ['1', 'pre2', 'pre1'] as const;

/** Close codes, as Rocket.Chat's ddp-streamer uses them. */
export const CloseCode = {
  protocolError: 1002,
  unsupportedData: 1007,
  tooBig: 1009,
  timeout: 4000,
  rateLimited: 4429,
} as const;

/** Meteor's error object, as `result.error` and `nosub.error` carry it. */
export interface MeteorError {
  readonly isClientSafe: true;
  readonly error: string | number;
  readonly reason: string;
  readonly message: string;
  readonly errorType: 'Meteor.Error';
  readonly details?: Record<string, unknown>;
}

export function meteorError(
  error: string | number,
  reason: string,
  details?: Record<string, unknown>,
): MeteorError {
  return {
    isClientSafe: true,
    error,
    reason,
    message: `${reason} [${error}]`,
    errorType: 'Meteor.Error',
    ...(details ? { details } : {}),
  };
}

/** A domain error as Meteor reports it; anything else is an internal error that says nothing more. */
export function toMeteorError(error: unknown): MeteorError {
  if (error instanceof ChatError) return meteorError(error.code, error.reason, error.details);
  if (error instanceof MethodError) return error.meteor;
  return meteorError(500, 'Internal server error');
}

/** An error a method raises in Meteor's own terms (e.g. 404 `Method 'x' not found`). */
export class MethodError extends Error {
  readonly meteor: MeteorError;

  constructor(error: string | number, reason: string, details?: Record<string, unknown>) {
    super(`${reason} [${error}]`);
    this.name = 'MethodError';
    this.meteor = meteorError(error, reason, details);
  }

  static notFound(method: string): MethodError {
    return new MethodError(404, `Method '${method}' not found`);
  }

  static badParams(reason: string): MethodError {
    return new MethodError('error-invalid-params', reason);
  }
}

/** A `changed` frame of a stream, already serialised: fan-out sends the same string to every socket. */
export function streamFrame(collection: string, eventName: string, args: readonly unknown[]): string {
  return JSON.stringify({ msg: 'changed', collection, id: 'id', fields: { eventName, args } });
}
