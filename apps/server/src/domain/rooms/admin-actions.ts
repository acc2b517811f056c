import type { DomainContext } from '../context.js';
import { addAllUsersToRoom } from './add-all-users.js';
import { archiveRoom, unarchiveRoom } from './archive-room.js';
import { deleteRoom } from './delete-room.js';
import { changeRoomRole, roomModerators } from './room-roles.js';
import { changeRoomSettings } from './room-settings.js';
import { favoriteRoom, setRoomOpen } from './sidebar-state.js';
import { setUserMuted } from './mute-user.js';
import { bindToContext } from '../bind.js';

/** Room administration use cases (settings, room roles, archive, delete), bound to the context. */
export function createRoomAdminActions(ctx: DomainContext) {
  return {
    changeRoomSettings: bindToContext(ctx, changeRoomSettings),
    setUserMuted: bindToContext(ctx, setUserMuted),
    changeRoomRole: bindToContext(ctx, changeRoomRole),
    roomModerators: bindToContext(ctx, roomModerators),
    archiveRoom: bindToContext(ctx, archiveRoom),
    unarchiveRoom: bindToContext(ctx, unarchiveRoom),
    deleteRoom: bindToContext(ctx, deleteRoom),
    setRoomOpen: bindToContext(ctx, setRoomOpen),
    favoriteRoom: bindToContext(ctx, favoriteRoom),
    addAllUsersToRoom: bindToContext(ctx, addAllUsersToRoom),
  };
}
