import { ReencryptionStatements, type EncryptedColumns, type EncryptedRow } from '@app/pii';
import { definePreparedStatement, isUniqueViolation, type Database, type Transaction } from '@app/common';
import { UPSTREAM_DELETION_PROVIDERS } from '@app/certification';
import type { UserEntity } from '../user.entity';
import { AlreadyRegisteredError, VerificationUsedError } from '../user.errors';

/** A row of `users` (the entity's fields; birthday as `YYYY-MM-DD`). */
export type User = Pick<UserEntity, keyof UserEntity>;

/**
 * An account with the verification it was created from (null when that row is gone), as the admin
 * shows it: the CI, the DI and the blind indexes are not selected (null in `user`).
 */
export interface UserWithCertification {
  user: User;
  certification: {
    impUid: string;
    flow: string;
    status: string;
    certifiedAt: Date | null;
    piiErasedAt: Date | null;
  } | null;
}

export interface SignupRow {
  /** Hash of the verification token. */
  tokenHash: string;
  now: Date;
  /** Latest eligible birthday (`YYYY-MM-DD`) under the age policy. */
  cutoff: string;
  nickname: string | null;
  marketingOptIn: boolean;
  /** Keep the verification's own copy of the personal data (retention erases it later). */
  keepVerificationPii?: boolean;
}

/** What the diagnosis of a signup that inserted nothing reads about its token. */
export interface SignupState {
  expiresAt: Date;
  usedAt: Date | null;
  status: string;
  piiErasedAt: Date | null;
  /** A person's key (the CI or the DI, with its blind index) and the name are present. */
  complete: boolean;
  birthday: string | null;
}

/** Who asked for a CI lookup: written to its audit row. */
export interface CiLookupAudit {
  keyId: string;
  clientIp: string | null;
  requestId: string | null;
}

/** What services need of the users table (in-memory fakes implement it in unit specs). */
export interface UserStore {
  /** The new account, or null when the token cannot be used (see `findSignupState`). */
  signup(row: SignupRow): Promise<{ id: string; createdAt: Date } | null>;
  findSignupState(tokenHash: string): Promise<SignupState | null>;
  findById(id: string): Promise<User | null>;
  findWithCertification(id: string): Promise<UserWithCertification | null>;
  /** The account created from this verification, if any. */
  findIdByCertificationId(certificationId: string, tx?: Transaction): Promise<string | null>;
  findByCiBidxAudited(ciBidx: string, audit: CiLookupAudit): Promise<UserWithCertification | null>;
  /** Erases the account into a tombstone, with its verifications, outbox rows and audit row (one statement). */
  erase(row: EraseRow): Promise<ErasedAccount>;
  /** By the DI's blind index; writes a `user.di_lookup` audit row. */
  findByDiBidxAudited(diBidx: string, audit: CiLookupAudit): Promise<UserWithCertification | null>;
}

/** An account erasure: who asked is written to its audit row. */
export interface EraseRow {
  userId: string;
  now: Date;
  reason: string;
  audit: CiLookupAudit;
}

export interface ErasedAccount {
  /** `erased` now, `already_erased` (a tombstone exists), or `not_found`. */
  outcome: 'erased' | 'already_erased' | 'not_found';
  /** The verifications whose upstream copies were queued for deletion (erased now). */
  impUids: string[];
}

interface UserRow {
  id: string;
  ci_bidx: string | null;
  ci_enc: string | null;
  di_enc: string | null;
  di_bidx: string | null;
  provider: string;
  name_enc: string;
  phone_enc: string | null;
  phone_bidx: string | null;
  birthday: string;
  gender: 'male' | 'female' | null;
  foreigner: boolean;
  certification_id: string;
  nickname: string | null;
  marketing_opt_in: boolean;
  created_at: Date;
}

interface UserWithCertificationRow extends UserRow {
  imp_uid: string | null;
  flow: string | null;
  status: string | null;
  certified_at: Date | null;
  pii_erased_at: Date | null;
}

const USER_COLUMNS = `u.id, u.ci_bidx, u.ci_enc, u.di_enc, u.di_bidx, u.provider, u.name_enc, u.phone_enc, u.phone_bidx, u.birthday::text AS birthday,
       u.gender, u.foreigner, u.certification_id, u.nickname, u.marketing_opt_in, u.created_at`;

/** USER_COLUMNS without the CI, the DI and the blind indexes (the admin lookups show none of them). */
const SHOWN_USER_COLUMNS = `u.id, NULL AS ci_bidx, NULL AS ci_enc, NULL AS di_enc, NULL AS di_bidx, u.provider, u.name_enc, u.phone_enc,
       NULL AS phone_bidx, u.birthday::text AS birthday, u.gender, u.foreigner, u.certification_id, u.nickname, u.marketing_opt_in, u.created_at`;

