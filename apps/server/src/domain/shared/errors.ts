/**
 * The one catalogue of errors the domain raises. Each carries the Rocket.Chat error code
 * (`errorType`), the human reason, and the HTTP status; `http/errors.ts` maps it once.
 * Tests match on `code`.
 */
export type ErrorKind =
  'invalid' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'rate-limited';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 400, // Rocket.Chat answers "not found" business errors with 400, not 404.
  conflict: 400,
  'rate-limited': 429,
};

export class ChatError extends Error {
  readonly status: number;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    readonly reason: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(`${reason} [${code}]`);
    this.name = 'ChatError';
    this.status = STATUS[kind];
  }

  static invalidParams(reason: string): ChatError {
    return new ChatError('invalid', 'invalid-params', reason);
  }

  static invalid(code: string, reason: string, details?: Record<string, unknown>): ChatError {
    return new ChatError('invalid', code, reason, details);
  }

  static unauthorized(): ChatError {
    return new ChatError(
      'forbidden',
      'error-unauthorized',
      'User does not have the permissions required for this action',
    );
  }

  static notAllowed(reason = 'Not allowed'): ChatError {
    return new ChatError('forbidden', 'error-not-allowed', reason);
  }

  static notLoggedIn(): ChatError {
    return new ChatError('unauthenticated', 'unauthorized', 'You must be logged in to do this.');
  }

  static loginFailed(): ChatError {
    // Never says which of user or password was wrong.
    return new ChatError('unauthenticated', 'Unauthorized', 'Unauthorized');
  }

  static userNotFound(): ChatError {
    return new ChatError(
      'not-found',
      'error-invalid-user',
      'The required "userId" or "username" param provided does not match any users',
    );
  }

  static roleNotFound(role: string): ChatError {
    return new ChatError('not-found', 'error-invalid-roleId', `Role "${role}" does not exist`);
  }

  static permissionNotFound(permission: string): ChatError {
    return new ChatError('not-found', 'error-invalid-permission', `Invalid permission "${permission}"`);
  }

  static settingNotFound(id: string): ChatError {
    return new ChatError('not-found', 'error-setting-not-found', `Setting "${id}" not found`);
  }

  static tooManyRequests(retryAfterMs: number): ChatError {
    const seconds = Math.ceil(retryAfterMs / 1000);
    return new ChatError(
      'rate-limited',
      'error-too-many-requests',
      `Error, too many requests. Please slow down. You must wait ${seconds} seconds before trying this endpoint again.`,
      {
        timeToReset: retryAfterMs,
      },
    );
  }

  /** Also what a non-member gets for a private room: its existence is not revealed. */
  static roomNotFound(): ChatError {
    return new ChatError(
      'not-found',
      'error-room-not-found',
      'The required "roomId" or "roomName" param provided does not match any channel',
    );
  }

  static messageNotFound(): ChatError {
    return new ChatError('not-found', 'error-message-not-found', 'Message not found');
  }

  static actionNotAllowed(reason: string, action?: string): ChatError {
    return new ChatError('invalid', 'error-action-not-allowed', reason, action ? { action } : undefined);
  }

  static roomArchived(): ChatError {
    return new ChatError('invalid', 'error-room-archived', 'This room is archived');
  }

  static duplicate(field: 'username' | 'email', value: string): ChatError {
    return field === 'username'
      ? new ChatError('conflict', 'error-field-unavailable', `${value} is already in use :(`, {
          field: 'Username',
        })
      : new ChatError('conflict', 'error-field-unavailable', `${value} is already in use :(`, {
          field: 'Email',
        });
  }
}
