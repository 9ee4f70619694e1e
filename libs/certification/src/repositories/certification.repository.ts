import { ReencryptionStatements, type EncryptedColumns, type EncryptedRow } from '@app/pii';
import { Inject, Injectable } from '@nestjs/common';
import { definePreparedStatement, isUniqueViolation, preparedStatementFor, type Database, type Transaction } from '@app/common';
import { CERTIFICATION_DATABASE } from '../certification.constants';
import { DuplicateImpUidError } from '../certification.errors';
import type { CertificationEntity, CertificationFlow, CertificationStatus } from '../entities/certification.entity';

/** A row of `certifications` (the entity's fields; birthday as `YYYY-MM-DD`). */
export type Certification = Pick<CertificationEntity, keyof CertificationEntity>;

/** The columns a certified verification gets from the provider's answer (encrypted where personal). */
export interface VerifiedValues {
  nameEnc: string;
  phoneEnc: string | null;
  phoneBidx: string | null;
  /** CI and DI where the provider gave them; at least one of the two (the recorder checks). */
  ciEnc: string | null;
  ciBidx: string | null;
  diEnc: string | null;
  diBidx?: string | null;
  birthday: string;
  gender: 'male' | 'female' | null;
  foreigner: boolean;
  carrier: string | null;
  certifiedAt: Date;
  merchantUid: string | null;
  /** The identity provider that verified it (`iamport`, `portone`); unset keeps the row's. */
  provider?: string;
}

/** A pending OTP verification to store (encrypted where personal). */
export interface PendingValues {
  impUid: string;
  merchantUid: string | null;
  nameEnc: string;
  phoneEnc: string;
  phoneBidx: string;
  birthday: string;
  carrier: string;
  otpExpiresAt: Date;
  /** Default `iamport`. */
  provider?: string;
  /** From the request's gender digit; the provider's answer replaces them (a resend rebuilds the request from them). */
  gender?: 'male' | 'female';
  foreigner?: boolean;
}

/** The CI, the DI and the blind indexes: what the admin list and detail never show, so never select. */
export type IdentityField = 'ciEnc' | 'ciBidx' | 'diEnc' | 'diBidx' | 'phoneBidx';
/** A Certification as the admin shows it: the identity fields not selected (null). */
export type ShownCertification = Omit<Certification, IdentityField> & { [K in IdentityField]: null };

/** The row without its identity fields (the in-memory stores' answer for the shown reads). */
export function withoutIdentity<T extends Certification>(row: T): Omit<T, IdentityField> & { [K in IdentityField]: null } {
  return { ...row, ciEnc: null, ciBidx: null, diEnc: null, diBidx: null, phoneBidx: null };
}

/** A listed Certification (identity fields not selected) with its keyset cursor. */
export interface ListedCertification extends ShownCertification {
  /** created_at with microseconds (`YYYY-MM-DDTHH:MM:SS.ffffffZ`): a Date would truncate it. */
  cursorT: string;
}

