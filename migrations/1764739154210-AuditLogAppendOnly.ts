import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * audit_log becomes append-only: an UPDATE is refused, and so is a DELETE of a row younger than
 * `audit_log_min_retention()` (365 days; a later migration may CREATE OR REPLACE it). A
 * retention job may delete older rows. The `audit` subject type records reads of the log itself.
 */
export class AuditLogAppendOnly1764739154210 implements MigrationInterface {
  name = 'AuditLogAppendOnly1764739154210';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_subject_type_check`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_subject_type_check CHECK (subject_type IN ('certification', 'user', 'audit'))`);
    await q.query(`CREATE OR REPLACE FUNCTION audit_log_min_retention() RETURNS interval LANGUAGE sql IMMUTABLE AS $$ SELECT interval '365 days' $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          RAISE EXCEPTION 'audit_log rows cannot be updated' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF OLD.occurred_at > now() - audit_log_min_retention() THEN
          RAISE EXCEPTION 'audit_log rows cannot be deleted before their retention period' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER tr_audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS tr_audit_log_append_only ON audit_log`);
    await q.query(`DROP FUNCTION IF EXISTS audit_log_append_only()`);
    await q.query(`DROP FUNCTION IF EXISTS audit_log_min_retention()`);
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_subject_type_check`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_subject_type_check CHECK (subject_type IN ('certification', 'user'))`);
  }
}
