import type { Kysely } from 'kysely';
import type { Audience, DomainEvent, StoredEvent } from '../domain/events/events.js';
import type { EventRepo } from '../domain/ports/store.js';
import type { RoomId, UserId } from '../domain/shared/ids.js';
import { parseJsonObject } from './json.js';
import type { Database, EventsTable } from './schema.js';

function audienceKey(audience: Audience): string {
  switch (audience.kind) {
    case 'room':
      return `room:${audience.roomId}`;
    case 'user':
      return `user:${audience.userId}`;
    default:
      return audience.kind;
  }
}

function audienceOf(key: string): Audience {
  if (key.startsWith('room:')) return { kind: 'room', roomId: key.slice(5) as RoomId };
  if (key.startsWith('user:')) return { kind: 'user', userId: key.slice(5) as UserId };
  return { kind: key === 'all' ? 'all' : 'logged' };
}

function toStored(
  row: Pick<EventsTable, 'type' | 'audience' | 'payload' | 'at'> & { position: number },
): StoredEvent {
  return {
    ...parseJsonObject(row.payload),
    type: row.type,
    audience: audienceOf(row.audience),
    position: row.position,
    at: row.at,
  } as StoredEvent;
}

/**
 * The outbox. `onAppended` hears of every stored event: the store holds them until the
 * transaction commits and forgets them if it rolls back.
 */
export function createEventRepo(
  db: Kysely<Database>,
  onAppended: (events: StoredEvent[]) => void,
): EventRepo {
  return {
    async append(events, at) {
      if (events.length === 0) return;
      const rows = events.map(({ type, audience, ...payload }: DomainEvent) => ({
        type,
        audience: audienceKey(audience),
        payload: JSON.stringify(payload),
        at,
      }));
      const inserted = await db.insertInto('events').values(rows).returning('position').execute();
      // Both databases hand out ascending positions in insertion order; RETURNING's row order is
      // not promised, so the positions are sorted before they are paired with the events.
      const positions = inserted.map((r) => Number(r.position)).sort((a, b) => a - b);
      onAppended(events.map((event, i) => ({ ...event, position: positions[i] ?? 0, at })));
    },

    async since(position, limit) {
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where('position', '>', position)
        .orderBy('position', 'asc')
        .limit(limit)
        .execute();
      return rows.map((r) => toStored({ ...r, position: Number(r.position) }));
    },

    async latestPosition() {
      const row = await db
        .selectFrom('events')
        .select((eb) => eb.fn.max('position').as('position'))
        .executeTakeFirst();
      return Number(row?.position ?? 0);
    },

    async pruneBefore(at) {
      const result = await db.deleteFrom('events').where('at', '<', at).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
