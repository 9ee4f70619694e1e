import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One account per person for every provider (docs/architecture.md, "The person's key"): the DI's
 * blind index beside the CI's, each under a partial UNIQUE index on users; CI or DI is enough, one
 * of them is required. The provider of each verification and account. Rows from before keep
 * di_bidx NULL (computing it needs the HMAC key): UserDiBackfill fills it after boot.
 */
export class PersonKeys1764738291573 implements MigrationInterface {
  name = 'PersonKeys1764738291573';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE certifications ADD COLUMN di_bidx char(64), ADD COLUMN provider varchar(16) NOT NULL DEFAULT 'iamport'`);
    await q.query(`CREATE INDEX ix_certifications_di ON certifications (di_bidx)`);
    await q.query(`CREATE INDEX ix_certifications_provider_created ON certifications (provider, created_at, id)`);
    await q.query(`ALTER TABLE users ADD COLUMN di_bidx char(64), ADD COLUMN provider varchar(16) NOT NULL DEFAULT 'iamport'`);
    await q.query(`ALTER TABLE users ALTER COLUMN ci_bidx DROP NOT NULL, ALTER COLUMN ci_enc DROP NOT NULL`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT ck_users_person_key CHECK (ci_bidx IS NOT NULL OR di_bidx IS NOT NULL)`);
    await q.query(`DROP INDEX uq_users_ci_bidx`);
    await q.query(`CREATE UNIQUE INDEX uq_users_ci_bidx ON users (ci_bidx) WHERE ci_bidx IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX uq_users_di_bidx ON users (di_bidx) WHERE di_bidx IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM users WHERE ci_bidx IS NULL`);
    await q.query(`DROP INDEX uq_users_di_bidx`);
    await q.query(`DROP INDEX uq_users_ci_bidx`);
    await q.query(`CREATE UNIQUE INDEX uq_users_ci_bidx ON users (ci_bidx)`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT ck_users_person_key`);
    await q.query(`ALTER TABLE users ALTER COLUMN ci_bidx SET NOT NULL, ALTER COLUMN ci_enc SET NOT NULL`);
    await q.query(`ALTER TABLE users DROP COLUMN provider, DROP COLUMN di_bidx`);
    await q.query(`DROP INDEX ix_certifications_provider_created`);
    await q.query(`DROP INDEX ix_certifications_di`);
    await q.query(`ALTER TABLE certifications DROP COLUMN provider, DROP COLUMN di_bidx`);
  }
}
