// Temporary home: folds into libs/certification's CertificationRepository.
import { preparedStatementFor, type Database, type Transaction } from '@app/common';
import type { CertificationFlow, CertificationStatus } from '@app/certification';

/** A row of certifications as the admin reads it (see CERTIFICATION_COLUMNS). */
export interface CertificationRow {
  id: string;
  imp_uid: string;
  merchant_uid: string | null;
  flow: CertificationFlow;
  status: CertificationStatus;
  name_enc: string | null;
  phone_enc: string | null;
  ci_enc?: string | null;
  di_enc?: string | null;
  birthday: string | null;
  gender: 'male' | 'female' | null;
  foreigner: boolean | null;
  carrier: string | null;
  created_at: Date;
  updated_at: Date;
  certified_at: Date | null;
  used_at: Date | null;
  pii_erased_at: Date | null;
  /** created_at with microseconds (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), for keyset cursors. */
  cursor_t: string;
  user_id?: string | null;
  upstream_attempts?: number | null;
  upstream_completed_at?: Date | null;
  upstream_next_attempt_at?: Date | null;
}

/** Filters of the admin list; every one is an index prefix or range ending in (created_at, id). */
export interface CertificationListFilter {
  status?: CertificationStatus;
  flow?: CertificationFlow;
  /** Inclusive lower bound on created_at. */
  from?: Date;
  /** Exclusive upper bound on created_at. */
  to?: Date;
  /** Blind index of the normalised phone number. */
  phoneBidx?: string;
  /** Rows strictly older than this (created_at, id). */
  before?: { t: string; id: string };
  limit: number;
}

/** What the admin services need of these tables (in-memory fakes implement it in unit specs). */
export interface AdminCertificationStore {
  list(filter: CertificationListFilter): Promise<CertificationRow[]>;
  findByImpUid(impUid: string, withIdentity: boolean, tx?: Transaction): Promise<CertificationRow | null>;
  lockForErase(impUid: string, tx: Transaction): Promise<{ id: string; impUid: string; piiErasedAt: Date | null } | null>;
  erasePii(certificationIds: readonly string[], at: Date, tx: Transaction): Promise<string[]>;
  countRetentionEligible(cutoff: Date): Promise<number>;
  lockRetentionBatch(cutoff: Date, limit: number, tx: Transaction): Promise<string[]>;
}

/** Birthday as text: no Date conversion. */
const CERTIFICATION_COLUMNS = `c.id, c.imp_uid, c.merchant_uid, c.flow, c.status, c.name_enc, c.phone_enc,
  c.birthday::text AS birthday, c.gender, c.foreigner, c.carrier, c.created_at, c.updated_at, c.certified_at,
  c.used_at, c.pii_erased_at`;

