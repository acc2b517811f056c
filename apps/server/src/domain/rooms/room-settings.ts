import { hashToken } from '../auth/tokens.js';
import type { DomainContext } from '../context.js';
import { emit, roomSaved, subscriptionsChanged } from '../events/emit.js';
import { postSystemMessage, type SystemMessageType } from '../messages/system-messages.js';
import { UniqueViolation } from '../ports/store.js';
import type { Actor } from '../shared/actor.js';
import { ChatError } from '../shared/errors.js';
import type { SubscriptionPatch } from '../subscriptions/subscription.js';
import { duplicateName } from './create-room.js';
import { actingUser, roomNoun, roomToManage } from './managed-room.js';
import type { RoomKey } from './room-access.js';
import { checkRoomName, checkRoomText } from './room-rules.js';
import type { Room, RoomPatch } from './room.js';

/** What `rooms.saveRoomSettings` and the `channels.set*`/`groups.set*` setters may change. */
export interface RoomSettingsChange {
  readonly name?: string;
  readonly topic?: string;
  readonly description?: string;
  readonly announcement?: string;
  readonly type?: 'c' | 'p';
  readonly readOnly?: boolean;
  readonly isDefault?: boolean;
  /** The plain join code; `''` removes it. Only its hash is stored. */
  readonly joinCode?: string;
  /** Parley's own: whether `chat.getMessageReadReceipts` answers for this room. */
  readonly readReceipts?: boolean;
}

/** Rocket.Chat's answers when a single-setting endpoint would change nothing (`channels.setType` …). */
const UNCHANGED: Record<keyof RoomSettingsChange, string> = {
  name: 'name',
  topic: 'topic',
  description: 'description',
  announcement: 'announcement',
  type: 'type',
  readOnly: 'read only setting',
  isDefault: 'default setting',
  joinCode: 'join code',
  readReceipts: 'read receipts setting',
};

/**
 * `rooms.saveRoomSettings`, `channels.set*`, `groups.set*` and `*.rename`: needs `edit-room` in
 * the room (owners and moderators hold it), plus `set-readonly` for read-only, `create-c`/`create-p`
 * for the target type, and `view-room-administration` for `default`, as Rocket.Chat's
 * `saveRoomSettings` validators require. Unchanged values are skipped; with `refuseUnchanged` a
 * request that changes nothing is refused, as `channels.setType`/`setReadOnly`/`setDefault`/`rename`
 * are. Posts Rocket.Chat's system message for each change, in one transaction.
 */
export async function changeRoomSettings(
  ctx: DomainContext,
  actor: Actor,
  input: {
    room: RoomKey;
    types: readonly Room['t'][];
    change: RoomSettingsChange;
    refuseUnchanged?: boolean;
  },
): Promise<Room> {
  const { room } = await roomToManage(ctx, actor, {
    room: input.room,
    types: input.types,
    permission: 'edit-room',
  });
  const change = input.change;
  const patch = await settingsPatch(ctx, actor, room, change);
  if (input.refuseUnchanged && Object.keys(patch).length === 0) {
    const field = (Object.keys(change) as (keyof RoomSettingsChange)[])[0] ?? 'name';
    throw ChatError.invalid(
      'error-room-setting-unchanged',
      `The ${roomNoun(room)} ${UNCHANGED[field]} is the same as what it would be changed to.`,
    );
  }
  if (Object.keys(patch).length === 0) return room;

  return ctx.store.transaction(async (tx) => {
    const user = await actingUser(tx, actor);
    const now = ctx.clock.now();
    if (patch.name != null) {
      const holder = await tx.rooms.byName(patch.name);
      if (holder && holder.id !== room.id) throw duplicateName(patch.name);
    }
    const updated = await tx.rooms.update(room.id, patch, now).catch((error: unknown) => {
      if (error instanceof UniqueViolation && patch.name != null) throw duplicateName(patch.name);
      throw error;
    });
    if (!updated) throw ChatError.roomNotFound();
    const memberPatch: SubscriptionPatch = {
      ...(patch.name != null ? { name: patch.name, fname: patch.fname ?? patch.name } : {}),
      ...(patch.t !== undefined ? { t: patch.t } : {}),
    };
    const membersChange = Object.keys(memberPatch).length > 0;
    if (membersChange) await tx.subscriptions.updateAllOfRoom(room.id, memberPatch, now);
    await emit(
      tx,
      now,
      roomSaved(updated),
      membersChange ? subscriptionsChanged(room.id, null, 'updated') : null,
    );

    // The notices name the room as it now is.
    const post = (type: SystemMessageType, msg: string) =>
      postSystemMessage(ctx, tx, { room: updated, type, actor: user, msg });
    if (patch.name != null) await post('r', patch.name);
    if (patch.topic !== undefined) await post('room_changed_topic', patch.topic);
    if (patch.announcement !== undefined) await post('room_changed_announcement', patch.announcement);
    if (patch.description !== undefined) await post('room_changed_description', patch.description);
    // Rocket.Chat posts the translated word, `public` or `private`.
    if (patch.t !== undefined) await post('room_changed_privacy', patch.t === 'c' ? 'public' : 'private');
    if (patch.readOnly !== undefined)
      await post(patch.readOnly ? 'room-set-read-only' : 'room-removed-read-only', '');
    return (await tx.rooms.byId(room.id)) ?? room;
  });
}

/** Validates each requested setting and checks its extra permission; returns only what changes. */
async function settingsPatch(
  ctx: DomainContext,
  actor: Actor,
  room: Room,
  change: RoomSettingsChange,
): Promise<RoomPatch> {
  const patch: { -readonly [K in keyof RoomPatch]: RoomPatch[K] } = {};
  if (change.name !== undefined) {
    const name = checkRoomName(ctx.settings, change.name);
    if (name !== room.name) {
      patch.name = name;
      patch.fname = name;
    }
  }
  for (const field of ['topic', 'description', 'announcement'] as const) {
    const value = change[field];
    if (value !== undefined && checkRoomText(field, value) !== room[field]) patch[field] = value;
  }
  if (change.type !== undefined && change.type !== room.t) {
    if (!(await ctx.authz.hasPermission(actor, `create-${change.type}`))) {
      throw ChatError.actionNotAllowed(
        change.type === 'c'
          ? 'Changing a private group to a public channel is not allowed'
          : 'Changing a public channel to a private room is not allowed',
        'Change_Room_Type',
      );
    }
    patch.t = change.type;
  }
  if (change.readOnly !== undefined && change.readOnly !== room.readOnly) {
    await ctx.authz.require(actor, 'set-readonly', room.id);
    patch.readOnly = change.readOnly;
  }
  if (change.readReceipts !== undefined && change.readReceipts !== room.readReceipts) {
    patch.readReceipts = change.readReceipts;
  }
  if (change.isDefault !== undefined && change.isDefault !== room.isDefault) {
    // Making a room one every new user joins is for room administrators, not room owners.
    await ctx.authz.require(actor, 'view-room-administration');
    patch.isDefault = change.isDefault;
  }
  if (change.joinCode !== undefined) {
    if (room.t !== 'c')
      throw ChatError.actionNotAllowed('Join codes are only for public channels', 'Set_Join_Code');
    const code = checkRoomText('joinCode', change.joinCode);
    if (code.length > 128) throw ChatError.invalidParams('joinCode must be at most 128 characters');
    const hash = code === '' ? null : hashToken(code);
    if (hash !== room.joinCodeHash) patch.joinCodeHash = hash;
  }
  return patch;
}
