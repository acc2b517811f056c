import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { PresenceHooks } from '../domain/presence/presence.js';
import type { EventBus } from '../domain/ports/event-bus.js';
import type { Actor } from '../domain/shared/actor.js';
import type { UserId } from '../domain/shared/ids.js';
import type { LiveReads } from '../domain/subscriptions/live-reads.js';
import { DdpConnection, type ConnectionHost } from './connection.js';
import { CloseCode, meteorError, toMeteorError } from './ddp.js';
import { createFanOut } from './fan-out.js';
import { Hub } from './hub.js';
import { LocalMembership } from './membership.js';
import type { MethodTable } from './methods/method.js';
import { authorizeStream } from './streams.js';

/** The gateway's timings (see `RealtimeConfig` in config/). */
export interface GatewayTimings {
  readonly heartbeatMs: number;
  readonly connectTimeoutMs: number;
  readonly idleAfterMs: number;
}

export interface GatewayOptions {
  readonly server: Server;
  readonly bus: EventBus;
  readonly live: LiveReads;
  readonly methods: MethodTable;
  readonly presence: PresenceHooks;
  readonly config: GatewayTimings;
  readonly logger: Logger;
  readonly now: () => number;
  readonly newId: () => string;
  /** Largest frame accepted; a larger one closes the socket (1009). */
  readonly maxFrameBytes?: number;
  readonly rateLimit?: { readonly burst: number; readonly perSecond: number };
}

export interface Gateway {
  /** Open sockets, for metrics and tests. */
  readonly connectionCount: number;
  readonly subscriptionCount: number;
  close(): Promise<void>;
}

/**
 * Rocket.Chat's realtime API at `/websocket`: Meteor DDP over one WebSocket per client. Hears
 * the bus and fans committed events out to its own sockets.
 */