// A JavaScript Date has milliseconds only: a truncated cursor would skip rows of the same millisecond.
const CURSOR_T = `to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The admin's reads and writes of `certifications` and `verification_tokens`. */
export class AdminCertificationQueries implements AdminCertificationStore {
  constructor(private readonly db: Database) {}

  /** Newest first by (created_at, id). */
  list(filter: CertificationListFilter): Promise<CertificationRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.status !== undefined) where.push(`c.status = ${param(filter.status)}`);
    if (filter.flow !== undefined) where.push(`c.flow = ${param(filter.flow)}`);
    if (filter.from) where.push(`c.created_at >= ${param(filter.from.toISOString())}::timestamptz`);
    if (filter.to) where.push(`c.created_at < ${param(filter.to.toISOString())}::timestamptz`);
    // char(64) on both sides, or PostgreSQL compares as text and cannot use the index.
    if (filter.phoneBidx !== undefined) where.push(`c.phone_bidx = ${param(filter.phoneBidx)}::char(64)`);
    if (filter.before !== undefined) {
      where.push(`(c.created_at, c.id) < (${param(filter.before.t)}::timestamptz, ${param(filter.before.id)}::uuid)`);
    }
    // One text per combination of filters (values are parameters): each a prepared statement.
    const text = `SELECT ${CERTIFICATION_COLUMNS}, ${CURSOR_T} AS cursor_t
         FROM certifications c
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.created_at DESC, c.id DESC
        LIMIT ${param(filter.limit)}`;
    return this.db.prepared<CertificationRow>(preparedStatementFor('admin_list', text), params);
  }

  /** The row with its user and upstream deletion state; CI and DI only when asked for. */
  async findByImpUid(impUid: string, withIdentity: boolean, tx?: Transaction): Promise<CertificationRow | null> {
    const rows = await this.db.query<CertificationRow>(
      `SELECT ${CERTIFICATION_COLUMNS}, ${withIdentity ? 'c.ci_enc, c.di_enc,' : ''}
              ${CURSOR_T} AS cursor_t,
              u.id AS user_id, d.attempts AS upstream_attempts, d.completed_at AS upstream_completed_at,
              d.next_attempt_at AS upstream_next_attempt_at
         FROM certifications c
         LEFT JOIN users u ON u.certification_id = c.id
         LEFT JOIN upstream_deletions d ON d.imp_uid = c.imp_uid
        WHERE c.imp_uid = $1`,
      [impUid],
      tx,
    );
    return rows[0] ?? null;
  }

  /** Locks the row for an erasure in `tx`. */
  async lockForErase(impUid: string, tx: Transaction): Promise<{ id: string; impUid: string; piiErasedAt: Date | null } | null> {
    const rows = await this.db.query<{ id: string; imp_uid: string; pii_erased_at: Date | null }>(
      `SELECT id, imp_uid, pii_erased_at FROM certifications WHERE imp_uid = $1 FOR UPDATE`,
      [impUid],
      tx,
    );
    const row = rows[0];
    return row ? { id: row.id, impUid: row.imp_uid, piiErasedAt: row.pii_erased_at } : null;
  }

  /**
   * Clears every personal column of the given certifications (rows already erased are skipped)
   * and expires their unused verification tokens, so an erased verification cannot sign up.
   * Returns the imp_uids erased.
   */
  async erasePii(certificationIds: readonly string[], at: Date, tx: Transaction): Promise<string[]> {
    if (certificationIds.length === 0) return [];
    const erased = await this.db.query<{ imp_uid: string }>(
      `UPDATE certifications
          SET name_enc = NULL, phone_enc = NULL, phone_bidx = NULL, ci_enc = NULL, ci_bidx = NULL, di_enc = NULL,
              birthday = NULL, gender = NULL, foreigner = NULL, carrier = NULL,
              pii_erased_at = $2, updated_at = $2
        WHERE id = ANY($1::uuid[]) AND pii_erased_at IS NULL
        RETURNING imp_uid`,
      [[...certificationIds], at],
      tx,
    );
    await this.db.query(
      `UPDATE verification_tokens SET expires_at = $2
        WHERE certification_id = ANY($1::uuid[]) AND used_at IS NULL AND expires_at > $2`,
      [[...certificationIds], at],
      tx,
    );
    return erased.map((r) => r.imp_uid);
  }

  /** Verifications not used for a signup, not erased, created before `cutoff`. */
  async countRetentionEligible(cutoff: Date): Promise<number> {
    const rows = await this.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM certifications
        WHERE pii_erased_at IS NULL AND status <> 'used' AND created_at < $1`,
      [cutoff],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The oldest `limit` of those, locked in `tx`; rows a signup holds are skipped, not waited for. */
  async lockRetentionBatch(cutoff: Date, limit: number, tx: Transaction): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM certifications
        WHERE pii_erased_at IS NULL AND status <> 'used' AND created_at < $1
        ORDER BY created_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [cutoff, limit],
      tx,
    );
    return rows.map((r) => r.id);
  }
}
