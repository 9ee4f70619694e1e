import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '@app/common';
import { hashVerificationToken, isVerificationTokenFormat } from '@app/certification';
import { normalizeNickname } from './dto/create-user.dto';
import { USER_DATA_SOURCE, USER_MODULE_OPTIONS } from './user.constants';
import { UserEntity } from './user.entity';
import {
  AlreadyRegisteredError,
  VerificationExpiredError,
  VerificationNotFoundError,
  VerificationUsedError,
} from './user.errors';
import type { UserEvent } from './user.events';
import type { UserModuleOptions } from './user.module-definition';

export interface SignupInput {
  /** The verification token from the verification view. */
  verificationToken: string;
  nickname?: string | null;
  marketingOptIn?: boolean;
}

export interface SignupResult {
  id: string;
  createdAt: Date;
}

/**
 * Accounts keyed by the person's CI: one per person.
 *
 * A signup is ONE transaction: the token row is locked (`SELECT ... FOR UPDATE`) and checked
 * (unknown 404, used 409, expired 410), the verification row is locked, the user inserted with
 * the verification's encrypted CI/DI/name/phone (ciphertexts copied, never decrypted) and its
 * CI blind index, then token and verification are marked used. The UNIQUE index
 * `uq_users_ci_bidx`, not an application check, decides "one account per person": a concurrent
 * or later signup of the same person fails on it and becomes 409 ALREADY_REGISTERED (the
 * transaction rolls back; its token stays unused). Holds on PostgreSQL and on PGlite, with one
 * instance or several.
 */
@Injectable()
export class UserService {
  private readonly logger = new Logger(UserService.name);
  private readonly clock: () => Date;

  constructor(
    @Inject(USER_MODULE_OPTIONS) private readonly options: UserModuleOptions,
    @Inject(USER_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    if (options?.clock !== undefined && typeof options.clock !== 'function') {
      throw new TypeError('UserModule options: clock must be a function returning a Date');
    }
    this.clock = options?.clock ?? (() => new Date());
  }

  async signup(input: SignupInput): Promise<SignupResult> {
    if (!isVerificationTokenFormat(input.verificationToken)) throw new VerificationNotFoundError();
    const tokenHash = hashVerificationToken(input.verificationToken);
    const nickname = input.nickname === undefined || input.nickname === null ? null : normalizeNickname(input.nickname);
    try {
      const result = await this.dataSource.transaction((manager) =>
        this.signupInTransaction(manager, tokenHash, nickname, input.marketingOptIn === true),
      );
      this.emit({ type: 'signup_completed', userId: result.id });
      return result;
    } catch (error) {
      if (isUniqueViolation(error, 'uq_users_ci_bidx')) {
        this.emit({ type: 'signup_conflict' });
        throw new AlreadyRegisteredError();
      }
      if (isUniqueViolation(error, 'uq_users_certification')) {
        // Another signup consumed this verification (through another token) first.
        throw new VerificationUsedError();
      }
      throw error;
    }
  }

  /**
   * The verified birthday behind a token, for the age policy guard: only for a token that can
   * still be used (known, unused, unexpired, its verification recorded); null otherwise, so the
   * signup answers its own precise error.
   */
  async birthdayForToken(token: unknown): Promise<string | null> {
    if (!isVerificationTokenFormat(token)) return null;
    const rows = (await this.dataSource.query(
      `SELECT t.expires_at, to_char(c.birthday, 'YYYY-MM-DD') AS birthday, c.status
         FROM verification_tokens t JOIN certifications c ON c.id = t.certification_id
        WHERE t.token_hash = $1 AND t.used_at IS NULL AND c.pii_erased_at IS NULL`,
      [hashVerificationToken(token)],
    )) as Array<{ expires_at: Date; birthday: string | null; status: string }>;
    const row = rows[0];
    if (!row || row.status !== 'verified' || !row.birthday) return null;
    if (new Date(row.expires_at).getTime() <= this.clock().getTime()) return null;
    return row.birthday;
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOneBy({ id });
  }

  private async signupInTransaction(
    manager: EntityManager,
    tokenHash: string,
    nickname: string | null,
    marketingOptIn: boolean,
  ): Promise<SignupResult> {
    // Token and verification locked together: one SELECT ... FOR UPDATE over the join.
    const found = (await manager.query(
      `SELECT t.id AS token_id, t.expires_at, t.used_at, c.id, c.status, c.pii_erased_at, c.ci_bidx, c.ci_enc, c.di_enc,
              c.name_enc, c.phone_enc, c.phone_bidx, to_char(c.birthday, 'YYYY-MM-DD') AS birthday, c.gender, c.foreigner
         FROM verification_tokens t JOIN certifications c ON c.id = t.certification_id
        WHERE t.token_hash = $1
          FOR UPDATE`,
      [tokenHash],
    )) as Array<Record<string, any>>;
    const row = found[0];
    if (row === undefined) throw new VerificationNotFoundError();
    if (row.used_at !== null) throw new VerificationUsedError();
    if (new Date(row.expires_at).getTime() <= this.clock().getTime()) throw new VerificationExpiredError();
    if (row.pii_erased_at !== null) throw new VerificationNotFoundError();
    if (row.status === 'used') throw new VerificationUsedError();
    if (row.status !== 'verified' || !row.ci_bidx || !row.ci_enc || !row.name_enc || !row.birthday) {
      throw new VerificationNotFoundError();
    }
    const now = this.clock();
    // The user, the token used and the verification used in ONE statement (data-modifying
    // CTEs run exactly once, to completion; a unique violation of the INSERT fails all three).
    const inserted = (await manager.query(
      `WITH used_token AS (
         UPDATE verification_tokens SET used_at = $13 WHERE id = $14
       ), used_certification AS (
         UPDATE certifications SET status = 'used', used_at = $13, updated_at = now() WHERE id = $10
       )
       INSERT INTO users (ci_bidx, ci_enc, di_enc, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner, certification_id, nickname, marketing_opt_in)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id, created_at`,
      [row.ci_bidx, row.ci_enc, row.di_enc, row.name_enc, row.phone_enc, row.phone_bidx, row.birthday, row.gender,
        row.foreigner === true, row.id, nickname, marketingOptIn, now, row.token_id],
    )) as Array<{ id: string; created_at: Date }>;
    return { id: inserted[0].id, createdAt: new Date(inserted[0].created_at) };
  }

  private emit(event: UserEvent): void {
    const listener = this.options?.onEvent;
    if (!listener) return;
    try {
      listener(event);
    } catch (error) {
      this.logger.warn(`onEvent listener threw on ${event.type}: ${(error as Error)?.name ?? 'error'}`);
    }
  }
}