const WITH_CERTIFICATION = `SELECT ${SHOWN_USER_COLUMNS}, c.imp_uid, c.flow, c.status, c.certified_at, c.pii_erased_at
    FROM users u
    LEFT JOIN certifications c ON c.id = u.certification_id`;

/**
 * Data-modifying CTEs run once and to completion, and a unique violation of the INSERT fails all
 * of it; `candidate` locks the token and its verification. $1 token hash, $2 now, $3 age cutoff,
 * $4 nickname, $5 marketing opt-in, $6 keep the verification's copy of the personal data (else
 * the account holds the only copy; the carrier, not in the account, stays; pii_erased_at stays
 * null: the row is used, not erased).
 */
const SIGNUP = definePreparedStatement(
  'user_signup',
  `WITH candidate AS (
     SELECT t.id AS token_id, c.id, c.ci_bidx, c.ci_enc, c.di_enc, c.di_bidx, c.provider, c.name_enc, c.phone_enc, c.phone_bidx,
            c.birthday, c.gender, c.foreigner
       FROM verification_tokens t JOIN certifications c ON c.id = t.certification_id
      WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2
        AND c.status = 'verified' AND c.pii_erased_at IS NULL
        AND (c.ci_bidx IS NOT NULL OR c.di_bidx IS NOT NULL) AND c.name_enc IS NOT NULL
        AND c.birthday IS NOT NULL AND c.birthday <= $3::date
        FOR UPDATE
   ), used_token AS (
     UPDATE verification_tokens SET used_at = $2 FROM candidate WHERE verification_tokens.id = candidate.token_id
   ), used_certification AS (
     UPDATE certifications SET status = 'used', used_at = $2, updated_at = now(),
            name_enc = CASE WHEN $6 THEN candidate.name_enc END, phone_enc = CASE WHEN $6 THEN candidate.phone_enc END,
            phone_bidx = CASE WHEN $6 THEN candidate.phone_bidx END, ci_enc = CASE WHEN $6 THEN candidate.ci_enc END,
            ci_bidx = CASE WHEN $6 THEN candidate.ci_bidx END, di_enc = CASE WHEN $6 THEN candidate.di_enc END,
            di_bidx = CASE WHEN $6 THEN candidate.di_bidx END,
            birthday = CASE WHEN $6 THEN candidate.birthday END, gender = CASE WHEN $6 THEN candidate.gender END,
            foreigner = CASE WHEN $6 THEN candidate.foreigner END
       FROM candidate WHERE certifications.id = candidate.id
   )
   INSERT INTO users (ci_bidx, ci_enc, di_enc, di_bidx, provider, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner, certification_id, nickname, marketing_opt_in)
   SELECT ci_bidx, ci_enc, di_enc, di_bidx, provider, name_enc, phone_enc, phone_bidx, birthday, gender, coalesce(foreigner, false), id, $4, $5
     FROM candidate
   RETURNING id, created_at`,
);

/** The lookup and its audit row in one statement: one round trip, one commit. */
function keyLookupAudited(key: 'ci' | 'di') {
  return definePreparedStatement(
    `user_${key}_lookup_audited`,
    `WITH found AS (
       ${WITH_CERTIFICATION}
        WHERE u.${key}_bidx = $1::char(64)
     ), audit AS (
       INSERT INTO audit_log (key_id, action, subject_type, subject_id, result, client_ip, request_id)
       SELECT $2, 'user.${key}_lookup', 'user', (SELECT id::text FROM found),
              CASE WHEN EXISTS (SELECT 1 FROM found) THEN 'ok' ELSE 'not_found' END, $3::inet, $4
     )
     SELECT * FROM found`,
  );
}
const CI_LOOKUP_AUDITED = keyLookupAudited('ci');
const DI_LOOKUP_AUDITED = keyLookupAudited('di');

/**
 * The account, its verification and the person's other verifications not in a signup right now
 * (no live token) lose their personal data; the users row becomes a tombstone (its UNIQUE
 * ci_bidx and di_bidx go with it, so the person can sign up again); upstream copies are queued on the
 * outbox (those of a provider with an upstream deletion: not PortOne V2); the audit row records it.
 * $1 user id, $2 now, $3 reason, $4 key id, $5 client IP, $6 request id, $7 UPSTREAM_DELETION_PROVIDERS.
 */
