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
import { bindToContext } from './bind.js';
import { lastMessagesOf } from './rooms/last-messages.js';
import { sendToUser } from './messages/send-to-user.js';
import { usersInPublicRoles } from './permissions/public-roles.js';

/** Every use case, bound to the context. REST (and later DDP and federation) call only these. */
export function createActions(ctx: DomainContext) {
  return {
    authenticate: bindToContext(ctx, authenticate),
    login: bindToContext(ctx, login),
    logout: bindToContext(ctx, logout),
    logoutOtherSessions: bindToContext(ctx, logoutOtherSessions),
    generatePersonalAccessToken: bindToContext(ctx, generatePersonalAccessToken),
    regeneratePersonalAccessToken: bindToContext(ctx, regeneratePersonalAccessToken),
    listPersonalAccessTokens: bindToContext(ctx, listPersonalAccessTokens),
    removePersonalAccessToken: bindToContext(ctx, removePersonalAccessToken),
    createUser: bindToContext(ctx, createUser),
    registerUser: bindToContext(ctx, registerUser),
    getUserInfo: bindToContext(ctx, getUserInfo),
    listUsers: bindToContext(ctx, listUsers),
    updateUser: bindToContext(ctx, updateUser),
    deleteUser: bindToContext(ctx, deleteUser),
    setActiveStatus: bindToContext(ctx, setActiveStatus),
    updateOwnBasicInfo: bindToContext(ctx, updateOwnBasicInfo),
    getPreferences: bindToContext(ctx, getPreferences),
    setPreferences: bindToContext(ctx, setPreferences),
    listPermissions: bindToContext(ctx, listPermissions),
    updatePermissions: bindToContext(ctx, updatePermissions),
    listRoles: bindToContext(ctx, listRoles),
    addUserToRole: bindToContext(ctx, addUserToRole),
    removeUserFromRole: bindToContext(ctx, removeUserFromRole),
    getUsersInRole: bindToContext(ctx, getUsersInRole),
    publicSettings: bindToContext(ctx, publicSettings),
    getSetting: bindToContext(ctx, getSetting),
    updateSetting: bindToContext(ctx, updateSetting),
    setupRequired: bindToContext(ctx, setupRequired),
    createFirstAdmin: bindToContext(ctx, createFirstAdmin),
    createRoom: bindToContext(ctx, createRoom),
    joinRoom: bindToContext(ctx, joinRoom),
    leaveRoom: bindToContext(ctx, leaveRoom),
    inviteToRoom: bindToContext(ctx, inviteToRoom),
    kickFromRoom: bindToContext(ctx, kickFromRoom),
    roomInfo: bindToContext(ctx, roomInfo),
    listChannels: bindToContext(ctx, listChannels),
    listAllGroups: bindToContext(ctx, listAllGroups),
    listJoined: bindToContext(ctx, listJoined),
    roomHistory: bindToContext(ctx, roomHistory),
    roomMembers: bindToContext(ctx, roomMembers),
    roomRoles: bindToContext(ctx, roomRoles),
    roomCounters: bindToContext(ctx, roomCounters),
    getSubscriptions: bindToContext(ctx, getSubscriptions),
    getSubscription: bindToContext(ctx, getSubscription),
    markRoomRead: bindToContext(ctx, markRoomRead),
    getRooms: bindToContext(ctx, getRooms),
    sendMessage: bindToContext(ctx, sendMessage),
    getMessage: bindToContext(ctx, getMessage),
    lastMessagesOf: bindToContext(ctx, lastMessagesOf),
    sendToUser: bindToContext(ctx, sendToUser),
    usersInPublicRoles: bindToContext(ctx, usersInPublicRoles),
    ...createRoomAdminActions(ctx),
    ...createMessageActions(ctx),
    ...createDirectActions(ctx),
    /** The user record behind an actor, for `me` and `login`. */
    me: (userId: Parameters<DomainContext['store']['users']['byId']>[0]) => ctx.store.users.byId(userId),
  };
}

export type Actions = ReturnType<typeof createActions>;
