import { Inject, Injectable } from '@nestjs/common';
import type { Database, Transaction } from '@app/common';
import { CERTIFICATION_DATABASE } from '../certification.constants';

/** What the services need of the `verification_tokens` table (in-memory fakes implement it in unit specs). */
export interface VerificationTokenStore {
  hasToken(certificationId: string, tx: Transaction): Promise<boolean>;
  insert(certificationId: string, tokenHash: string, expiresAt: Date, tx: Transaction): Promise<void>;
  /** Expires the unused, unexpired tokens of these verifications at `at` (erasure). */
  expireUnused(certificationIds: readonly string[], at: Date, tx: Transaction): Promise<void>;
}

/** The SQL of the `verification_tokens` table; only a token's SHA-256 is stored. */
@Injectable()
export class VerificationTokenRepository implements VerificationTokenStore {
  constructor(@Inject(CERTIFICATION_DATABASE) private readonly db: Database) {}

  async hasToken(certificationId: string, tx: Transaction): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM verification_tokens WHERE certification_id = $1 LIMIT 1`, [certificationId], tx);
    return rows.length > 0;
  }

  async insert(certificationId: string, tokenHash: string, expiresAt: Date, tx: Transaction): Promise<void> {
    await this.db.query(
      `INSERT INTO verification_tokens (certification_id, token_hash, expires_at) VALUES ($1, $2, $3)`,
      [certificationId, tokenHash, expiresAt],
      tx,
    );
  }

  async expireUnused(certificationIds: readonly string[], at: Date, tx: Transaction): Promise<void> {
    if (certificationIds.length === 0) return;
    await this.db.query(
      `UPDATE verification_tokens SET expires_at = $2
        WHERE certification_id = ANY($1::uuid[]) AND used_at IS NULL AND expires_at > $2`,
      [[...certificationIds], at],
      tx,
    );
  }
}