export function attachGateway(options: GatewayOptions): Gateway {
  const { bus, live, presence, config, logger } = options;
  const hub = new Hub();
  const membership = new LocalMembership();
  const connections = new Set<DdpConnection>();
  const byUser = new Map<UserId, Set<DdpConnection>>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? 1024 * 1024 });
  const onError = (error: unknown, context: Record<string, unknown>) =>
    logger.error({ err: error, ...context }, 'realtime error');

  const attachUser = async (connection: DdpConnection, actor: Actor): Promise<void> => {
    const own = byUser.get(actor.userId) ?? new Set<DdpConnection>();
    byUser.set(actor.userId, own);
    own.add(connection);
    presence.connectionOpened(actor.userId, connection.id);
    await membership.follow(actor.userId, () => live.memberRoomIds(actor.userId));
  };

  const detachUser = (connection: DdpConnection, actor: Actor): void => {
    const own = byUser.get(actor.userId);
    own?.delete(connection);
    if (own?.size === 0) {
      byUser.delete(actor.userId);
      membership.unfollow(actor.userId);
    }
    presence.connectionClosed(actor.userId, connection.id);
    // Only what anyone may read survives a logout.
    hub.removeWhere(connection, (sub) => sub.stream !== 'stream-notify-all');
  };

  const host: ConnectionHost = {
    methods: options.methods,
    rateLimit: options.rateLimit ?? { burst: 60, perSecond: 20 },
    now: options.now,
    newId: options.newId,
    onError,
    async subscribe(connection, subId, name, params) {
      const eventName = params[0];
      if (typeof eventName !== 'string' || eventName.length > 512) {
        connection.send({
          msg: 'nosub',
          id: subId,
          error: meteorError('error-invalid-params', 'Invalid event name'),
        });
        return;
      }
      // `[event, true]` is the old useCollection form: the client wants an `added` first.
      const useCollection =
        params[1] === true ||
        (typeof params[1] === 'object' &&
          params[1] !== null &&
          (params[1] as { useCollection?: unknown }).useCollection === true);
      let grant;
      try {
        grant = await authorizeStream(live, connection.actor, name, eventName, (userId, roomId) =>
          membership.knownMember(userId, roomId),
        );
      } catch (error) {
        connection.send({ msg: 'nosub', id: subId, error: toMeteorError(error) });
        return;
      }
      if (!connection.isOpen) return;
      hub.add({ connection, subId, stream: name, eventName, room: grant.room });
      if (useCollection) connection.send({ msg: 'added', collection: name, id: 'id', fields: { eventName } });
      connection.send({ msg: 'ready', subs: [subId] });
    },
    unsubscribe(connection, subId) {
      hub.remove(connection, subId);
      connection.send({ msg: 'nosub', id: subId });
    },
    async loggedIn(connection, actor, user) {
      if (connection.actor !== actor) return;
      await attachUser(connection, actor);
      // Meteor publishes the user's own document; Rocket.Chat's clients read `username` from it.
      connection.send({
        msg: 'added',
        collection: 'users',
        id: user.id,
        fields: { username: user.username, name: user.name, status: user.status, utcOffset: user.utcOffset },
      });
    },
    loggedOut(connection, previous) {
      detachUser(connection, previous);
    },
    active(connection) {
      if (connection.idle && connection.actor) {
        connection.idle = false;
        presence.connectionIdle(connection.actor.userId, connection.id, false);
      }
    },
    idleChanged(connection) {
      if (connection.actor) presence.connectionIdle(connection.actor.userId, connection.id, connection.idle);
    },
    closed(connection) {
      connections.delete(connection);
      if (connection.actor) detachUser(connection, connection.actor);
      hub.removeWhere(connection);
    },
  };

  const recheckSessions = async (userId: UserId): Promise<void> => {
    for (const connection of [...(byUser.get(userId) ?? [])]) {
      const actor = connection.actor;
      if (!actor) continue;
      const fresh = await live.refreshActor(actor);
      if (connection.actor !== actor) continue;
      if (fresh) {
        connection.actor = fresh;
        continue;
      }
      hub.emit('stream-notify-user', `${userId}/force_logout`, [], (sub) => sub.connection === connection);
      connection.actor = null;
      detachUser(connection, actor);
    }
  };

  const unsubscribeBus = bus.subscribe(
    createFanOut({
      hub,
      membership,
      live,
      connectionsOf: (userId) => byUser.get(userId) ?? new Set(),
      recheckSessions,
      onError,
    }),
  );

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/websocket') {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new DdpConnection(ws, host, request.socket.remoteAddress ?? '');
      connections.add(connection);
      // Meteor servers greet first; clients ignore frames without `msg`.
      ws.send('{"server_id":"0"}');
    });
  };
  options.server.on('upgrade', onUpgrade);

  // One sweep for every connection: heartbeats, handshake timeouts and idleness.
  const sweepEvery = Math.max(
    50,
    Math.min(config.heartbeatMs, config.connectTimeoutMs, config.idleAfterMs) / 4,
  );
  const sweep = setInterval(() => {
    const now = options.now();
    for (const connection of connections) {
      if (!connection.connected) {
        if (now - connection.openedAt >= config.connectTimeoutMs)
          connection.close(CloseCode.timeout, 'no connect');
        continue;
      }
      if (connection.pingSentAt !== null) {
        if (now - connection.pingSentAt >= config.heartbeatMs) connection.close(CloseCode.timeout, 'no pong');
      } else if (now - connection.lastReceivedAt >= config.heartbeatMs) {
        connection.pingSentAt = now;
        connection.send({ msg: 'ping' });
      }
      if (connection.actor && !connection.idle && now - connection.lastActiveAt >= config.idleAfterMs) {
        connection.idle = true;
        presence.connectionIdle(connection.actor.userId, connection.id, true);
      }
    }
  }, sweepEvery);
  sweep.unref();

  return {
    get connectionCount() {
      return connections.size;
    },
    get subscriptionCount() {
      return hub.size;
    },
    async close() {
      clearInterval(sweep);
      unsubscribeBus();
      options.server.off('upgrade', onUpgrade);
      for (const connection of [...connections]) connection.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
