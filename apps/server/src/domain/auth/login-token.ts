import type { DeviceId, UserId } from '../shared/ids.js';

/** A credential a client presents as `X-Auth-Token`. Only its SHA-256 hash is stored. */
export interface LoginToken {
  readonly hash: string;
  readonly userId: UserId;
  /** Every login is a device; a personal access token is a device of its own. */
  readonly deviceId: DeviceId;
  readonly kind: 'login' | 'personal';
  /** The token's name, for personal access tokens. */
  readonly name: string | null;
  readonly lastTokenPart: string;
  readonly bypassTwoFactor: boolean;
  readonly createdAt: number;
}
