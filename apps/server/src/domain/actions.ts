import { authenticate } from './auth/authenticate.js';
import { login } from './auth/login.js';
import { logout, logoutOtherSessions } from './auth/logout.js';
import {
  generatePersonalAccessToken,
  listPersonalAccessTokens,
  regeneratePersonalAccessToken,
  removePersonalAccessToken,
} from './auth/personal-access-tokens.js';
import type { DomainContext } from './context.js';
import { listPermissions, updatePermissions } from './permissions/permission-actions.js';
import { addUserToRole, getUsersInRole, listRoles, removeUserFromRole } from './permissions/role-actions.js';
import { getSetting, publicSettings, updateSetting } from './settings/setting-actions.js';
import { createFirstAdmin, setupRequired } from './setup/first-admin.js';
import { createUser } from './users/create-user.js';
import { deleteUser } from './users/delete-user.js';
import { getUserInfo, listUsers } from './users/find-users.js';
import { getPreferences, setPreferences } from './users/preferences-actions.js';
import { registerUser } from './users/register-user.js';
import { setActiveStatus } from './users/set-active-status.js';
import { updateOwnBasicInfo } from './users/update-own-basic-info.js';
import { updateUser } from './users/update-user.js';
import { createRoom } from './rooms/create-room.js';
import { inviteToRoom, joinRoom, kickFromRoom, leaveRoom } from './rooms/membership.js';
import {
  listAllGroups,
  listChannels,
  listJoined,
  roomCounters,
  roomHistory,
  roomInfo,
  roomMembers,
  roomRoles,
} from './rooms/read-rooms.js';
import {
  getRooms,
  getSubscription,
  getSubscriptions,
  markRoomRead,
} from './subscriptions/subscription-actions.js';
import { sendMessage } from './messages/send-message.js';
import { getMessage } from './messages/get-message.js';
import { createRoomAdminActions } from './rooms/admin-actions.js';
import { createMessageActions } from './messages/message-actions.js';
import { createDirectActions } from './rooms/direct-actions.js';

type Bound<F> = F extends (ctx: DomainContext, ...args: infer A) => infer R ? (...args: A) => R : never;

function bind<F extends (ctx: DomainContext, ...args: never[]) => unknown>(
  ctx: DomainContext,
  action: F,
): Bound<F> {
  return ((...args: never[]) => action(ctx, ...args)) as Bound<F>;
}

/** Every use case, bound to the context. REST (and later DDP and federation) call only these. */
export function createActions(ctx: DomainContext) {
  return {
    authenticate: bind(ctx, authenticate),
    login: bind(ctx, login),
    logout: bind(ctx, logout),
    logoutOtherSessions: bind(ctx, logoutOtherSessions),
    generatePersonalAccessToken: bind(ctx, generatePersonalAccessToken),
    regeneratePersonalAccessToken: bind(ctx, regeneratePersonalAccessToken),
    listPersonalAccessTokens: bind(ctx, listPersonalAccessTokens),
    removePersonalAccessToken: bind(ctx, removePersonalAccessToken),
    createUser: bind(ctx, createUser),
    registerUser: bind(ctx, registerUser),
    getUserInfo: bind(ctx, getUserInfo),
    listUsers: bind(ctx, listUsers),
    updateUser: bind(ctx, updateUser),
    deleteUser: bind(ctx, deleteUser),
    setActiveStatus: bind(ctx, setActiveStatus),
    updateOwnBasicInfo: bind(ctx, updateOwnBasicInfo),
    getPreferences: bind(ctx, getPreferences),
    setPreferences: bind(ctx, setPreferences),
    listPermissions: bind(ctx, listPermissions),
    updatePermissions: bind(ctx, updatePermissions),
    listRoles: bind(ctx, listRoles),
    addUserToRole: bind(ctx, addUserToRole),
    removeUserFromRole: bind(ctx, removeUserFromRole),
    getUsersInRole: bind(ctx, getUsersInRole),
    publicSettings: bind(ctx, publicSettings),
    getSetting: bind(ctx, getSetting),
    updateSetting: bind(ctx, updateSetting),
    setupRequired: bind(ctx, setupRequired),
    createFirstAdmin: bind(ctx, createFirstAdmin),
    createRoom: bind(ctx, createRoom),
    joinRoom: bind(ctx, joinRoom),
    leaveRoom: bind(ctx, leaveRoom),
    inviteToRoom: bind(ctx, inviteToRoom),
    kickFromRoom: bind(ctx, kickFromRoom),
    roomInfo: bind(ctx, roomInfo),
    listChannels: bind(ctx, listChannels),
    listAllGroups: bind(ctx, listAllGroups),
    listJoined: bind(ctx, listJoined),
    roomHistory: bind(ctx, roomHistory),
    roomMembers: bind(ctx, roomMembers),
    roomRoles: bind(ctx, roomRoles),
    roomCounters: bind(ctx, roomCounters),
    getSubscriptions: bind(ctx, getSubscriptions),
    getSubscription: bind(ctx, getSubscription),
    markRoomRead: bind(ctx, markRoomRead),
    getRooms: bind(ctx, getRooms),
    sendMessage: bind(ctx, sendMessage),
    getMessage: bind(ctx, getMessage),
    ...createRoomAdminActions(ctx),
    ...createMessageActions(ctx),
    ...createDirectActions(ctx),
    /** The user record behind an actor, for `me` and `login`. */
    me: (userId: Parameters<DomainContext['store']['users']['byId']>[0]) => ctx.store.users.byId(userId),
  };
}

export type Actions = ReturnType<typeof createActions>;
