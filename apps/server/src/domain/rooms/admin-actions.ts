import type { DomainContext } from '../context.js';
import { addAllUsersToRoom } from './add-all-users.js';
import { archiveRoom, unarchiveRoom } from './archive-room.js';
import { deleteRoom } from './delete-room.js';
import { changeRoomRole, roomModerators } from './room-roles.js';
import { changeRoomSettings } from './room-settings.js';
import { favoriteRoom, setRoomOpen } from './sidebar-state.js';
import { setUserMuted } from './mute-user.js';

type Bound<F> = F extends (ctx: DomainContext, ...args: infer A) => infer R ? (...args: A) => R : never;

function bind<F extends (ctx: DomainContext, ...args: never[]) => unknown>(
  ctx: DomainContext,
  action: F,
): Bound<F> {
  return ((...args: never[]) => action(ctx, ...args)) as Bound<F>;
}

/** Room administration use cases (settings, room roles, archive, delete), bound to the context. */
export function createRoomAdminActions(ctx: DomainContext) {
  return {
    changeRoomSettings: bind(ctx, changeRoomSettings),
    setUserMuted: bind(ctx, setUserMuted),
    changeRoomRole: bind(ctx, changeRoomRole),
    roomModerators: bind(ctx, roomModerators),
    archiveRoom: bind(ctx, archiveRoom),
    unarchiveRoom: bind(ctx, unarchiveRoom),
    deleteRoom: bind(ctx, deleteRoom),
    setRoomOpen: bind(ctx, setRoomOpen),
    favoriteRoom: bind(ctx, favoriteRoom),
    addAllUsersToRoom: bind(ctx, addAllUsersToRoom),
  };
}
