import { randomInt } from 'node:crypto';

/** A value of `T` that the type system keeps apart from other strings. */
export type Brand<T, B extends string> = T & { readonly __brand: B };

export type UserId = Brand<string, 'UserId'>;
export type RoomId = Brand<string, 'RoomId'>;
export type MessageId = Brand<string, 'MessageId'>;
export type DeviceId = Brand<string, 'DeviceId'>;
export type RoleId = Brand<string, 'RoleId'>;
export type PermissionId = Brand<string, 'PermissionId'>;
export type SettingId = Brand<string, 'SettingId'>;

// Meteor's Random.id() alphabet (no 0/1/I/O/l, which read alike). Rocket.Chat clients
// accept any string, but 17 characters from this alphabet is what they are used to seeing.
const UNMISTAKABLE = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';

export interface IdGenerator {
  next(): string;
}

export const randomIds: IdGenerator = {
  next(): string {
    let id = '';
    for (let i = 0; i < 17; i++) id += UNMISTAKABLE[randomInt(UNMISTAKABLE.length)];
    return id;
  },
};