const ERASE = `WITH target AS (
     SELECT id, ci_bidx, di_bidx, certification_id FROM users WHERE id = $1::uuid FOR UPDATE
   ), certs AS (
     SELECT c.id, c.imp_uid, c.provider FROM certifications c, target
      WHERE c.id = target.certification_id
         OR ((c.ci_bidx = target.ci_bidx OR c.di_bidx = target.di_bidx) AND NOT EXISTS (
               SELECT 1 FROM verification_tokens t WHERE t.certification_id = c.id AND t.used_at IS NULL AND t.expires_at > $2))
   ), erased AS (
     UPDATE certifications
        SET name_enc = NULL, phone_enc = NULL, phone_bidx = NULL, ci_enc = NULL, ci_bidx = NULL, di_enc = NULL, di_bidx = NULL,
            birthday = NULL, gender = NULL, foreigner = NULL, carrier = NULL, pii_erased_at = $2, updated_at = $2
       FROM certs WHERE certifications.id = certs.id AND certifications.pii_erased_at IS NULL
   ), expired_tokens AS (
     UPDATE verification_tokens SET expires_at = $2
      WHERE certification_id IN (SELECT id FROM certs) AND used_at IS NULL AND expires_at > $2
   ), queued AS (
     INSERT INTO upstream_deletions (imp_uid, reason, next_attempt_at, created_at)
     SELECT imp_uid, 'account', $2, $2 FROM certs WHERE provider = ANY($7::text[])
     ON CONFLICT (imp_uid) DO NOTHING
   ), gone AS (
     DELETE FROM users USING target WHERE users.id = target.id RETURNING users.id
   ), tombstone AS (
     INSERT INTO user_tombstones (id, erased_at, reason) SELECT id, $2, $3 FROM gone
   ), outcome AS (
     SELECT CASE WHEN EXISTS (SELECT 1 FROM target) THEN 'erased'
                 WHEN EXISTS (SELECT 1 FROM user_tombstones WHERE id = $1::uuid) THEN 'already_erased'
                 ELSE 'not_found' END AS value
   ), audit AS (
     INSERT INTO audit_log (occurred_at, key_id, action, subject_type, subject_id, result, client_ip, request_id)
     SELECT $2, $4, 'user.erase', 'user', $1::uuid::text,
            CASE value WHEN 'erased' THEN 'ok' ELSE value END, $5::inet, $6
       FROM outcome
   )
   SELECT (SELECT value FROM outcome) AS outcome, coalesce((SELECT array_agg(imp_uid) FROM certs), '{}') AS imp_uids`;

/** The `users` table (owned by libs/user), and the signup statement that fills it. */
export class UserRepository implements UserStore, DiBackfillStore {
  private readonly reencryption: ReencryptionStatements;

  constructor(private readonly db: Database) {
    this.reencryption = new ReencryptionStatements(db, 'users');
  }

  /** One statement that also marks the token and its verification used. */
  async signup(row: SignupRow): Promise<{ id: string; createdAt: Date } | null> {
    try {
      const rows = await this.db.prepared<{ id: string; created_at: Date }>(SIGNUP, [
        row.tokenHash, row.now, row.cutoff, row.nickname, row.marketingOptIn, row.keepVerificationPii === true,
      ]);
      return rows[0] ? { id: rows[0].id, createdAt: new Date(rows[0].created_at) } : null;
    } catch (error) {
      // One account per person: the same CI, or the same DI (either partial unique index).
      if (isUniqueViolation(error, 'uq_users_ci_bidx') || isUniqueViolation(error, 'uq_users_di_bidx')) throw new AlreadyRegisteredError();
      // Another signup consumed this verification (through another token) first.
      if (isUniqueViolation(error, 'uq_users_certification')) throw new VerificationUsedError();
      throw error;
    }
  }

  async findSignupState(tokenHash: string): Promise<SignupState | null> {
    const rows = await this.db.query<{
      expires_at: Date; used_at: Date | null; status: string; pii_erased_at: Date | null; complete: boolean; birthday: string | null;
    }>(
      `SELECT t.expires_at, t.used_at, c.status, c.pii_erased_at, (c.ci_bidx IS NOT NULL OR c.di_bidx IS NOT NULL) AND c.name_enc IS NOT NULL AS complete,
              to_char(c.birthday, 'YYYY-MM-DD') AS birthday
         FROM verification_tokens t JOIN certifications c ON c.id = t.certification_id
        WHERE t.token_hash = $1`,
      [tokenHash],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      expiresAt: new Date(r.expires_at),
      usedAt: r.used_at,
      status: r.status,
      piiErasedAt: r.pii_erased_at,
      complete: r.complete,
      birthday: r.birthday,
    };
  }

