import type { DomainContext } from '../context.js';
import { emit, roomSaved, subscriptionsChanged } from '../events/emit.js';
import type { Tx } from '../ports/store.js';
import { subscriptionName } from '../subscriptions/subscribe.js';
import type { User } from './user.js';

/**
 * After a user's username or name changed, everything that shows them follows, as Rocket.Chat
 * does: their subscriptions, the author of their messages, and the names of their DMs as the
 * other members see them. Messages are not announced one by one (`user.changed` says it all).
 * Call inside `store.transaction`.
 */
export async function propagateRename(ctx: DomainContext, tx: Tx, before: User, after: User): Promise<void> {
  if (before.username === after.username && before.name === after.name) return;
  const now = ctx.clock.now();
  await tx.messages.renameAuthor(after.id, after.username, after.name);
  if (before.username === after.username) return;
  await tx.subscriptions.renameMember(after.id, after.username, now);
  const rooms = await tx.rooms.ofUser(after.id);
  const renamedIn = rooms.filter((r) => r.t !== 'd');
  await emit(tx, now, ...renamedIn.map((r) => subscriptionsChanged(r.id, [after.id], 'updated')));
  for (const room of rooms.filter((r) => r.muted.includes(before.username))) {
    const updated = await tx.rooms.update(
      room.id,
      { muted: room.muted.map((u) => (u === before.username ? after.username : u)) },
      now,
    );
    if (updated) await emit(tx, now, roomSaved(updated));
  }
  const dms = rooms.filter((room) => room.t === 'd');
  for (const dm of dms) {
    const usernames = dm.usernames.map((u) => (u === before.username ? after.username : u));
    const renamed = (await tx.rooms.update(dm.id, { usernames }, now)) ?? { ...dm, usernames };
    for (const member of await tx.subscriptions.ofRoom(dm.id)) {
      const names = subscriptionName(renamed, {
        id: member.userId,
        username: member.userId === after.id ? after.username : member.username,
      });
      await tx.subscriptions.update(member.id, names, now);
    }
    await emit(tx, now, roomSaved(renamed), subscriptionsChanged(dm.id, null, 'updated'));
  }
}
