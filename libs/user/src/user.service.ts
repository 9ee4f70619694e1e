import { Inject, Injectable, Logger } from '@nestjs/common';
import { AgePolicyService, type AgeRequirement } from '@app/age-policy';
import { hashVerificationToken, isVerificationTokenFormat } from '@app/certification';
import { normalizeNickname } from './dto/create-user.dto';
import { UserRepository, type CiLookupAudit, type ErasedAccount, type User, type UserStore } from './repositories/user.repository';
import { USER_MODULE_OPTIONS } from './user.constants';
import {
  AlreadyRegisteredError,
  VerificationExpiredError,
  VerificationNotFoundError,
  VerificationUsedError,
} from './user.errors';
import type { UserEvent } from './user.events';
import type { UserModuleOptions } from './user.options';

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

export interface EraseOptions {
  /** Why (kept in the tombstone): e.g. `withdrawal`. Never personal data. 1-200 characters. */
  reason: string;
  /** Who asked, for the audit row. Default: the person themself (`user:self`). */
  actor?: CiLookupAudit;
}

/** Key id of the audit row of an erasure the person asked for through the host's own route. */
export const SELF_ERASURE_ACTOR = 'user:self';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Accounts keyed by the person's CI: one per person (the UNIQUE index on `ci_bidx` decides, not
 * an application check). The age policy is applied inside the signup statement, so a host calling
 * `signup` from its own route gets it too.
 */
@Injectable()
export class UserService {
  private readonly logger = new Logger(UserService.name);
  private readonly clock: () => Date;

  constructor(
    @Inject(USER_MODULE_OPTIONS) private readonly options: UserModuleOptions,
    @Inject(UserRepository) private readonly users: UserStore,
    private readonly agePolicy: AgePolicyService,
  ) {
    if (options?.clock !== undefined && typeof options.clock !== 'function') {
      throw new TypeError('UserModule options: clock must be a function returning a Date');
    }
    this.clock = options?.clock ?? (() => new Date());
    const keep = options?.keepVerificationPiiHours;
    if (keep !== undefined && (!Number.isInteger(keep) || keep < 0)) {
      throw new TypeError('UserModule options: keepVerificationPiiHours must be an integer >= 0');
    }
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
        const created = cutoff === null ? null : await this.users.signup({
          tokenHash, now, cutoff, nickname, marketingOptIn, keepVerificationPii: (this.options?.keepVerificationPiiHours ?? 0) > 0,
        });
        if (created) {
          this.emit({ type: 'signup_completed', userId: created.id });
          return created;
        }
        await this.explainMiss(tokenHash, now, requirement);
        if (attempt >= 2) throw new VerificationNotFoundError();
      }
    } catch (error) {
      if (error instanceof AlreadyRegisteredError) this.emit({ type: 'signup_conflict' });
      throw error;
    }
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  /**
   * Erases an account (회원 탈퇴): its personal data and that of the verifications behind it go,
   * their upstream copies are queued on the deletion outbox (sent by AdminModule's worker), a
   * tombstone (id, erased_at, reason) stays, and the audit row is written by the same statement.
   * The person can sign up again. Idempotent: a second call answers `already_erased`.
   */
  async erase(userId: string, options: EraseOptions): Promise<ErasedAccount> {
    const reason = typeof options?.reason === 'string' ? options.reason.trim() : '';
    if (reason.length < 1 || reason.length > 200) throw new TypeError('erase: reason must be 1-200 characters');
    if (typeof userId !== 'string' || !UUID.test(userId)) return { outcome: 'not_found', impUids: [] };
    const actor = options.actor ?? { keyId: SELF_ERASURE_ACTOR, clientIp: null, requestId: null };
    const erased = await this.users.erase({ userId, now: this.clock(), reason, audit: actor });
    if (erased.outcome === 'erased') this.emit({ type: 'account_erased', userId });
    return erased;
  }

  /** Why the signup inserted nothing, checked in the order of the API's answers; returns when nothing is wrong (any more). */
  private async explainMiss(tokenHash: string, now: Date, requirement?: AgeRequirement | null): Promise<void> {
    const state = await this.users.findSignupState(tokenHash);
    if (state === null) throw new VerificationNotFoundError();
    if (state.usedAt !== null) throw new VerificationUsedError();
    if (state.expiresAt.getTime() <= now.getTime()) throw new VerificationExpiredError();
    if (state.piiErasedAt !== null) throw new VerificationNotFoundError();
    if (state.status === 'used') throw new VerificationUsedError();
    if (state.status !== 'verified' || !state.complete || !state.birthday) throw new VerificationNotFoundError();
    this.agePolicy.check(state.birthday, requirement);
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