  async findById(id: string): Promise<User | null> {
    const rows = await this.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1::uuid`, [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findWithCertification(id: string): Promise<UserWithCertification | null> {
    const rows = await this.db.query<UserWithCertificationRow>(`${WITH_CERTIFICATION} WHERE u.id = $1::uuid`, [id]);
    return rows[0] ? toUserWithCertification(rows[0]) : null;
  }

  async findIdByCertificationId(certificationId: string, tx?: Transaction): Promise<string | null> {
    const rows = await this.db.query<{ id: string }>(`SELECT id FROM users WHERE certification_id = $1::uuid`, [certificationId], tx);
    return rows[0]?.id ?? null;
  }

  /** By the CI's blind index; also writes the `user.ci_lookup` audit row (naming the user, never the CI). */
  async findByCiBidxAudited(ciBidx: string, audit: CiLookupAudit): Promise<UserWithCertification | null> {
    const rows = await this.db.prepared<UserWithCertificationRow>(CI_LOOKUP_AUDITED, [
      ciBidx, audit.keyId, audit.clientIp, audit.requestId?.slice(0, 128) ?? null,
    ]);
    return rows[0] ? toUserWithCertification(rows[0]) : null;
  }

  async erase(row: EraseRow): Promise<ErasedAccount> {
    const rows = await this.db.query<{ outcome: ErasedAccount['outcome']; imp_uids: string[] }>(ERASE, [
      row.userId, row.now, row.reason, row.audit.keyId, row.audit.clientIp, row.audit.requestId?.slice(0, 128) ?? null,
      [...UPSTREAM_DELETION_PROVIDERS],
    ]);
    return { outcome: rows[0].outcome, impUids: rows[0].imp_uids };
  }

  /** pii:rotate: rows by id after `afterId` with a PII column not under `prefix` (the active key, current format). */
  pageEncryptedNotUnder(prefix: string, afterId: string | null, limit: number): Promise<EncryptedRow[]> {
    return this.reencryption.pageEncryptedNotUnder(prefix, afterId, limit);
  }

  /** pii:rotate: one statement for a batch; a row whose ciphertexts changed since they were read is left alone. */
  replaceEncrypted(changes: ReadonlyArray<{ id: string; from: EncryptedColumns; to: EncryptedColumns }>): Promise<number> {
    return this.reencryption.replaceEncrypted(changes);
  }

  async findByDiBidxAudited(diBidx: string, audit: CiLookupAudit): Promise<UserWithCertification | null> {
    const rows = await this.db.prepared<UserWithCertificationRow>(DI_LOOKUP_AUDITED, [
      diBidx, audit.keyId, audit.clientIp, audit.requestId?.slice(0, 128) ?? null,
    ]);
    return rows[0] ? toUserWithCertification(rows[0]) : null;
  }

  async findWithoutDiBidx(afterId: string | null, limit: number): Promise<Array<{ id: string; diEnc: string }>> {
    const rows = await this.db.query<{ id: string; di_enc: string }>(
      `SELECT id, di_enc FROM users
        WHERE di_bidx IS NULL AND di_enc IS NOT NULL AND ($1::uuid IS NULL OR id > $1::uuid)
        ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map((r) => ({ id: r.id, diEnc: r.di_enc }));
  }

  async setDiBidx(id: string, diBidx: string): Promise<boolean> {
    try {
      await this.db.query(`UPDATE users SET di_bidx = $2 WHERE id = $1::uuid AND di_bidx IS NULL`, [id, diBidx]);
      return true;
    } catch (error) {
      if (isUniqueViolation(error, 'uq_users_di_bidx')) return false;
      throw error;
    }
  }
}

/** What the DI backfill needs of the users table. */
export interface DiBackfillStore {
  /** Accounts with a DI but no DI blind index (created before migration PersonKeys), by id after `afterId`. */
  findWithoutDiBidx(afterId: string | null, limit: number): Promise<Array<{ id: string; diEnc: string }>>;
  /** false when another account holds this DI already (the unique index decided). */
  setDiBidx(id: string, diBidx: string): Promise<boolean>;
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    ciBidx: row.ci_bidx,
    ciEnc: row.ci_enc,
    diEnc: row.di_enc,
    diBidx: row.di_bidx,
    provider: row.provider,
    nameEnc: row.name_enc,
    phoneEnc: row.phone_enc,
    phoneBidx: row.phone_bidx,
    birthday: row.birthday,
    gender: row.gender,
    foreigner: row.foreigner,
    certificationId: row.certification_id,
    nickname: row.nickname,
    marketingOptIn: row.marketing_opt_in,
    createdAt: row.created_at,
  };
}

function toUserWithCertification(row: UserWithCertificationRow): UserWithCertification {
  return {
    user: toUser(row),
    certification:
      row.imp_uid === null
        ? null
        : {
            impUid: row.imp_uid,
            flow: row.flow!,
            status: row.status!,
            certifiedAt: row.certified_at,
            piiErasedAt: row.pii_erased_at,
          },
  };
}