/** Filters of the list; every one is an index prefix or range ending in (created_at, id). */
export interface CertificationListFilter {
  status?: CertificationStatus;
  flow?: CertificationFlow;
  /** The identity provider (`iamport`, `portone`). */
  provider?: string;
  /** Blind index of the DI. */
  diBidx?: string;
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

/**
 * What the services need of the `certifications` table (in-memory fakes implement it in unit
 * specs). Methods taking a Transaction run in it; the others on the pool (on PGlite a pool of
 * one connection: never while a transaction of the same request holds it).
 */
export interface CertificationStore {
  /** By imp_uid, unless erased. */
  findLiveByImpUid(impUid: string): Promise<Certification | null>;
  findById(id: string): Promise<Certification | null>;
  /** By imp_uid, erased rows included. */
  findByImpUid(impUid: string, tx?: Transaction): Promise<Certification | null>;
  /** The same without the identity fields (the admin detail; a reveal reads `findByImpUid`). */
  findShownByImpUid(impUid: string, tx?: Transaction): Promise<ShownCertification | null>;
  /** Newest first by (created_at, id) (the admin list; in `tx` when it is audited). */
  list(filter: CertificationListFilter, tx?: Transaction): Promise<ListedCertification[]>;
  /** @throws DuplicateImpUidError */
  insertPending(values: PendingValues): Promise<string>;
  /** Reserves an attempt of a live, pending, unexpired OTP verification and answers it; else null. */
  reserveAttemptByImpUid(impUid: string, max: number, now: Date): Promise<Certification | null>;
  /** Attempts used including this one, or null (not pending, or none left). */
  reserveAttempt(id: string, max: number): Promise<number | null>;
  /** Gives a reserved attempt back (the OTP was not judged). */
  releaseAttempt(id: string): Promise<void>;
  /** After a wrong OTP: locks once `max` attempts are used; null if not pending. */
  recordMismatch(id: string, max: number): Promise<{ attempts: number; locked: boolean } | null>;
  /** pending -> expired; true when this call changed it. */
  markExpired(id: string): Promise<boolean>;
  /** A pending OTP verification's window starts again (a resend); false when it is not pending any more. */
  extendPending(id: string, otpExpiresAt: Date): Promise<boolean>;
  /** Pending, live OTP verifications created at or before `createdBefore`, oldest first. */
  findPendingForRecovery(createdBefore: Date, limit: number): Promise<Certification[]>;
  /** pending/locked/expired -> verified AND its token, in one statement; null when nothing matched. */
  markVerifiedWithToken(id: string, values: VerifiedValues, tokenHash: string, tokenExpiresAt: Date): Promise<{ impUid: string; flow: string } | null>;
  /** `SELECT ... FOR UPDATE` of one verification. */
  lockById(id: string, tx: Transaction): Promise<Certification | null>;
  /** `SELECT ... FOR UPDATE` by imp_uid (erased rows included). */
  lockByImpUid(impUid: string, tx: Transaction): Promise<Certification | null>;
  /** pending/locked/expired -> verified with the provider's data; false when the row was in no such state. */
  markVerified(id: string, values: VerifiedValues, tx: Transaction): Promise<boolean>;
  /** A verification recorded straight from the provider (popup / redirect). @throws DuplicateImpUidError */
  insertVerified(impUid: string, values: VerifiedValues, tx: Transaction): Promise<string>;
  /** The same with its token, in one statement (the popup's completion); answers its id. @throws DuplicateImpUidError */
  insertVerifiedWithToken(impUid: string, values: VerifiedValues, tokenHash: string, tokenExpiresAt: Date): Promise<string>;
  getById(id: string, tx: Transaction): Promise<Certification>;
  /** Clears the personal data of these rows (erased ones skipped); answers the imp_uids erased. */
  erasePii(ids: readonly string[], at: Date, tx: Transaction): Promise<string[]>;
  /** Live, unused verifications created before `cutoff` (retention). */
  countUnusedCreatedBefore(cutoff: Date): Promise<number>;
  /** Locks up to `limit` of them, oldest first, skipping rows another transaction holds. */
  lockUnusedCreatedBefore(cutoff: Date, limit: number, tx: Transaction): Promise<string[]>;
}

/** Instants before which each retention rule erases a live verification (`usedBefore` null: rule off). */
export interface RetentionCutoffs {
  /** pending, expired, locked: by created_at. */
  unfinishedBefore: Date;
  /** verified, never used for a signup: by created_at. */
  unusedBefore: Date;
  /** used for a signup (a copy kept by `keepVerificationPiiHours`): by used_at. */
  usedBefore: Date | null;
}

export interface RetentionDueCounts {
  unfinished: number;
  unused: number;
  used: number;
}

// The retention rules over $1 unfinishedBefore, $2 unusedBefore, $3 usedBefore.
const UNFINISHED_DUE = `status IN ('pending', 'expired', 'locked') AND created_at < $1`;
const UNUSED_DUE = `status = 'verified' AND created_at < $2`;
// A used row whose copy the signup cleared has no name: nothing to erase.
const USED_DUE = `status = 'used' AND name_enc IS NOT NULL AND $3::timestamptz IS NOT NULL AND used_at < $3::timestamptz`;

/** The one column list of a Certification. */
const COLUMNS = `id, imp_uid, merchant_uid, flow, status, otp_attempts, otp_expires_at, name_enc, phone_enc, phone_bidx, ci_enc,
  ci_bidx, di_enc, di_bidx, to_char(birthday, 'YYYY-MM-DD') AS birthday, gender, foreigner, carrier, certified_at, used_at,
  pii_erased_at, created_at, updated_at, provider`;

/** COLUMNS without the identity fields: the admin list and detail (10M rows: ~45% less to read and send per row). */
const SHOWN_COLUMNS = `c.id, c.imp_uid, c.merchant_uid, c.flow, c.status, c.otp_attempts, c.otp_expires_at, c.name_enc, c.phone_enc,
  to_char(c.birthday, 'YYYY-MM-DD') AS birthday, c.gender, c.foreigner, c.carrier, c.certified_at, c.used_at, c.pii_erased_at, c.created_at,
  c.updated_at, c.provider`;

/** A `SHOWN_COLUMNS` row as a ShownCertification. */
function toShownCertification(r: Record<string, any>): ShownCertification {
  return withoutIdentity(toCertification(r));
}

/** A `COLUMNS` row as a Certification. */
export function toCertification(r: Record<string, any>): Certification {
  return {
    id: r.id,
    impUid: r.imp_uid,
    merchantUid: r.merchant_uid,
    flow: r.flow,
    status: r.status,
    otpAttempts: Number(r.otp_attempts),
    otpExpiresAt: r.otp_expires_at,
    nameEnc: r.name_enc,
    phoneEnc: r.phone_enc,
    phoneBidx: r.phone_bidx,
    ciEnc: r.ci_enc,
    ciBidx: r.ci_bidx,
    diEnc: r.di_enc,
    diBidx: r.di_bidx,
    provider: r.provider,
    birthday: r.birthday,
    gender: r.gender,
    foreigner: r.foreigner,
    carrier: r.carrier,
    certifiedAt: r.certified_at,
    usedAt: r.used_at,
    piiErasedAt: r.pii_erased_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

// A JavaScript Date has milliseconds only: a truncated cursor would skip rows of the same millisecond.
const CURSOR_T = `to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The parameters $n.. of VERIFIED_SET, in its order. */
function verifiedParams(v: VerifiedValues): unknown[] {
  return [v.nameEnc, v.phoneEnc, v.phoneBidx, v.ciEnc, v.ciBidx, v.diEnc, v.birthday, v.gender, v.foreigner, v.carrier, v.certifiedAt, v.merchantUid,
    v.diBidx ?? null, v.provider ?? null];
}

/** States a verification may leave for `verified`: the provider's word wins over a parallel wrong guess or our clock. */
const RECORDABLE = `status IN ('pending', 'locked', 'expired')`;

// Hot statements of a signup's OTP request and confirmation: prepared (planning dominates them).
const INSERT_PENDING = definePreparedStatement(
  'certification_insert_pending',
  `INSERT INTO certifications (imp_uid, merchant_uid, flow, status, otp_attempts, otp_expires_at, name_enc, phone_enc, phone_bidx, birthday, carrier,
                               provider, gender, foreigner)
   VALUES ($1, $2, 'otp', 'pending', 0, $3, $4, $5, $6, $7, $8, coalesce($9, 'iamport'), $10, $11) RETURNING id`,
);

const RESERVE_ATTEMPT_BY_IMP_UID = definePreparedStatement(
  'certification_reserve_attempt',
  `UPDATE certifications SET otp_attempts = otp_attempts + 1, updated_at = now()
    WHERE imp_uid = $1 AND flow = 'otp' AND status = 'pending' AND otp_attempts < $2 AND pii_erased_at IS NULL
      AND (otp_expires_at IS NULL OR otp_expires_at > $3)
    RETURNING ${COLUMNS}`,
);

// Writes verification_tokens too (the verification and its token in one statement); it lives
// here because it is the certification's state change, the token follows from it.
const MARK_VERIFIED_WITH_TOKEN = definePreparedStatement(
  'certification_mark_verified_with_token',
  `WITH verified AS (
     UPDATE certifications
        SET name_enc = $2, phone_enc = $3, phone_bidx = $4, ci_enc = $5, ci_bidx = $6, di_enc = $7, birthday = $8,
            gender = $9, foreigner = $10, carrier = $11, certified_at = $12, merchant_uid = $13, di_bidx = $14, provider = coalesce($15, provider),
            status = 'verified', updated_at = now()
      WHERE id = $1 AND status IN ('pending', 'locked', 'expired') AND pii_erased_at IS NULL
      RETURNING id, imp_uid, flow
   ), token AS (
     INSERT INTO verification_tokens (certification_id, token_hash, expires_at)
     SELECT id, $16, $17 FROM verified
     RETURNING certification_id
   )
   SELECT v.imp_uid, v.flow FROM verified v JOIN token t ON t.certification_id = v.id`,
);

const INSERT_VERIFIED = `INSERT INTO certifications (imp_uid, flow, status, otp_attempts, name_enc, phone_enc, phone_bidx, ci_enc, ci_bidx, di_enc,
                                     birthday, gender, foreigner, carrier, certified_at, merchant_uid, di_bidx, provider)
         VALUES ($1, 'popup', 'verified', 0, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, coalesce($15, 'iamport'))
         RETURNING id`;

// The popup's completion, as MARK_VERIFIED_WITH_TOKEN for the OTP confirmation: the row and its token in one statement.
const INSERT_VERIFIED_WITH_TOKEN = definePreparedStatement(
  'certification_insert_verified_with_token',
  `WITH verified AS (${INSERT_VERIFIED}), token AS (
     INSERT INTO verification_tokens (certification_id, token_hash, expires_at)
     SELECT id, $16, $17 FROM verified
     RETURNING certification_id
   )
   SELECT certification_id AS id FROM token`,
);

const FIND_LIVE_BY_IMP_UID = definePreparedStatement(
  'certification_find_live_by_imp_uid',
  `SELECT ${COLUMNS} FROM certifications WHERE imp_uid = $1 AND pii_erased_at IS NULL`,
);

/** The SQL of the `certifications` table. Races are decided by guarded UPDATEs or under a row lock. */
@Injectable()
export class CertificationRepository implements CertificationStore {
  private readonly reencryption: ReencryptionStatements;

  constructor(@Inject(CERTIFICATION_DATABASE) private readonly db: Database) {
    this.reencryption = new ReencryptionStatements(db, 'certifications');
  }

  async findLiveByImpUid(impUid: string): Promise<Certification | null> {
    const rows = await this.db.prepared<Record<string, any>>(FIND_LIVE_BY_IMP_UID, [impUid]);
    return rows[0] === undefined ? null : toCertification(rows[0]);
  }

  async findById(id: string): Promise<Certification | null> {
    const rows = await this.db.query<Record<string, any>>(`SELECT ${COLUMNS} FROM certifications WHERE id = $1`, [id]);
    return rows[0] === undefined ? null : toCertification(rows[0]);
  }

  async findByImpUid(impUid: string, tx?: Transaction): Promise<Certification | null> {
    const rows = await this.db.query<Record<string, any>>(`SELECT ${COLUMNS} FROM certifications WHERE imp_uid = $1`, [impUid], tx);
    return rows[0] === undefined ? null : toCertification(rows[0]);
  }

  async findShownByImpUid(impUid: string, tx?: Transaction): Promise<ShownCertification | null> {
    const rows = await this.db.query<Record<string, any>>(`SELECT ${SHOWN_COLUMNS} FROM certifications c WHERE c.imp_uid = $1`, [impUid], tx);
    return rows[0] === undefined ? null : toShownCertification(rows[0]);
  }

  list(filter: CertificationListFilter, tx?: Transaction): Promise<ListedCertification[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.status !== undefined) where.push(`c.status = ${param(filter.status)}`);
    if (filter.flow !== undefined) where.push(`c.flow = ${param(filter.flow)}`);
    if (filter.provider !== undefined) where.push(`c.provider = ${param(filter.provider)}`);
    if (filter.diBidx !== undefined) where.push(`c.di_bidx = ${param(filter.diBidx)}::char(64)`);
    if (filter.from) where.push(`c.created_at >= ${param(filter.from.toISOString())}::timestamptz`);
    if (filter.to) where.push(`c.created_at < ${param(filter.to.toISOString())}::timestamptz`);
    // char(64) on both sides, or PostgreSQL compares as text and cannot use the index.
    if (filter.phoneBidx !== undefined) where.push(`c.phone_bidx = ${param(filter.phoneBidx)}::char(64)`);
    if (filter.before !== undefined) {
      where.push(`(c.created_at, c.id) < (${param(filter.before.t)}::timestamptz, ${param(filter.before.id)}::uuid)`);
    }
    // One text per combination of filters (values are parameters): each a prepared statement.
    const text = `SELECT ${SHOWN_COLUMNS}, ${CURSOR_T} AS cursor_t
         FROM certifications c
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.created_at DESC, c.id DESC
        LIMIT ${param(filter.limit)}`;
    return this.db
      .prepared<Record<string, any>>(preparedStatementFor('admin_list', text), params, tx)
      .then((rows) => rows.map((r) => ({ ...toShownCertification(r), cursorT: r.cursor_t })));
  }

  async insertPending(v: PendingValues): Promise<string> {
    try {
      const rows = await this.db.prepared<{ id: string }>(INSERT_PENDING, [
        v.impUid, v.merchantUid, v.otpExpiresAt, v.nameEnc, v.phoneEnc, v.phoneBidx, v.birthday, v.carrier, v.provider ?? null, v.gender ?? null, v.foreigner ?? null,
      ]);
      return rows[0].id;
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateImpUidError();
      throw error;
    }
  }

  async reserveAttemptByImpUid(impUid: string, max: number, now: Date): Promise<Certification | null> {
    const rows = await this.db.prepared<Record<string, any>>(RESERVE_ATTEMPT_BY_IMP_UID, [impUid, max, now]);
    return rows[0] === undefined ? null : toCertification(rows[0]);
  }

  async reserveAttempt(id: string, max: number): Promise<number | null> {
    const rows = await this.db.query<{ otp_attempts: number }>(
      `UPDATE certifications SET otp_attempts = otp_attempts + 1, updated_at = now()
        WHERE id = $1 AND status = 'pending' AND otp_attempts < $2
        RETURNING otp_attempts`,
      [id, max],
    );
    return rows.length ? Number(rows[0].otp_attempts) : null;
  }

  async releaseAttempt(id: string): Promise<void> {
    await this.db.query(
      `UPDATE certifications SET otp_attempts = otp_attempts - 1, updated_at = now()
        WHERE id = $1 AND status IN ('pending', 'locked') AND otp_attempts > 0`,
      [id],
    );
  }

  async recordMismatch(id: string, max: number): Promise<{ attempts: number; locked: boolean } | null> {
    const rows = await this.db.query<{ otp_attempts: number; status: string }>(
      `UPDATE certifications
          SET status = CASE WHEN otp_attempts >= $2 THEN 'locked' ELSE status END, updated_at = now()
        WHERE id = $1 AND status = 'pending'
        RETURNING otp_attempts, status`,
      [id, max],
    );
    return rows.length ? { attempts: Number(rows[0].otp_attempts), locked: rows[0].status === 'locked' } : null;
  }

  async extendPending(id: string, otpExpiresAt: Date): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE certifications SET otp_expires_at = $2, updated_at = now()
        WHERE id = $1 AND flow = 'otp' AND status = 'pending' AND pii_erased_at IS NULL
        RETURNING id`,
      [id, otpExpiresAt],
    );
    return rows.length === 1;
  }

