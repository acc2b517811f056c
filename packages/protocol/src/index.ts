/** @parley/protocol: the wire contract shared by the server, the SDK and the web client. */
export * from './common.js';
export * from './users.js';
export * from './auth.js';
export * from './permissions.js';
export * from './settings.js';
export * from './rooms.js';

/** The Rocket.Chat release whose REST surface Parley answers like. */
export const ROCKETCHAT_COMPAT_VERSION = '7.10.0';
