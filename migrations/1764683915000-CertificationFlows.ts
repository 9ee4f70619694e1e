import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The browser flows this service started (`POST /certifications/window`): a window result is
 * accepted only for one of them, from the browser holding its secret (stored as a SHA-256 hash).
 */
export class CertificationFlows1764683915000 implements MigrationInterface {
  name = 'CertificationFlows1764683915000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE certification_flows (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        merchant_uid varchar(64) NOT NULL,
        secret_hash char(64) NOT NULL,
        min_age smallint,
        imp_uid varchar(64),
        claimed_at timestamptz,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_certification_flows_merchant_uid ON certification_flows (merchant_uid)`);
    await q.query(`CREATE INDEX ix_certification_flows_expires ON certification_flows (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE certification_flows`);
  }
}
