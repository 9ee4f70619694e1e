import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account erasure: `user_tombstones` keeps what is left of an erased account (its id, when and
 * why; no personal data) once its `users` row is deleted, so its UNIQUE ci_bidx no longer blocks
 * a new signup of the same person; the outbox takes their upstream deletions (reason
 * `account`). A used verification's copy of the personal data is no longer
 * kept (the account holds it): the copies left by earlier signups are erased here.
 */
export class UserErasure1764731905123 implements MigrationInterface {
  name = 'UserErasure1764731905123';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_tombstones (
        id uuid PRIMARY KEY,
        erased_at timestamptz NOT NULL,
        reason varchar(200) NOT NULL
      )`);
    await q.query(`CREATE INDEX ix_user_tombstones_erased ON user_tombstones (erased_at)`);
    await q.query(`ALTER TABLE upstream_deletions DROP CONSTRAINT upstream_deletions_reason_check`);
    await q.query(
      `ALTER TABLE upstream_deletions ADD CONSTRAINT upstream_deletions_reason_check CHECK (reason IN ('admin', 'retention', 'account'))`,
    );
    await q.query(
      `UPDATE certifications
          SET name_enc = NULL, phone_enc = NULL, phone_bidx = NULL, ci_enc = NULL, ci_bidx = NULL, di_enc = NULL,
              birthday = NULL, gender = NULL, foreigner = NULL, updated_at = now()
        WHERE status = 'used' AND pii_erased_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE upstream_deletions DROP CONSTRAINT upstream_deletions_reason_check`);
    await q.query(
      `ALTER TABLE upstream_deletions ADD CONSTRAINT upstream_deletions_reason_check CHECK (reason IN ('admin', 'retention')) NOT VALID`,
    );
    await q.query(`DROP TABLE user_tombstones`);
  }
}
