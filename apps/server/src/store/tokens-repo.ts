import type { Kysely, Selectable } from 'kysely';
import type { LoginToken } from '../domain/auth/login-token.js';
import type { TokenRepo } from '../domain/ports/store.js';
import type { DeviceId, UserId } from '../domain/shared/ids.js';
import { bool, int } from './json.js';
import type { Database, LoginTokensTable } from './schema.js';
import { translateUniqueViolation } from './unique-violation.js';

export function createTokenRepo(db: Kysely<Database>): TokenRepo {
  return {
    async insert(token) {
      await translateUniqueViolation(() =>
        db
          .insertInto('login_tokens')
          .values({
            hash: token.hash,
            user_id: token.userId,
            device_id: token.deviceId,
            kind: token.kind,
            name: token.name,
            last_token_part: token.lastTokenPart,
            bypass_two_factor: int(token.bypassTwoFactor),
            created_at: token.createdAt,
          })
          .execute(),
      );
    },

    async byHash(hash) {
      const row = await db.selectFrom('login_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row ? toToken(row) : null;
    },

    async deleteByHash(hash) {
      const result = await db.deleteFrom('login_tokens').where('hash', '=', hash).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async deleteLoginTokensOfUser(userId, keepHash) {
      let query = db.deleteFrom('login_tokens').where('user_id', '=', userId).where('kind', '=', 'login');
      if (keepHash !== undefined) query = query.where('hash', '!=', keepHash);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async deleteAllOfUser(userId) {
      const result = await db.deleteFrom('login_tokens').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async personalOfUser(userId) {
      const rows = await db
        .selectFrom('login_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .where('kind', '=', 'personal')
        .orderBy('created_at')
        .orderBy('name')
        .execute();
      return rows.map(toToken);
    },

    async personalByName(userId, name) {
      const row = await db
        .selectFrom('login_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .where('kind', '=', 'personal')
        .where('name', '=', name)
        .executeTakeFirst();
      return row ? toToken(row) : null;
    },
  };
}

function toToken(row: Selectable<LoginTokensTable>): LoginToken {
  return {
    hash: row.hash,
    userId: row.user_id as UserId,
    deviceId: row.device_id as DeviceId,
    kind: row.kind === 'personal' ? 'personal' : 'login',
    name: row.name,
    lastTokenPart: row.last_token_part,
    bypassTwoFactor: bool(row.bypass_two_factor),
    createdAt: row.created_at,
  };
}
