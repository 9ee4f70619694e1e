import type { Database } from '@app/common';
import type { UserTombstoneEntity } from '../user-tombstone.entity';

/** A row of `user_tombstones`. */
export type UserTombstone = Pick<UserTombstoneEntity, keyof UserTombstoneEntity>;

/** What services need of the user_tombstones table (in-memory fakes implement it in unit specs). */
export interface UserTombstoneStore {
  find(id: string): Promise<UserTombstone | null>;
}

/** The `user_tombstones` table (owned by libs/user); rows are written by `UserRepository.erase`. */
export class UserTombstoneRepository implements UserTombstoneStore {
  constructor(private readonly db: Database) {}

  async find(id: string): Promise<UserTombstone | null> {
    const rows = await this.db.query<{ id: string; erased_at: Date; reason: string }>(
      `SELECT id, erased_at, reason FROM user_tombstones WHERE id = $1::uuid`,
      [id],
    );
    const row = rows[0];
    return row ? { id: row.id, erasedAt: row.erased_at, reason: row.reason } : null;
  }
}
