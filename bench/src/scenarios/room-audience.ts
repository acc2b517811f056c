import type { DatasetPlan, RoomKind } from '../dataset/plan.js';
import type { Rng } from '../load/rng.js';

/** Where messages go (§6.3 of the design): DMs 40 %, group DMs 15 %, team channels 40 %, general 5 %. */
export const SEND_MIX: readonly (readonly [RoomKind, number])[] = [
  ['dm', 0.4],
  ['group-dm', 0.15],
  ['team', 0.4],
  ['general', 0.05],
];

/** A room messages are posted into, with the clients that listen to it. */
export interface AudienceRoom {
  readonly id: string;
  readonly kind: RoomKind;
  /** Client numbers of its connected members, ascending: every one of them subscribes to the room. */
  online: number[];
}

/** Who listens where, when the first `connectedUsers` users of the data set are connected. */
export interface Audience {
  /** Per client: the ids of its rooms, each subscribed on `stream-room-messages`. */
  readonly roomsOf: readonly (readonly string[])[];
  readonly rooms: readonly AudienceRoom[];
}

/**
 * S2's audience (as `runMessageStorm` derives it): every room of a connected user but the hot
 * history room, which only S5 reads.
 */
export function audienceOf(plan: DatasetPlan, connectedUsers: number): Audience {
  const count = Math.min(connectedUsers, plan.users.length);
  const roomsOf: string[][] = Array.from({ length: count }, () => []);
  const rooms: AudienceRoom[] = [];
  for (const room of plan.rooms) {
    if (room.kind === 'hot') continue;
    const online = room.members.filter((m) => m < count);
    if (online.length === 0) continue;
    for (const member of online) roomsOf[member]?.push(room.id);
    rooms.push({ id: room.id, kind: room.kind, online });
  }
  return { roomsOf, rooms };
}

/** Picks rooms by S2's send mix (§6.3), among those with someone online. */
export class RoomPicker {
  readonly #mix: { share: number; rooms: AudienceRoom[] }[];
  readonly #total: number;

  constructor(rooms: readonly AudienceRoom[]) {
    this.#mix = SEND_MIX.map(([kind, share]) => ({
      share,
      rooms: rooms.filter((r) => r.kind === kind && r.online.length > 0),
    })).filter((m) => m.rooms.length > 0);
    this.#total = this.#mix.reduce((a, m) => a + m.share, 0);
    if (this.#mix.length === 0) throw new Error('no room of the send mix has a connected member');
  }

  pick(rng: Rng): AudienceRoom {
    let left = rng.next() * this.#total;
    for (const m of this.#mix) {
      left -= m.share;
      if (left < 0) return rng.pick(m.rooms);
    }
    return rng.pick((this.#mix.at(-1) as { rooms: AudienceRoom[] }).rooms);
  }
}