  async markExpired(id: string): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE certifications SET status = 'expired', updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  async findPendingForRecovery(createdBefore: Date, limit: number): Promise<Certification[]> {
    const rows = await this.db.query<Record<string, any>>(
      `SELECT ${COLUMNS} FROM certifications
        WHERE flow = 'otp' AND status = 'pending' AND created_at <= $1 AND pii_erased_at IS NULL
        ORDER BY created_at ASC, id ASC
        LIMIT $2`,
      [createdBefore, limit],
    );
    return rows.map(toCertification);
  }

  async markVerifiedWithToken(
    id: string,
    values: VerifiedValues,
    tokenHash: string,
    tokenExpiresAt: Date,
  ): Promise<{ impUid: string; flow: string } | null> {
    const rows = await this.db.prepared<{ imp_uid: string; flow: string }>(MARK_VERIFIED_WITH_TOKEN, [
      id, ...verifiedParams(values), tokenHash, tokenExpiresAt,
    ]);
    return rows[0] ? { impUid: rows[0].imp_uid, flow: rows[0].flow } : null;
  }

  async lockById(id: string, tx: Transaction): Promise<Certification | null> {
    const rows = await this.db.query<Record<string, any>>(`SELECT ${COLUMNS} FROM certifications WHERE id = $1 FOR UPDATE`, [id], tx);
    return rows[0] === undefined ? null : toCertification(rows[0]);
  }

