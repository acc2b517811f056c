import type { DeviceId, UserId } from './ids.js';

/** Who is acting: the authenticated user, with the roles they held when the request began. */
export interface Actor {
  readonly userId: UserId;
  readonly username: string;
  readonly roles: readonly string[];
  /** The device (login session) the request came from; PATs have their own device. */
  readonly deviceId: DeviceId;
  /** Hash of the token used, so `logout` can remove exactly this one. */
  readonly tokenHash: string;
}
