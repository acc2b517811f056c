import {
  ErrorResponse,
  PageInfo,
  Pagination,
  PermissionsListAllResponse,
  PermissionsUpdateBody,
  RoleAssignmentBody,
  RoleObject,
  RoleResponse,
  Success,
  UpdatedSince,
  UserObject,
} from '@parley/protocol';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { ChatError } from '../../domain/shared/errors.js';
import { actorOf } from '../authentication.js';
import { pageOf, updatedSinceOf } from '../pagination.js';
import { presentPermission, presentRole } from '../../presenters/permissions.js';
import { presentUser } from '../../presenters/user.js';
import { ok, type RouteDeps } from '../route-deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

function roleOf(body: Static<typeof RoleAssignmentBody>) {
  const role = body.roleId ?? body.roleName;
  if (role === undefined)
    throw ChatError.invalid(
      'error-invalid-role-properties',
      'The role properties are invalid: give roleId or roleName',
    );
  return { role, username: body.username, ...(body.roomId !== undefined ? { roomId: body.roomId } : {}) };
}

export function permissionsRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { actions, auth, publicUrl, settings } = deps;

  /** `GET /api/v1/permissions.listAll` — every permission, or those changed since `updatedSince`. */
  app.get(
    '/api/v1/permissions.listAll',
    {
      onRequest: auth,
      schema: {
        tags: ['permissions'],
        querystring: UpdatedSince,
        response: { 200: PermissionsListAllResponse, ...errors },
      },
    },
    async (request) => {
      const since = updatedSinceOf((request.query as Static<typeof UpdatedSince>).updatedSince);
      const permissions = await actions.listPermissions(since);
      return ok({ update: permissions.map(presentPermission), remove: [] });
    },
  );

  /** `POST /api/v1/permissions.update` — sets the roles of permissions (`access-permissions`). */
  app.post(
    '/api/v1/permissions.update',
    {
      onRequest: auth,
      schema: {
        tags: ['permissions'],
        body: PermissionsUpdateBody,
        response: {
          200: Success({ permissions: Type.Array(PermissionsListAllResponse.properties.update.items) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const body = request.body as Static<typeof PermissionsUpdateBody>;
      const permissions = await actions.updatePermissions(actorOf(request), body.permissions);
      return ok({ permissions: permissions.map(presentPermission) });
    },
  );

  /** `GET /api/v1/roles.list` — every role. */
  app.get(
    '/api/v1/roles.list',
    {
      onRequest: auth,
      schema: { tags: ['roles'], response: { 200: Success({ roles: Type.Array(RoleObject) }), ...errors } },
    },
    async () => {
      return ok({ roles: (await actions.listRoles()).map(presentRole) });
    },
  );

  /** `GET /api/v1/roles.sync` — roles changed since `updatedSince`. */
  app.get(
    '/api/v1/roles.sync',
    {
      onRequest: auth,
      schema: {
        tags: ['roles'],
        querystring: UpdatedSince,
        response: {
          200: Success({
            roles: Type.Object({ update: Type.Array(RoleObject), remove: Type.Array(RoleObject) }),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const raw = (request.query as Static<typeof UpdatedSince>).updatedSince;
      if (raw === undefined)
        throw ChatError.invalid(
          'error-updatedSince-param-invalid',
          'The "updatedSince" query parameter is required.',
        );
      const roles = await actions.listRoles(updatedSinceOf(raw));
      return ok({ roles: { update: roles.map(presentRole), remove: [] } });
    },
  );

  /** `POST /api/v1/roles.addUserToRole` — gives a user a global role (`access-permissions`). */
  app.post(
    '/api/v1/roles.addUserToRole',
    {
      onRequest: auth,
      schema: { tags: ['roles'], body: RoleAssignmentBody, response: { 200: RoleResponse, ...errors } },
    },
    async (request) => {
      const role = await actions.addUserToRole(
        actorOf(request),
        roleOf(request.body as Static<typeof RoleAssignmentBody>),
      );
      return ok({ role: presentRole(role) });
    },
  );

  /** `POST /api/v1/roles.removeUserFromRole` — takes a global role away (`access-permissions`). */
  app.post(
    '/api/v1/roles.removeUserFromRole',
    {
      onRequest: auth,
      schema: { tags: ['roles'], body: RoleAssignmentBody, response: { 200: RoleResponse, ...errors } },
    },
    async (request) => {
      const role = await actions.removeUserFromRole(
        actorOf(request),
        roleOf(request.body as Static<typeof RoleAssignmentBody>),
      );
      return ok({ role: presentRole(role) });
    },
  );

  const UsersInRoleQuery = Type.Object({
    role: Type.String({ minLength: 1, maxLength: 64 }),
    roomId: Type.Optional(Type.String({ maxLength: 64 })),
    ...Pagination,
  });
  /** `GET /api/v1/roles.getUsersInRole` — who holds a role (`access-permissions`). */
  app.get(
    '/api/v1/roles.getUsersInRole',
    {
      onRequest: auth,
      schema: {
        tags: ['roles'],
        querystring: UsersInRoleQuery,
        response: { 200: Success({ users: Type.Array(UserObject), total: PageInfo.total }), ...errors },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof UsersInRoleQuery>;
      const result = await actions.getUsersInRole(actorOf(request), {
        role: query.role,
        ...(query.roomId !== undefined ? { roomId: query.roomId } : {}),
        page: pageOf(settings, query),
      });
      return ok({
        users: result.items.map((u) => presentUser(u, { full: true, publicUrl })),
        total: result.total,
      });
    },
  );
}