  async lockByImpUid(impUid: string, tx: Transaction): Promise<Certification | null> {
    const rows = await this.db.query<Record<string, any>>(
      `SELECT ${COLUMNS} FROM certifications WHERE imp_uid = $1 FOR UPDATE`,
      [impUid],
      tx,
    );
    return rows[0] === undefined ? null : toCertification(rows[0]);
  }

  async markVerified(id: string, values: VerifiedValues, tx: Transaction): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE certifications
          SET name_enc = $2, phone_enc = $3, phone_bidx = $4, ci_enc = $5, ci_bidx = $6, di_enc = $7, birthday = $8,
              gender = $9, foreigner = $10, carrier = $11, certified_at = $12, merchant_uid = $13, di_bidx = $14, provider = coalesce($15, provider),
              status = 'verified', updated_at = now()
        WHERE id = $1 AND ${RECORDABLE}
        RETURNING id`,
      [id, ...verifiedParams(values)],
      tx,
    );
    return rows.length === 1;
  }

  async insertVerified(impUid: string, values: VerifiedValues, tx: Transaction): Promise<string> {
    try {
      const rows = await this.db.query<{ id: string }>(INSERT_VERIFIED, [impUid, ...verifiedParams(values)], tx);
      return rows[0].id;
    } catch (error) {
      if (isUniqueViolation(error, 'uq_certifications_imp_uid')) throw new DuplicateImpUidError();
      throw error;
    }
  }

  async insertVerifiedWithToken(impUid: string, values: VerifiedValues, tokenHash: string, tokenExpiresAt: Date): Promise<string> {
    try {
      const rows = await this.db.prepared<{ id: string }>(INSERT_VERIFIED_WITH_TOKEN, [impUid, ...verifiedParams(values), tokenHash, tokenExpiresAt]);
      return rows[0].id;
    } catch (error) {
      if (isUniqueViolation(error, 'uq_certifications_imp_uid')) throw new DuplicateImpUidError();
      throw error;
    }
  }

  async getById(id: string, tx: Transaction): Promise<Certification> {
    const rows = await this.db.query<Record<string, any>>(`SELECT ${COLUMNS} FROM certifications WHERE id = $1`, [id], tx);
    if (rows[0] === undefined) throw new Error(`certification ${id} vanished inside its transaction`);
    return toCertification(rows[0]);
  }

  async erasePii(ids: readonly string[], at: Date, tx: Transaction): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<{ imp_uid: string }>(
      `UPDATE certifications
          SET name_enc = NULL, phone_enc = NULL, phone_bidx = NULL, ci_enc = NULL, ci_bidx = NULL, di_enc = NULL, di_bidx = NULL,
              birthday = NULL, gender = NULL, foreigner = NULL, carrier = NULL,
              pii_erased_at = $2, updated_at = $2
        WHERE id = ANY($1::uuid[]) AND pii_erased_at IS NULL
        RETURNING imp_uid`,
      [[...ids], at],
      tx,
    );
    return rows.map((r) => r.imp_uid);
  }

  async countUnusedCreatedBefore(cutoff: Date): Promise<number> {
    const rows = await this.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM certifications
        WHERE pii_erased_at IS NULL AND status <> 'used' AND created_at < $1`,
      [cutoff],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async lockUnusedCreatedBefore(cutoff: Date, limit: number, tx: Transaction): Promise<string[]> {
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

  // ---- retention rules and the person's export (libs/admin)

  /** Live verifications due for erasure under each retention rule, counted by rule. */
  async countRetentionDue(due: RetentionCutoffs): Promise<RetentionDueCounts> {
    const rows = await this.db.query<{ unfinished: string; unused: string; used: string }>(
      `SELECT count(*) FILTER (WHERE ${UNFINISHED_DUE})::text AS unfinished,
              count(*) FILTER (WHERE ${UNUSED_DUE})::text AS unused,
              count(*) FILTER (WHERE ${USED_DUE})::text AS used
         FROM certifications WHERE pii_erased_at IS NULL`,
      [due.unfinishedBefore, due.unusedBefore, due.usedBefore],
    );
    const r = rows[0];
    return { unfinished: Number(r?.unfinished ?? 0), unused: Number(r?.unused ?? 0), used: Number(r?.used ?? 0) };
  }

  /** Locks up to `limit` verifications due under any retention rule, oldest first, skipping rows another transaction holds. */
  async lockRetentionDue(due: RetentionCutoffs, limit: number, tx: Transaction): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM certifications
        WHERE pii_erased_at IS NULL AND ((${UNFINISHED_DUE}) OR (${UNUSED_DUE}) OR (${USED_DUE}))
        ORDER BY created_at
        LIMIT $4
        FOR UPDATE SKIP LOCKED`,
      [due.unfinishedBefore, due.unusedBefore, due.usedBefore, limit],
      tx,
    );
    return rows.map((r) => r.id);
  }

  /** The verification an account was made with and every other one of the same person (CI or DI blind index). */
  async findForPerson(certificationId: string, ciBidx: string | null, diBidx: string | null = null): Promise<Certification[]> {
    const rows = await this.db.query<Record<string, any>>(
      `SELECT ${COLUMNS} FROM certifications
        WHERE id = $1::uuid OR ci_bidx = $2::char(64) OR di_bidx = $3::char(64) ORDER BY created_at, id`,
      [certificationId, ciBidx, diBidx],
    );
    return rows.map(toCertification);
  }

  /** pii:rotate: rows by id after `afterId` with a PII column not under `prefix` (the active key, current format). */
  pageEncryptedNotUnder(prefix: string, afterId: string | null, limit: number): Promise<EncryptedRow[]> {
    return this.reencryption.pageEncryptedNotUnder(prefix, afterId, limit);
  }

  /** pii:rotate: one statement for a batch; a row whose ciphertexts changed since they were read is left alone. */
  replaceEncrypted(changes: ReadonlyArray<{ id: string; from: EncryptedColumns; to: EncryptedColumns }>): Promise<number> {
    return this.reencryption.replaceEncrypted(changes);
  }
}

