import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Verifications, verification tokens and users. */
export class InitialSchema1763856000000 implements MigrationInterface {
  name = 'InitialSchema1763856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE certifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        imp_uid varchar(64) NOT NULL,
        merchant_uid varchar(80),
        flow varchar(16) NOT NULL CHECK (flow IN ('otp', 'popup')),
        status varchar(16) NOT NULL CHECK (status IN ('pending', 'locked', 'expired', 'verified', 'used')),
        otp_attempts int NOT NULL DEFAULT 0,
        otp_expires_at timestamptz,
        name_enc text,
        phone_enc text,
        phone_bidx char(64),
        ci_enc text,
        ci_bidx char(64),
        di_enc text,
        birthday date,
        gender varchar(8),
        foreigner boolean,
        carrier varchar(16),
        certified_at timestamptz,
        used_at timestamptz,
        pii_erased_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_certifications_imp_uid ON certifications (imp_uid)`);
    await q.query(`CREATE INDEX ix_certifications_created ON certifications (created_at, id)`);
    await q.query(`CREATE INDEX ix_certifications_status_created ON certifications (status, created_at, id)`);
    await q.query(`CREATE INDEX ix_certifications_phone_created ON certifications (phone_bidx, created_at, id)`);
    await q.query(`CREATE INDEX ix_certifications_ci ON certifications (ci_bidx)`);

    await q.query(`
      CREATE TABLE verification_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        certification_id uuid NOT NULL REFERENCES certifications (id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_verification_tokens_hash ON verification_tokens (token_hash)`);
    await q.query(`CREATE INDEX ix_verification_tokens_certification ON verification_tokens (certification_id)`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ci_bidx char(64) NOT NULL,
        ci_enc text NOT NULL,
        di_enc text,
        name_enc text NOT NULL,
        phone_enc text,
        phone_bidx char(64),
        birthday date NOT NULL,
        gender varchar(8),
        foreigner boolean NOT NULL DEFAULT false,
        certification_id uuid NOT NULL REFERENCES certifications (id),
        nickname varchar(40),
        marketing_opt_in boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_users_ci_bidx ON users (ci_bidx)`);
    await q.query(`CREATE UNIQUE INDEX uq_users_certification ON users (certification_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE verification_tokens`);
    await q.query(`DROP TABLE certifications`);
  }
}
