import { Type } from 'typebox';
import type { RoomKey } from '../domain/rooms/room-access.js';
import type { UserKey } from '../domain/rooms/membership.js';
import { ChatError } from '../domain/shared/errors.js';
import type { RoomId, UserId } from '../domain/shared/ids.js';

export const RoomKeyFields = {
  roomId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  roomName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
};

export const UserKeyFields = {
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
};

/** `roomId` or `roomName`, as Rocket.Chat accepts nearly everywhere; neither is a 400. */
export function roomKeyOf(input: { roomId?: string; roomName?: string }): RoomKey {
  if (input.roomId) return { roomId: input.roomId as RoomId };
  if (input.roomName) return { roomName: input.roomName };
  throw ChatError.invalid(
    'error-room-param-not-provided',
    'The parameter "roomId" or "roomName" is required',
  );
}

export function userKeyOf(input: { userId?: string; username?: string }): UserKey {
  if (input.userId) return { userId: input.userId as UserId };
  if (input.username) return { username: input.username };
  throw ChatError.invalid(
    'error-user-param-not-provided',
    'The required "userId" or "username" param was not provided',
  );
}

/** An ISO date query parameter, or 400 naming it. */
export function dateOf(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms))
    throw ChatError.invalid('error-invalid-date', `The "${name}" query parameter must be a valid date.`);
  return ms;
}
