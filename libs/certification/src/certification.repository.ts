import { Inject, Injectable } from '@nestjs/common';
import { IsNull, LessThanOrEqual, type DataSource, type EntityManager } from 'typeorm';
import { definePreparedStatement, queryPrepared } from '@app/common';
import { CERTIFICATION_DATA_SOURCE } from './certification.constants';
import { CertificationEntity, type CertificationStatus } from './entities/certification.entity';
import { VerificationTokenEntity } from './entities/verification-token.entity';

/** The columns a certified verification gets from the upstream's answer (encrypted where personal). */
export interface VerifiedValues {
  nameEnc: string;
  phoneEnc: string | null;
  phoneBidx: string | null;
  ciEnc: string;
  ciBidx: string;
  diEnc: string | null;
  birthday: string;
  gender: 'male' | 'female' | null;
  foreigner: boolean;
  carrier: string | null;
  certifiedAt: Date;
  merchantUid: string | null;
}

/**
 * States a verification may leave for `verified` (a certification the upstream confirmed). Not
 * only `pending`: the upstream's word that the person passed wins over our own bookkeeping when
 * a parallel wrong guess locked the row, or our clock expired it, while the right OTP was being
 * confirmed upstream. `verified` and `used` never go back; the row lock taken before this
 * UPDATE (and its guard) make one request the one that records it.
 */
const RECORDABLE: CertificationStatus[] = ['pending', 'locked', 'expired'];

const ENTITY_COLUMNS = `id, imp_uid, merchant_uid, flow, status, otp_attempts, otp_expires_at, name_enc, phone_enc, phone_bidx, ci_enc,
  ci_bidx, di_enc, to_char(birthday, 'YYYY-MM-DD') AS birthday, gender, foreigner, carrier, certified_at, used_at,
  pii_erased_at, created_at, updated_at`;

/** The hot statements of a signup's OTP request and confirmation (see `queryPrepared`). */
const INSERT_PENDING = definePreparedStatement(
  'certification_insert_pending',
  `INSERT INTO certifications (imp_uid, merchant_uid, flow, status, otp_attempts, otp_expires_at, name_enc, phone_enc, phone_bidx, birthday, carrier)
   VALUES ($1, $2, 'otp', 'pending', 0, $3, $4, $5, $6, $7, $8) RETURNING id`,
);

const RESERVE_ATTEMPT_BY_IMP_UID = definePreparedStatement(
  'certification_reserve_attempt',
  `UPDATE certifications SET otp_attempts = otp_attempts + 1, updated_at = now()
    WHERE imp_uid = $1 AND flow = 'otp' AND status = 'pending' AND otp_attempts < $2 AND pii_erased_at IS NULL
      AND (otp_expires_at IS NULL OR otp_expires_at > $3)
    RETURNING ${ENTITY_COLUMNS}`,
);

const MARK_VERIFIED_WITH_TOKEN = definePreparedStatement(
  'certification_mark_verified_with_token',
  `WITH verified AS (
     UPDATE certifications
        SET name_enc = $2, phone_enc = $3, phone_bidx = $4, ci_enc = $5, ci_bidx = $6, di_enc = $7, birthday = $8,
            gender = $9, foreigner = $10, carrier = $11, certified_at = $12, merchant_uid = $13,
            status = 'verified', updated_at = now()
      WHERE id = $1 AND status IN ('pending', 'locked', 'expired') AND pii_erased_at IS NULL
      RETURNING id, imp_uid, flow
   ), token AS (
     INSERT INTO verification_tokens (certification_id, token_hash, expires_at)
     SELECT id, $14, $15 FROM verified
     RETURNING certification_id
   )
   SELECT v.imp_uid, v.flow FROM verified v JOIN token t ON t.certification_id = v.id`,
);

/**
 * The SQL of the certification lib. Statements that decide races are single guarded UPDATEs
 * (attempt reservation, lock, expiry) or run under a row lock inside a transaction (recording a
 * verification, issuing its token). Methods taking an EntityManager run inside the caller's
 * transaction; the others use the pool (on PGlite a pool of one connection: never call them
 * while a transaction of this request holds that connection).
 */
