import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AgePolicyService, type AgeRequirement } from '@app/age-policy';
import { definePreparedStatement, isUniqueViolation, queryPrepared } from '@app/common';
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
 * The signup statement: data-modifying CTEs run exactly once and to completion, and a unique
 * violation of the INSERT fails all of it. `candidate` is referenced three times, so it is
 * evaluated (and its rows locked) once. $1 token hash, $2 now, $3 age cutoff, $4 nickname,
 * $5 marketing opt-in.
 */
const SIGNUP = definePreparedStatement(
  'user_signup',
  `WITH candidate AS (
     SELECT t.id AS token_id, c.id, c.ci_bidx, c.ci_enc, c.di_enc, c.name_enc, c.phone_enc, c.phone_bidx,
            c.birthday, c.gender, c.foreigner
       FROM verification_tokens t JOIN certifications c ON c.id = t.certification_id
      WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2
        AND c.status = 'verified' AND c.pii_erased_at IS NULL
        AND c.ci_bidx IS NOT NULL AND c.ci_enc IS NOT NULL AND c.name_enc IS NOT NULL
        AND c.birthday IS NOT NULL AND c.birthday <= $3::date
        FOR UPDATE
   ), used_token AS (
     UPDATE verification_tokens SET used_at = $2 FROM candidate WHERE verification_tokens.id = candidate.token_id
   ), used_certification AS (
     UPDATE certifications SET status = 'used', used_at = $2, updated_at = now() FROM candidate WHERE certifications.id = candidate.id
   )
   INSERT INTO users (ci_bidx, ci_enc, di_enc, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner, certification_id, nickname, marketing_opt_in)
   SELECT ci_bidx, ci_enc, di_enc, name_enc, phone_enc, phone_bidx, birthday, gender, coalesce(foreigner, false), id, $4, $5
     FROM candidate
   RETURNING id, created_at`,
);

/**
 * Accounts keyed by the person's CI: one per person.
 *
 * A signup is ONE statement (atomic on its own, no BEGIN/COMMIT round trips): it locks the
 * token and its verification (`SELECT ... FOR UPDATE` in a CTE) when both can be used (token
 * unused and unexpired, verification verified and not erased) and the verified birthday meets
 * the age policy (`birthday <= AgePolicyService.latestEligibleBirthday()`), inserts the user
 * with the verification's encrypted CI/DI/name/phone (ciphertexts copied, never decrypted) and
 * its CI blind index, and marks token and verification used. When it inserts nothing, a plain
 * SELECT tells why, in this order: unknown 404, used 409, expired 410, erased 404, too young
 * 403 AGE_RESTRICTED. The UNIQUE index `uq_users_ci_bidx`, not an application check, decides
 * "one account per person": a concurrent or later signup of the same person fails on it and
 * becomes 409 ALREADY_REGISTERED (nothing of that statement is written; its token stays
 * unused). Two signups with the same token: the second waits for the first's row lock, then no
 * longer matches (`used_at` is set) and answers 409 VERIFICATION_USED. Holds on PostgreSQL and
 * on PGlite, with one instance or several.
 *
 * The age policy is applied here, not only by a guard at the HTTP edge, so a host that calls
 * `signup` from its own route gets it too (module defaults of AgePolicyModule, or the
 * requirement it passes).
 */
@Injectable()
export class UserService {
  private readonly logger = new Logger(UserService.name);
  private readonly clock: () => Date;

  constructor(
    @Inject(USER_MODULE_OPTIONS) private readonly options: UserModuleOptions,
    @Inject(USER_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly agePolicy: AgePolicyService,
  ) {
    if (options?.clock !== undefined && typeof options.clock !== 'function') {
      throw new TypeError('UserModule options: clock must be a function returning a Date');
    }
    this.clock = options?.clock ?? (() => new Date());
  }

  /**
   * Creates the account of the person behind a verification token. `requirement` overrides the
   * age policy's defaults (minimum age, mode) for this signup.
   */
  async signup(input: SignupInput, requirement?: AgeRequirement | null): Promise<SignupResult> {
    if (!isVerificationTokenFormat(input.verificationToken)) throw new VerificationNotFoundError();
    const tokenHash = hashVerificationToken(input.verificationToken);
    const nickname = input.nickname === undefined || input.nickname === null ? null : normalizeNickname(input.nickname);
    const marketingOptIn = input.marketingOptIn === true;
    try {
      // A miss whose diagnosis finds nothing wrong (the rows changed in between) is tried once more.
      for (let attempt = 1; ; attempt++) {
        const cutoff = this.agePolicy.latestEligibleBirthday(requirement);
        const now = this.clock();
        const inserted = cutoff === null ? [] : await this.insertUser(tokenHash, nickname, marketingOptIn, cutoff, now);
        if (inserted.length > 0) {
          const result = { id: inserted[0].id, createdAt: new Date(inserted[0].created_at) };
          this.emit({ type: 'signup_completed', userId: result.id });
          return result;
        }
        await this.explainMiss(tokenHash, now, requirement);
        if (attempt >= 2) throw new VerificationNotFoundError();
      }
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

  findById(id: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOneBy({ id });
  }

  /** Runs SIGNUP: the new user's id and creation time, or no row (see `explainMiss`). */
  private insertUser(
    tokenHash: string,
    nickname: string | null,
    marketingOptIn: boolean,
    cutoff: string,
    now: Date,
  ): Promise<Array<{ id: string; created_at: Date }>> {
    return queryPrepared<{ id: string; created_at: Date }>(this.dataSource, SIGNUP, [tokenHash, now, cutoff, nickname, marketingOptIn]);
  }

  /** Why the signup statement inserted nothing: throws the precise error; returns when nothing is wrong (any more). */
  private async explainMiss(tokenHash: string, now: Date, requirement?: AgeRequirement | null): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT t.expires_at, t.used_at, c.status, c.pii_erased_at, c.ci_bidx IS NOT NULL AND c.ci_enc IS NOT NULL AND c.name_enc IS NOT NULL AS complete,
              to_char(c.birthday, 'YYYY-MM-DD') AS birthday
         FROM verification_tokens t JOIN certifications c ON c.id = t.certification_id
        WHERE t.token_hash = $1`,
      [tokenHash],
    )) as Array<{ expires_at: Date; used_at: Date | null; status: string; pii_erased_at: Date | null; complete: boolean; birthday: string | null }>;
    const row = rows[0];
    if (row === undefined) throw new VerificationNotFoundError();
    if (row.used_at !== null) throw new VerificationUsedError();
    if (new Date(row.expires_at).getTime() <= now.getTime()) throw new VerificationExpiredError();
    if (row.pii_erased_at !== null) throw new VerificationNotFoundError();
    if (row.status === 'used') throw new VerificationUsedError();
    if (row.status !== 'verified' || !row.complete || !row.birthday) throw new VerificationNotFoundError();
    this.agePolicy.check(row.birthday, requirement);
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
