import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '@app/common';
import { CertificationEntity, VerificationTokenEntity, hashVerificationToken, isVerificationTokenFormat } from '@app/certification';
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
    const row = await this.dataSource
      .getRepository(VerificationTokenEntity)
      .createQueryBuilder('t')
      .innerJoin(CertificationEntity, 'c', 'c.id = t.certification_id')
      .select(['t.expires_at AS expires_at', "to_char(c.birthday, 'YYYY-MM-DD') AS birthday", 'c.status AS status'])
      .where('t.token_hash = :hash AND t.used_at IS NULL AND c.pii_erased_at IS NULL', { hash: hashVerificationToken(token) })
      .getRawOne<{ expires_at: Date; birthday: string | null; status: string }>();
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
    const token = await manager
      .getRepository(VerificationTokenEntity)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.token_hash = :tokenHash', { tokenHash })
      .getOne();
    if (token === null) throw new VerificationNotFoundError();
    if (token.usedAt !== null) throw new VerificationUsedError();
    if (token.expiresAt.getTime() <= this.clock().getTime()) throw new VerificationExpiredError();

    const certification = await manager
      .getRepository(CertificationEntity)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.id = :id', { id: token.certificationId })
      .getOne();
    if (certification === null || certification.piiErasedAt !== null) throw new VerificationNotFoundError();
    if (certification.status === 'used') throw new VerificationUsedError();
    if (
      certification.status !== 'verified' ||
      !certification.ciBidx ||
      !certification.ciEnc ||
      !certification.nameEnc ||
      !certification.birthday
    ) {
      // A token is only issued for a recorded verification; anything else is not signup material.
      throw new VerificationNotFoundError();
    }

    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(UserEntity)
      .values({
        ciBidx: certification.ciBidx,
        ciEnc: certification.ciEnc,
        diEnc: certification.diEnc,
        nameEnc: certification.nameEnc,
        phoneEnc: certification.phoneEnc,
        phoneBidx: certification.phoneBidx,
        birthday: certification.birthday,
        gender: certification.gender,
        foreigner: certification.foreigner === true,
        certificationId: certification.id,
        nickname,
        marketingOptIn,
      })
      .returning(['id', 'created_at'])
      .execute();
    const created = (inserted.raw as Array<{ id: string; created_at: Date }>)[0];

    const now = this.clock();
    await manager.getRepository(VerificationTokenEntity).update({ id: token.id }, { usedAt: now });
    await manager
      .getRepository(CertificationEntity)
      .update({ id: certification.id }, { status: 'used', usedAt: now, updatedAt: () => 'now()' });
    return { id: created.id, createdAt: new Date(created.created_at) };
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
