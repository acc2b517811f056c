import type { Tx } from '../ports/store.js';
import { ChatError } from '../shared/errors.js';
import type { UserId } from '../shared/ids.js';

/**
 * Refuses a change that would leave no active administrator (deleting, deactivating or demoting
 * the last one), so that nobody is locked out of the admin pages. Call inside `store.transaction`.
 */
export async function ensureAnotherActiveAdmin(tx: Tx, leaving: UserId): Promise<void> {
  const leavingUser = await tx.users.byId(leaving);
  const leavingCounts = leavingUser?.active === true && leavingUser.roles.includes('admin') ? 1 : 0;
  if ((await tx.users.countWithRole('admin')) - leavingCounts < 1) {
    throw ChatError.invalid('error-action-not-allowed', 'Leaving the app without admins is not allowed', {
      action: 'Remove_last_admin',
    });
  }
}
