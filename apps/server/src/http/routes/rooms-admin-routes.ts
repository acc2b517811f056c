import { ErrorResponse, RoomObject, Success } from '@parley/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static, type TProperties } from 'typebox';
import type { RoomRole } from '../../domain/rooms/room-roles.js';
import type { RoomSettingsChange } from '../../domain/rooms/room-settings.js';
import type { Room } from '../../domain/rooms/room.js';
import type { RoomId } from '../../domain/shared/ids.js';
import { actorOf } from '../authentication.js';
import { presentRoom } from '../../presenters/rooms.js';
import { RoomKeyFields, roomKeyOf, UserKeyFields, userKeyOf } from '../room-params.js';
import { ok, type RouteDeps } from '../route-deps.js';
import { CHANNELS, GROUPS } from './rooms-routes.js';

type Family = typeof CHANNELS;

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const Empty = Success({});
const Text = Type.String({ maxLength: 5000 });
const RoomType = Type.Union([Type.Literal('c'), Type.Literal('p')]);
const RoomBody = Type.Object({ ...RoomKeyFields });
const MemberBody = Type.Object({ ...RoomKeyFields, ...UserKeyFields });
const AddAllBody = Type.Object({ ...RoomKeyFields, activeUsersOnly: Type.Optional(Type.Boolean()) });

/** A `{ roomId|roomName, <field> }` body whose one setting maps onto `RoomSettingsChange`. */
interface Setter {
  readonly path: string;
  readonly body: TProperties;
  readonly change: (body: Record<string, unknown>) => RoomSettingsChange;
  /** Rocket.Chat answers with the value (`{ topic }`) or with the whole room (`{ channel }`). */
  readonly answer: 'value' | 'room';
  readonly refuseUnchanged?: boolean;
  readonly channelsOnly?: boolean;
}

const SETTERS: readonly Setter[] = [
  { path: 'setTopic', body: { topic: Text }, change: (b) => ({ topic: b.topic as string }), answer: 'value' },
  {
    path: 'setDescription',
    body: { description: Text },
    change: (b) => ({ description: b.description as string }),
    answer: 'value',
  },
  // Rocket.Chat's purpose is the description under another name.
  {
    path: 'setPurpose',
    body: { purpose: Text },
    change: (b) => ({ description: b.purpose as string }),
    answer: 'value',
  },
  {
    path: 'setAnnouncement',
    body: { announcement: Text },
    change: (b) => ({ announcement: b.announcement as string }),
    answer: 'value',
  },
  {
    path: 'setType',
    body: { type: RoomType },
    change: (b) => ({ type: b.type as 'c' | 'p' }),
    answer: 'room',
    refuseUnchanged: true,
  },
  {
    path: 'setReadOnly',
    body: { readOnly: Type.Boolean() },
    change: (b) => ({ readOnly: b.readOnly as boolean }),
    answer: 'room',
    refuseUnchanged: true,
  },
  {
    path: 'rename',
    body: { name: Type.String({ minLength: 1, maxLength: 128 }) },
    change: (b) => ({ name: b.name as string }),
    answer: 'room',
    refuseUnchanged: true,
  },
  {
    path: 'setDefault',
    body: { default: Type.Boolean() },
    change: (b) => ({ isDefault: b.default as boolean }),
    answer: 'room',
    refuseUnchanged: true,
    channelsOnly: true,
  },
  {
    path: 'setJoinCode',
    body: { joinCode: Type.String({ maxLength: 128 }) },
    change: (b) => ({ joinCode: b.joinCode as string }),
    answer: 'room',
    channelsOnly: true,
  },
];

const ROLE_ROUTES: readonly { path: string; role: RoomRole; grant: boolean }[] = [
  { path: 'addOwner', role: 'owner', grant: true },
  { path: 'removeOwner', role: 'owner', grant: false },
  { path: 'addModerator', role: 'moderator', grant: true },
  { path: 'removeModerator', role: 'moderator', grant: false },
  { path: 'addLeader', role: 'leader', grant: true },
  { path: 'removeLeader', role: 'leader', grant: false },
];

/** Routes for room administration: settings, room roles, archive, delete, open/close, favorite. */
export function roomAdminRoutes(app: FastifyInstance, deps: RouteDeps): void {
  adminFamilyRoutes(app, deps, CHANNELS);
  adminFamilyRoutes(app, deps, GROUPS);
  roomsRoutes(app, deps);
}

