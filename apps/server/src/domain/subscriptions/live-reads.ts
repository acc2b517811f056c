import type { DomainContext } from '../context.js';
import { readableRoom } from '../rooms/room-access.js';
import type { Room } from '../rooms/room.js';
import type { Actor } from '../shared/actor.js';
import type { RoomId, UserId } from '../shared/ids.js';
import type { User } from '../users/user.js';
import type { Subscription } from './subscription.js';

/**
 * Reads the realtime edge makes on behalf of the system (not of a caller): what it needs to route
 * committed events to the right sockets. Callers' own reads go through the ordinary actions.
 */
export function createLiveReads(ctx: DomainContext) {
  return {
    /** The rooms a user is a member of. */
    async memberRoomIds(userId: UserId): Promise<RoomId[]> {
      return (await ctx.store.subscriptions.ofUser(userId)).map((s) => s.roomId);
    },
    /** Current subscriptions of a room, for the users among `userIds`. */
    async subscriptionsOf(roomId: RoomId, userIds: ReadonlySet<UserId>): Promise<Subscription[]> {
      if (userIds.size === 1) {
        const [only] = userIds;
        const one = only ? await ctx.store.subscriptions.byRoomAndUser(roomId, only) : null;
        return one ? [one] : [];
      }
      return (await ctx.store.subscriptions.ofRoom(roomId)).filter((s) => userIds.has(s.userId));
    },
    /** Whether the actor may read the room, and as a member or only as a preview; throws if not. */
    async roomAccess(actor: Actor, roomId: RoomId): Promise<{ room: Room; member: boolean }> {
      const view = await readableRoom(ctx, actor, { roomId });
      return { room: view.room, member: view.subscription !== null };
    },
    room: (roomId: RoomId): Promise<Room | null> => ctx.store.rooms.byId(roomId),
    user: (userId: UserId): Promise<User | null> => ctx.store.users.byId(userId),
    /**
     * The actor a connection acts as, re-read: null once its token was removed or the user
     * deactivated, with fresh roles otherwise.
     */
    async refreshActor(actor: Actor): Promise<Actor | null> {
      const token = await ctx.store.tokens.byHash(actor.tokenHash);
      if (!token || token.userId !== actor.userId) return null;
      const user = await ctx.store.users.byId(actor.userId);
      if (!user || !user.active) return null;
      return { ...actor, username: user.username, roles: user.roles };
    },
  };
}

export type LiveReads = ReturnType<typeof createLiveReads>;
