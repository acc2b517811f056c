import type { EventBus } from '../../domain/ports/event-bus.js';
import type { RoomId } from '../../domain/shared/ids.js';
import type { LiveReads } from '../../domain/subscriptions/live-reads.js';
import { MethodError } from '../ddp.js';
import { param, requireActor, type MethodDefinition } from './method.js';

/**
 * Client events, sent by calling a method named after the stream: typing in a room
 * (`<rid>/user-activity` with activities, or the older `<rid>/typing` with a boolean).
 */
export function streamMethods(bus: EventBus, live: LiveReads): Record<string, MethodDefinition> {
  return {
    'stream-notify-room': {
      async run(ctx, params) {
        const actor = requireActor(ctx);
        const eventName = param.string(params, 0, 'eventName', 512);
        const slash = eventName.lastIndexOf('/');
        const roomId = eventName.slice(0, slash) as RoomId;
        const event = eventName.slice(slash + 1);
        if (slash <= 0 || (event !== 'user-activity' && event !== 'typing'))
          throw new MethodError('not-allowed', 'Not allowed');
        const username = param.string(params, 1, 'username', 256);
        if (username !== actor.username) throw new MethodError('not-allowed', 'Not allowed');
        let activities: string[];
        if (event === 'typing') {
          const typing = param.optionalBoolean(params, 2, 'typing');
          activities = typing ? ['user-typing'] : [];
        } else {
          const raw = params[2] ?? [];
          if (
            !Array.isArray(raw) ||
            raw.length > 10 ||
            !raw.every((a) => typeof a === 'string' && a.length <= 64)
          )
            throw MethodError.badParams('activities must be a short list of strings');
          activities = raw as string[];
        }
        const extrasRaw = params[3];
        const extras: Record<string, unknown> = {};
        if (extrasRaw !== null && typeof extrasRaw === 'object' && !Array.isArray(extrasRaw)) {
          const tmid = (extrasRaw as Record<string, unknown>).tmid;
          if (typeof tmid === 'string' && tmid.length <= 64) extras.tmid = tmid;
        }
        let access;
        try {
          access = await live.roomAccess(actor, roomId);
        } catch {
          throw new MethodError('not-allowed', 'Not allowed');
        }
        if (!access.member) throw new MethodError('not-allowed', 'Not allowed');
        bus.signal({
          type: 'user-activity',
          roomId,
          userId: actor.userId,
          username: actor.username,
          activities,
          extras,
          connectionId: ctx.connectionId ?? '',
        });
        return undefined;
      },
    },
  };
}