@Injectable()
export class CertificationRepository {
  constructor(@Inject(CERTIFICATION_DATA_SOURCE) readonly dataSource: DataSource) {}

  async findByImpUid(impUid: string): Promise<CertificationEntity | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${ENTITY_COLUMNS} FROM certifications WHERE imp_uid = $1`,
      [impUid],
    )) as Array<Record<string, any>>;
    return rows[0] === undefined ? null : toEntity(rows[0]);
  }

  /**
   * The happy path of a confirmation in ONE statement: reserves an attempt of a live, pending,
   * unexpired OTP verification and answers the row (as `findByImpUid`); null otherwise (the
   * caller then takes the slow path that tells why).
   */
  async reserveAttemptByImpUid(impUid: string, max: number, now: Date): Promise<CertificationEntity | null> {
    const rows = await queryPrepared<Record<string, any>>(this.dataSource, RESERVE_ATTEMPT_BY_IMP_UID, [impUid, max, now]);
    return rows[0] === undefined ? null : toEntity(rows[0]);
  }

  findById(id: string): Promise<CertificationEntity | null> {
    return this.dataSource.getRepository(CertificationEntity).findOneBy({ id });
  }

  async insertPending(values: {
    impUid: string;
    merchantUid: string | null;
    nameEnc: string;
    phoneEnc: string;
    phoneBidx: string;
    birthday: string;
    carrier: string;
    otpExpiresAt: Date;
  }): Promise<string> {
    const rows = await queryPrepared<{ id: string }>(this.dataSource, INSERT_PENDING, [
      values.impUid, values.merchantUid, values.otpExpiresAt, values.nameEnc, values.phoneEnc, values.phoneBidx, values.birthday, values.carrier,
    ]);
    return rows[0].id;
  }

  /**
   * Reserves one OTP attempt atomically, before the upstream is asked: returns the attempts
   * used including this one, or null when the row is no longer pending or has no attempt left.
   * Parallel requests can never reserve more than `max` attempts in all.
   */
  async reserveAttempt(id: string, max: number): Promise<number | null> {
    const rows = rowsOf<{ otp_attempts: number }>(
      await this.dataSource.query(
        `UPDATE certifications SET otp_attempts = otp_attempts + 1, updated_at = now()
          WHERE id = $1 AND status = 'pending' AND otp_attempts < $2
          RETURNING otp_attempts`,
        [id, max],
      ),
    );
    return rows.length ? Number(rows[0].otp_attempts) : null;
  }

  /** Gives a reserved attempt back (the upstream failed, so the OTP was not judged). */
  async releaseAttempt(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE certifications SET otp_attempts = otp_attempts - 1, updated_at = now()
        WHERE id = $1 AND status IN ('pending', 'locked') AND otp_attempts > 0`,
      [id],
    );
  }

  /**
   * After a wrong OTP (its attempt stays used): locks the row once `max` attempts are used.
   * Returns the attempts used and the resulting status, or null if the row is not pending.
   */
  async recordMismatch(id: string, max: number): Promise<{ attempts: number; locked: boolean } | null> {
    const rows = rowsOf<{ otp_attempts: number; status: string }>(
      await this.dataSource.query(
        `UPDATE certifications
            SET status = CASE WHEN otp_attempts >= $2 THEN 'locked' ELSE status END, updated_at = now()
          WHERE id = $1 AND status = 'pending'
          RETURNING otp_attempts, status`,
        [id, max],
      ),
    );
    return rows.length ? { attempts: Number(rows[0].otp_attempts), locked: rows[0].status === 'locked' } : null;
  }

  /** pending -> expired; true when this call changed it. */
  async markExpired(id: string): Promise<boolean> {
    const rows = rowsOf<{ id: string }>(
      await this.dataSource.query(
        `UPDATE certifications SET status = 'expired', updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`,
        [id],
      ),
    );
    return rows.length > 0;
  }

  /** Pending OTP verifications created at or before `createdBefore`, oldest first. */
  findPendingForRecovery(createdBefore: Date, limit: number): Promise<CertificationEntity[]> {
    return this.dataSource.getRepository(CertificationEntity).find({
      where: { flow: 'otp', status: 'pending', createdAt: LessThanOrEqual(createdBefore), piiErasedAt: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
    });
  }

  // ------------------------------------------------------------ inside a transaction

  /** `SELECT ... FOR UPDATE` of one verification. */
  lockById(manager: EntityManager, id: string): Promise<CertificationEntity | null> {
    return manager
      .getRepository(CertificationEntity)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.id = :id', { id })
      .getOne();
  }

  /** Moves a locked row from pending/locked/expired to verified with the upstream's data. */
  async markVerified(manager: EntityManager, id: string, values: VerifiedValues): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(CertificationEntity)
      .set({ ...values, status: 'verified', updatedAt: () => 'now()' })
      .where('id = :id AND status IN (:...from)', { id, from: RECORDABLE })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /**
   * pending/locked/expired -> verified AND its verification token, in ONE statement (atomic
   * without a transaction of its own; the UPDATE takes the row lock): the guarded UPDATE
   * returns the row, the INSERT of the token reads from it. Answers what the view needs, or
   * null when the row is erased or in no recordable state (nothing is written then; the caller
   * takes the slow path that tells why). No token can exist for a row that was not verified
   * yet, so no check for one is needed.
   */
  async markVerifiedWithToken(
    id: string,
    values: VerifiedValues,
    tokenHash: string,
    tokenExpiresAt: Date,
  ): Promise<{ imp_uid: string; flow: string } | null> {
    const rows = await queryPrepared<{ imp_uid: string; flow: string }>(this.dataSource, MARK_VERIFIED_WITH_TOKEN, [
      id, values.nameEnc, values.phoneEnc, values.phoneBidx, values.ciEnc, values.ciBidx, values.diEnc, values.birthday,
      values.gender, values.foreigner, values.carrier, values.certifiedAt, values.merchantUid, tokenHash, tokenExpiresAt,
    ]);
    return rows[0] ?? null;
  }

  /** Inserts a verification recorded straight from the upstream (popup / redirect flow). */
  async insertVerified(manager: EntityManager, impUid: string, values: VerifiedValues): Promise<string> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(CertificationEntity)
      .values({ ...values, impUid, flow: 'popup', status: 'verified', otpAttempts: 0 })
      .returning(['id'])
      .execute();
    return (result.raw as Array<{ id: string }>)[0].id;
  }

  async hasToken(manager: EntityManager, certificationId: string): Promise<boolean> {
    const count = await manager.getRepository(VerificationTokenEntity).count({ where: { certificationId } });
    return count > 0;
  }

  async insertToken(manager: EntityManager, certificationId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await manager.getRepository(VerificationTokenEntity).insert({ certificationId, tokenHash, expiresAt });
  }

  getById(manager: EntityManager, id: string): Promise<CertificationEntity> {
    return manager.getRepository(CertificationEntity).findOneByOrFail({ id });
  }
}


function toEntity(r: Record<string, any>): CertificationEntity {
  return Object.assign(new CertificationEntity(), {
    id: r.id,
    impUid: r.imp_uid,
    merchantUid: r.merchant_uid,
    flow: r.flow,
    status: r.status,
    otpAttempts: r.otp_attempts,
    otpExpiresAt: r.otp_expires_at,
    nameEnc: r.name_enc,
    phoneEnc: r.phone_enc,
    phoneBidx: r.phone_bidx,
    ciEnc: r.ci_enc,
    ciBidx: r.ci_bidx,
    diEnc: r.di_enc,
    birthday: r.birthday,
    gender: r.gender,
    foreigner: r.foreigner,
    carrier: r.carrier,
    certifiedAt: r.certified_at,
    usedAt: r.used_at,
    piiErasedAt: r.pii_erased_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}

/** TypeORM's postgres driver answers an UPDATE/DELETE query with `[rows, rowCount]`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return (Array.isArray(result) ? result : []) as T[];
}
