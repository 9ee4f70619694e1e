import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admin lookup: the audit log, the outbox of upstream deletions, and the indexes the admin
 * queries need on millions of verification rows (checked with EXPLAIN on PostgreSQL 15 at
 * 1,000,000 rows; see docs/admin.md):
 *
 * - `ix_certifications_flow_created (flow, created_at, id)`: `?flow=` pages in index order:
 *   with popup at 0.15 % of rows a page took 9.8 ms (13,753 rows filtered) without it, 0.3 ms
 *   with it. `?status=&flow=` needs no composite: the planner takes the more selective of
 *   (status, created_at, id) and (flow, created_at, id) and filters the other (0.7 ms);
 * - `ix_certifications_retention (created_at) WHERE pii_erased_at IS NULL AND status <> 'used'`:
 *   the retention job finds old unused rows without stepping over the tombstones it left behind.
 *
 * Blind indexes are char(64): queries compare them with a char(64) parameter (`$1::char(64)`);
 * a text comparison (`phone_bidx::text = ...`) cannot use the index and scanned all 1,000,000
 * rows (560 ms) instead of 10 buffers (0.1 ms).
 *
 * Already present from the initial schema: (created_at, id) for the plain list,
 * (status, created_at, id), (phone_bidx, created_at, id) for `?phone=`, certifications.ci_bidx,
 * and the UNIQUE users.ci_bidx that serves `GET /admin/users?ci=`.
 */
export class AdminSchema1763856100000 implements MigrationInterface {
  name = 'AdminSchema1763856100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        key_id varchar(64) NOT NULL,
        action varchar(40) NOT NULL,
        subject_type varchar(16) NOT NULL CHECK (subject_type IN ('certification', 'user')),
        subject_id varchar(64),
        result varchar(16) NOT NULL,
        client_ip inet,
        request_id varchar(128)
      )`);
    await q.query(`CREATE INDEX ix_audit_log_occurred ON audit_log (occurred_at, id)`);
    await q.query(`CREATE INDEX ix_audit_log_subject ON audit_log (subject_id, occurred_at, id)`);
    await q.query(`CREATE INDEX ix_audit_log_key ON audit_log (key_id, occurred_at, id)`);

    await q.query(`
      CREATE TABLE upstream_deletions (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        imp_uid varchar(64) NOT NULL,
        reason varchar(16) NOT NULL CHECK (reason IN ('admin', 'retention')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        last_error varchar(200),
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_upstream_deletions_imp_uid ON upstream_deletions (imp_uid)`);
    await q.query(
      `CREATE INDEX ix_upstream_deletions_due ON upstream_deletions (next_attempt_at) WHERE completed_at IS NULL`,
    );

    await q.query(`CREATE INDEX ix_certifications_flow_created ON certifications (flow, created_at, id)`);
    await q.query(
      `CREATE INDEX ix_certifications_retention ON certifications (created_at) ` +
        `WHERE pii_erased_at IS NULL AND status <> 'used'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_certifications_retention`);
    await q.query(`DROP INDEX ix_certifications_flow_created`);
    await q.query(`DROP TABLE upstream_deletions`);
    await q.query(`DROP TABLE audit_log`);
  }
}