/** `channels.*` or `groups.*`: setters, rename, archive, delete, open/close, room roles, moderators, addAll. */
function adminFamilyRoutes(app: FastifyInstance, deps: RouteDeps, family: Family): void {
  const { actions, auth } = deps;
  const types: Room['t'][] = [family.type];
  const path = (name: string) => `/api/v1/${family.prefix}.${name}`;
  const tags = [family.prefix];
  const RoomResponse = Success({ [family.one]: RoomObject });

  for (const setter of SETTERS) {
    if (setter.channelsOnly && family.type !== 'c') continue;
    const Body = Type.Object({ ...RoomKeyFields, ...setter.body });
    const [field] = Object.keys(setter.body) as [string];
    const response = setter.answer === 'room' ? RoomResponse : Success({ [field]: Type.String() });
    /** `POST /api/v1/{channels,groups}.<setter>` — changes one room setting. */
    app.post(
      path(setter.path),
      { onRequest: auth, schema: { tags, body: Body, response: { 200: response, ...errors } } },
      async (request) => {
        const body = request.body as Record<string, unknown> & Static<typeof RoomBody>;
        const room = await actions.changeRoomSettings(actorOf(request), {
          room: roomKeyOf(body),
          types,
          change: setter.change(body),
          ...(setter.refuseUnchanged ? { refuseUnchanged: true } : {}),
        });
        return setter.answer === 'room'
          ? ok({ [family.one]: presentRoom(room) })
          : ok({ [field]: body[field] as string });
      },
    );
  }

  const simple = (
    name: string,
    run: (request: FastifyRequest, body: Static<typeof RoomBody>) => Promise<void>,
  ) =>
    app.post(
      path(name),
      { onRequest: auth, schema: { tags, body: RoomBody, response: { 200: Empty, ...errors } } },
      async (request) => {
        await run(request, request.body as Static<typeof RoomBody>);
        return ok({});
      },
    );
  /** `POST .archive` — the room becomes read-only history (`archive-room`). */
  simple('archive', (request, body) => actions.archiveRoom(actorOf(request), roomKeyOf(body), types));
  /** `POST .unarchive` — the room takes writes again (`unarchive-room`). */
  simple('unarchive', (request, body) => actions.unarchiveRoom(actorOf(request), roomKeyOf(body), types));
  /** `POST .delete` — removes the room, its messages and memberships (`delete-c`/`delete-p`). */
  simple('delete', (request, body) => actions.deleteRoom(actorOf(request), roomKeyOf(body), types));
  /** `POST .open` / `.close` — shows or hides the room in the caller's sidebar. */
  simple('open', (request, body) =>
    actions.setRoomOpen(actorOf(request), { room: roomKeyOf(body), types, open: true }),
  );
  simple('close', (request, body) =>
    actions.setRoomOpen(actorOf(request), { room: roomKeyOf(body), types, open: false }),
  );

  for (const route of ROLE_ROUTES) {
    /** `POST .addOwner` and friends — grants or revokes a room role (`set-owner`, …). */
    app.post(
      path(route.path),
      { onRequest: auth, schema: { tags, body: MemberBody, response: { 200: Empty, ...errors } } },
      async (request) => {
        const body = request.body as Static<typeof MemberBody>;
        await actions.changeRoomRole(actorOf(request), {
          room: roomKeyOf(body),
          types,
          user: userKeyOf(body),
          role: route.role,
          grant: route.grant,
        });
        return ok({});
      },
    );
  }

  const Moderator = Type.Object({ _id: Type.String(), username: Type.String(), name: Type.String() });
  /** `GET .moderators` — members holding the room's moderator role. */
  app.get(
    path('moderators'),
    {
      onRequest: auth,
      schema: {
        tags,
        querystring: RoomBody,
        response: { 200: Success({ moderators: Type.Array(Moderator) }), ...errors },
      },
    },
    async (request) => {
      const moderators = await actions.roomModerators(
        actorOf(request),
        roomKeyOf(request.query as Static<typeof RoomBody>),
        types,
      );
      return ok({ moderators: moderators.map((m) => ({ _id: m.id, username: m.username, name: m.name })) });
    },
  );

  /** `POST .addAll` — subscribes every active user (`add-all-to-room`). */
  app.post(
    path('addAll'),
    { onRequest: auth, schema: { tags, body: AddAllBody, response: { 200: RoomResponse, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof AddAllBody>;
      const room = await actions.addAllUsersToRoom(actorOf(request), roomKeyOf(body), types);
      return ok({ [family.one]: presentRoom(room) });
    },
  );
}

const SaveRoomSettingsBody = Type.Object({
  rid: Type.String({ minLength: 1, maxLength: 64 }),
  roomName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  roomTopic: Type.Optional(Text),
  roomAnnouncement: Type.Optional(Text),
  roomDescription: Type.Optional(Text),
  readOnly: Type.Optional(Type.Boolean()),
  roomType: Type.Optional(RoomType),
  default: Type.Optional(Type.Boolean()),
  /** Parley's own: turns read receipts for the room on or off. */
  readReceipts: Type.Optional(Type.Boolean()),
});
const FavoriteBody = Type.Object({ ...RoomKeyFields, favorite: Type.Boolean() });

/** `rooms.saveRoomSettings`, `rooms.favorite`, `rooms.leave`. */
function roomsRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { actions, auth } = deps;
  const tags = ['rooms'];

  /** `POST /api/v1/rooms.saveRoomSettings` — changes several settings of a channel or group at once. */
  app.post(
    '/api/v1/rooms.saveRoomSettings',
    {
      onRequest: auth,
      schema: {
        tags,
        body: SaveRoomSettingsBody,
        response: { 200: Success({ rid: Type.String() }), ...errors },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof SaveRoomSettingsBody>;
      const room = await actions.changeRoomSettings(actorOf(request), {
        room: { roomId: body.rid as RoomId },
        types: ['c', 'p'],
        change: {
          ...(body.roomName !== undefined ? { name: body.roomName } : {}),
          ...(body.roomTopic !== undefined ? { topic: body.roomTopic } : {}),
          ...(body.roomAnnouncement !== undefined ? { announcement: body.roomAnnouncement } : {}),
          ...(body.roomDescription !== undefined ? { description: body.roomDescription } : {}),
          ...(body.readOnly !== undefined ? { readOnly: body.readOnly } : {}),
          ...(body.roomType !== undefined ? { type: body.roomType } : {}),
          ...(body.default !== undefined ? { isDefault: body.default } : {}),
          ...(body.readReceipts !== undefined ? { readReceipts: body.readReceipts } : {}),
        },
      });
      return ok({ rid: room.id });
    },
  );

  const MuteBody = Type.Object({ ...RoomKeyFields, ...UserKeyFields });
  for (const [name, muted] of [
    ['muteUser', true],
    ['unmuteUser', false],
  ] as const) {
    /** `POST /api/v1/rooms.muteUser` / `rooms.unmuteUser` — a muted member reads but cannot post. */
    app.post(
      `/api/v1/rooms.${name}`,
      { onRequest: auth, schema: { tags, body: MuteBody, response: { 200: Empty, ...errors } } },
      async (request) => {
        const body = request.body as Static<typeof MuteBody>;
        await actions.setUserMuted(actorOf(request), { room: roomKeyOf(body), user: userKeyOf(body), muted });
        return ok({});
      },
    );
  }

  /** `POST /api/v1/rooms.favorite` — stars or unstars a room in the caller's sidebar. */
  app.post(
    '/api/v1/rooms.favorite',
    { onRequest: auth, schema: { tags, body: FavoriteBody, response: { 200: Empty, ...errors } } },
    async (request) => {
      const body = request.body as Static<typeof FavoriteBody>;
      await actions.favoriteRoom(actorOf(request), { room: roomKeyOf(body), favorite: body.favorite });
      return ok({});
    },
  );

  /** `POST /api/v1/rooms.leave` — the caller leaves a channel or group. */
  app.post(
    '/api/v1/rooms.leave',
    { onRequest: auth, schema: { tags, body: RoomBody, response: { 200: Empty, ...errors } } },
    async (request) => {
      await actions.leaveRoom(actorOf(request), roomKeyOf(request.body as Static<typeof RoomBody>), [
        'c',
        'p',
      ]);
      return ok({});
    },
  );
}
