import type { DomainContext } from '../context.js';
import type { BusListener } from '../ports/event-bus.js';

/**
 * Keeps this process's settings and permission caches in step with changes committed by any
 * process: the writer updates its own cache at once, the others when the event reaches them.
 */
export function cacheConsumer(ctx: Pick<DomainContext, 'settings' | 'authz'>): BusListener {
  return {
    events(events) {
      for (const event of events) {
        if (event.type === 'setting.changed') {
          const cached = ctx.settings.get(event.setting.id);
          if (!cached || cached.updatedAt <= event.setting.updatedAt)
            ctx.settings.replaceAfterCommit(event.setting);
        } else if (event.type === 'permission.changed') {
          const cached = ctx.authz.permission(event.permissionId);
          if (!cached || cached.updatedAt <= event.updatedAt)
            ctx.authz.replaceAfterCommit({
              id: event.permissionId,
              roles: event.roles,
              updatedAt: event.updatedAt,
            });
        }
      }
    },
    signal() {},
  };
}
