import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { todayInSeoul } from '@app/age-policy';
import { DomainError, ValidationFailedError, isUniqueViolation } from '@app/common';
import { IamportClient, IamportError, type IamportCertification } from '@app/iamport';
import { BlindIndex, PiiCipher } from '@app/pii';
import {
  AlreadyConfirmedError,
  CertificationNotFoundError,
  IdentityRejectedError,
  NotCertifiedError,
  OtpAttemptsExceededError,
  OtpExpiredError,
  OtpMismatchError,
  UpstreamError,
} from './certification.errors';
import { CERTIFICATION_MODULE_OPTIONS } from './certification.constants';
import type { CertificationEvent, CertificationEventType } from './certification.events';
import type { CertificationModuleOptions } from './certification.module-definition';
import { resolveCertificationOptions, type ResolvedCertificationOptions } from './certification.options';
import { CertificationRepository, type VerifiedValues } from './certification.repository';
import type { CertificationEntity } from './entities/certification.entity';
import {
  normalizeBirth,
  normalizeCarrier,
  normalizeGenderDigit,
  normalizeName,
  normalizeOtp,
  normalizePhone,
  type Carrier,
} from './input/normalize';
import { appendQuery } from './redirect-url';
import { classifyConfirmRejection, isUpstreamStatus, upstreamDomainError } from './upstream-errors';
import { generateVerificationToken } from './verification-token';
import { buildVerificationView, type VerificationView } from './verification-view';

/** The OTP request as the person typed it (the REST body, camelCased). */
export interface OtpRequestInput {
  name: unknown;
  phone: unknown;
  birth: unknown;
  genderDigit: unknown;
  carrier: unknown;
  isMvno?: unknown;
  company?: unknown;
  merchantUid?: unknown;
}

export interface OtpRequested {
  impUid: string;
  /** When the pending OTP expires here. */
  expiresAt: Date;
}

export interface RecoveryReport {
  /** Pending verifications looked up upstream. */
  checked: number;
  /** Certified upstream, now recorded as verified (without a token; see `confirmOtp`). */
  recovered: number;
  /** Past their OTP window and not certified (or unknown upstream): marked expired. */
  expired: number;
  /** Upstream lookups that failed (the batch stops at the first unavailability). */
  failed: number;
}

interface NormalizedOtpRequest {
  name: string;
  phone: string;
  birth: { yymmdd: string; iso: string };
  genderDigit: string;
  carrier: Carrier;
  isMvno: boolean | undefined;
  company: string | null;
  merchantUid: string | null;
}

const IMP_UID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Identity verification on the i'mport (PortOne V1) API: the SMS OTP flow, the popup and
 * redirect flows, verification records and their single-use verification tokens.
 *
 * Decisions (see also docs/flows.md):
 * - The OTP is never stored or logged. At most `otpMaxAttempts` wrong confirmations per
 *   imp_uid: an attempt is reserved in the database (one guarded UPDATE) before the upstream is
 *   asked, and given back when the upstream fails (5xx, timeout, network), since the OTP was
 *   then not judged.
 * - A verification token is issued at most once per verification, by the request that records
 *   it (or, for a verification recorded without one, by the first later request that asks):
 *   the certification row is locked (`SELECT ... FOR UPDATE`) while its token is inserted.
 * - Recovery. A confirmation that succeeded upstream but was not recorded here is recovered
 *   (a) on the person's next confirmation: the upstream answers 400 "already confirmed", the
 *   certification is fetched and, being certified, recorded, and the token issued; (b) by
 *   `recoverPending`, which records such verifications WITHOUT a token (a token must reach
 *   only the person). For a verification recorded without a token, the next confirmation
 *   (or POST /certifications with its imp_uid) issues the token and answers the view, instead of
 *   409 ALREADY_CONFIRMED: that is the only way the person can still get it. 409 is answered
 *   once a token exists. Consequence: for such a row, the imp_uid (which only the person's own
 *   client received) is the capability, as in the upstream's popup flow.
 * - Nothing is written when the upstream refuses or fails an OTP request.
 */
@Injectable()
export class CertificationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CertificationService.name);
  readonly options: ResolvedCertificationOptions;
  private recoveryTimer: NodeJS.Timeout | null = null;
  private recoveryRun: Promise<unknown> | null = null;

  constructor(
    @Inject(CERTIFICATION_MODULE_OPTIONS) options: CertificationModuleOptions,
    private readonly repository: CertificationRepository,
    private readonly iamport: IamportClient,
    private readonly cipher: PiiCipher,
    private readonly blindIndex: BlindIndex,
  ) {
    this.options = resolveCertificationOptions(options);
  }

  onApplicationBootstrap(): void {
    const recovery = this.options.recovery;
    if (!recovery) return;
    this.recoveryTimer = setInterval(() => {
      if (this.recoveryRun) return; // the previous run is still going
      this.recoveryRun = this.recoverPending({ limit: recovery.batchSize, minAgeSeconds: recovery.minAgeSeconds })
        .then((report) => {
          if (report.recovered || report.expired || report.failed) {
            this.logger.log(
              `Recovery: checked ${report.checked}, recovered ${report.recovered}, expired ${report.expired}, failed ${report.failed}`,
            );
          }
        })
        .catch((error: unknown) => this.logger.warn(`Recovery run failed: ${(error as Error)?.name ?? 'error'}`))
        .finally(() => {
          this.recoveryRun = null;
        });
    }, recovery.intervalSeconds * 1000);
    this.recoveryTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.recoveryTimer) clearInterval(this.recoveryTimer);
    this.recoveryTimer = null;
    await this.recoveryRun;
  }

  // ------------------------------------------------------------------ OTP flow

  /**
   * Sends an OTP through the upstream and stores the pending verification (name and phone
   * encrypted, phone blind index, birthday). Throws ValidationFailedError (400) for bad input,
   * IdentityRejectedError (422) when the carrier refuses the person, UpstreamError (502),
   * UpstreamUnavailableError (503); the OTP request is never retried (an SMS may have gone out).
   */
  async requestOtp(input: OtpRequestInput, context: { ip?: string | null } = {}): Promise<OtpRequested> {
    const n = this.normalizeOtpRequest(input);
    const phoneBidx = this.blindIndex.compute('phone', n.phone);
    // Rate limits (per phone number, per IP) plug in here: see OtpRequestLimiter.
    await this.options.otpRequestLimiter?.beforeOtpRequest({ phoneBidx, ip: context.ip ?? null });

    let impUid: string;
    try {
      ({ imp_uid: impUid } = await this.iamport.requestOtp({
        name: n.name,
        phone: n.phone,
        birth: n.birth.yymmdd,
        gender_digit: n.genderDigit,
        carrier: n.carrier,
        is_mvno: n.isMvno,
        company: n.company ?? undefined,
        merchant_uid: n.merchantUid ?? undefined,
      }));
    } catch (error) {
      if (isUpstreamStatus(error, 400)) {
        throw new IdentityRejectedError(error.upstreamMessage);
      }
      throw this.upstreamFailure(error, 'otp');
    }

    const expiresAt = new Date(this.now().getTime() + this.options.otpTtlSeconds * 1000);
    let id: string;
    try {
      id = await this.repository.insertPending({
        impUid,
        merchantUid: n.merchantUid,
        nameEnc: this.cipher.encrypt(n.name),
        phoneEnc: this.cipher.encrypt(n.phone),
        phoneBidx,
        birthday: n.birth.iso,
        carrier: n.isMvno ? `${n.carrier}_MVNO` : n.carrier,
        otpExpiresAt: expiresAt,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        // The upstream handed out an imp_uid we already hold: its fault, not the person's.
        throw new UpstreamError('The identity verification provider returned a duplicate imp_uid');
      }
      throw error;
    }
    this.emit({ type: 'otp_requested', flow: 'otp', certificationId: id });
    return { impUid, expiresAt };
  }

  /**
   * Confirms the OTP of a pending verification and issues its verification token.
   * 404 CertificationNotFoundError (unknown, or not an OTP verification), 409 AlreadyConfirmedError,
   * 429 OtpAttemptsExceededError (locked; the upstream is not asked), 410 OtpExpiredError (the
   * upstream is not asked when our window passed), 400 OtpMismatchError (details.attempts_left),
   * 502/503 on upstream failures (the attempt is given back).
   */
  async confirmOtp(impUid: string, rawOtp: unknown): Promise<VerificationView> {
    const otp = normalizeOtp(rawOtp);
    if (otp === null) throw new ValidationFailedError([{ field: 'otp', message: 'otp must be 6 digits' }]);
    const max = this.options.otpMaxAttempts;
    const reserved =
      typeof impUid === 'string' && IMP_UID.test(impUid) ? await this.repository.reserveAttemptByImpUid(impUid, max, this.now()) : null;
    const row = reserved ?? (await this.findLive(impUid));
    if (row === null || row.flow !== 'otp') {
      throw new CertificationNotFoundError('No OTP verification with this imp_uid');
    }
    if (reserved !== null) return this.confirmReserved(row, otp);
    if (row.status !== 'pending') return this.answerSettled(row);
    if (row.otpExpiresAt !== null && row.otpExpiresAt.getTime() <= this.now().getTime()) {
      if (await this.repository.markExpired(row.id)) this.emit({ type: 'otp_expired', flow: 'otp', certificationId: row.id });
      throw new OtpExpiredError();
    }

    const attempts = await this.repository.reserveAttempt(row.id, max);
    if (attempts === null) {
      // No attempt left, or another request settled the row meanwhile: answer from its state.
      const current = await this.repository.findById(row.id);
      if (current === null) throw new CertificationNotFoundError('No OTP verification with this imp_uid');
      if (current.status === 'pending') throw new OtpAttemptsExceededError(max);
      return this.answerSettled(current);
    }
    return this.confirmReserved(row, otp);
  }

  /** With an attempt reserved: asks the upstream and records the result. */
  private async confirmReserved(row: CertificationEntity, otp: string): Promise<VerificationView> {
    let certification: IamportCertification;
    try {
      certification = await this.iamport.confirmOtp(row.impUid, otp);
    } catch (error) {
      if (isUpstreamStatus(error, 400)) return this.afterConfirmRefused(row, error.upstreamMessage);
      await this.repository.releaseAttempt(row.id);
      if (isUpstreamStatus(error, 404)) throw new CertificationNotFoundError('The provider does not know this imp_uid');
      throw this.upstreamFailure(error, 'otp', row.id);
    }
    if (!certification.certified) {
      await this.repository.releaseAttempt(row.id);
      throw new UpstreamError('The identity verification provider confirmed the OTP but not the certification');
    }
    let view: VerificationView | null;
    try {
      view = await this.record(certification, row, true);
    } catch (error) {
      // e.g. a certification without a CI (502): the OTP was right, do not count it as an attempt
      if (error instanceof UpstreamError) await this.repository.releaseAttempt(row.id);
      throw error;
    }
    this.emit({ type: 'otp_confirmed', flow: 'otp', certificationId: row.id });
    return view!;
  }

  /**
   * The upstream refused the confirmation with a 400: a wrong OTP, an expired one, or one that
   * was already confirmed (e.g. our earlier call went through but its answer was lost). The
   * certification itself tells: certified -> record it (recovery); otherwise the message tells
   * expiry from a wrong OTP, and anything unrecognised counts as a wrong OTP (it uses the
   * attempt: the safe side).
   */
  private async afterConfirmRefused(row: CertificationEntity, upstreamMessage: string | undefined): Promise<VerificationView> {
    let certification: IamportCertification;
    try {
      certification = await this.iamport.getCertification(row.impUid);
    } catch (error) {
      await this.repository.releaseAttempt(row.id);
      if (isUpstreamStatus(error, 404)) throw new CertificationNotFoundError('The provider does not know this imp_uid');
      throw this.upstreamFailure(error, 'otp', row.id);
    }
    if (certification.certified) {
      const view = await this.record(certification, row, true);
      this.emit({ type: 'verification_recovered', flow: 'otp', certificationId: row.id });
      this.emit({ type: 'otp_confirmed', flow: 'otp', certificationId: row.id });
      return view!;
    }
    const kind = classifyConfirmRejection(upstreamMessage);
    if (kind === 'expired') {
      if (await this.repository.markExpired(row.id)) this.emit({ type: 'otp_expired', flow: 'otp', certificationId: row.id });
      throw new OtpExpiredError();
    }
    if (kind === 'already_confirmed') {
      // "Already confirmed" yet not certified: the provider contradicts itself; the OTP was not judged.
      await this.repository.releaseAttempt(row.id);
      throw new UpstreamError('The identity verification provider gave contradictory answers');
    }
    const max = this.options.otpMaxAttempts;
    const state = await this.repository.recordMismatch(row.id, max);
    this.emit({ type: 'otp_mismatch', flow: 'otp', certificationId: row.id });
    if (state?.locked) this.emit({ type: 'otp_locked', flow: 'otp', certificationId: row.id });
    throw new OtpMismatchError(state ? Math.max(0, max - state.attempts) : 0);
  }

  /** The answer for a verification that is no longer pending. */
  private async answerSettled(row: CertificationEntity): Promise<VerificationView> {
    switch (row.status) {
      case 'verified':
        return this.issueForRecorded(row); // a token if it has none yet, else 409
      case 'used':
        throw new AlreadyConfirmedError();
      case 'locked':
        throw new OtpAttemptsExceededError(this.options.otpMaxAttempts);
      case 'expired':
        throw new OtpExpiredError();
      default:
        throw new OtpAttemptsExceededError(this.options.otpMaxAttempts);
    }
  }

  // ------------------------------------------------------------------ popup / redirect flow

  /**
   * The popup flow's result (POST /certifications): checks the certification upstream, records
   * it and issues its verification token, once. 404 CertificationNotFoundError, 409
   * NotCertifiedError, 409 AlreadyConfirmedError (a token was issued already), 502/503.
   */
  async verifyCertification(impUid: string): Promise<VerificationView> {
    const view = await this.recordFromUpstream(impUid, true);
    return view!;
  }

  /**
   * The redirect flow's landing (GET /certifications/redirect): checks the certification
   * upstream and records it WITHOUT issuing a token (a token must not travel in a URL); the
   * front end then calls `verifyCertification` (POST /certifications) for the token. Idempotent:
   * a verification recorded already is fine. Throws like `verifyCertification`.
   */
  async recordRedirect(impUid: string): Promise<void> {
    await this.recordFromUpstream(impUid, false);
  }

  /**
   * Where the redirect flow sends the browser: the success URL with `?imp_uid=` once the
   * certification is recorded, else the failure URL with `?imp_uid=&error_code=`. Never throws;
   * no personal data in either URL. `success` is the upstream's `success` (or legacy
   * `imp_success`) query parameter, `'true'` for a completed certification.
   */
  async redirectTarget(query: { impUid?: unknown; success?: unknown }): Promise<string> {
    const { successUrl, failureUrl } = this.options.redirect;
    const impUid = typeof query.impUid === 'string' && IMP_UID.test(query.impUid) ? query.impUid : undefined;
    if (impUid === undefined) return appendQuery(failureUrl, { error_code: 'VALIDATION_FAILED' });
    if (String(query.success).toLowerCase() !== 'true') {
      return appendQuery(failureUrl, { imp_uid: impUid, error_code: 'NOT_CERTIFIED' });
    }
    try {
      await this.recordRedirect(impUid);
      return appendQuery(successUrl, { imp_uid: impUid });
    } catch (error) {
      let code = 'INTERNAL_ERROR';
      if (error instanceof DomainError) code = error.code;
      else this.logger.error(`Redirect flow failed: ${(error as Error)?.name ?? typeof error}`);
      return appendQuery(failureUrl, { imp_uid: impUid, error_code: code });
    }
  }

  private async recordFromUpstream(impUid: string, issueToken: boolean): Promise<VerificationView | null> {
    if (!IMP_UID.test(impUid)) throw new CertificationNotFoundError();
    const existing = await this.findLive(impUid);
    if (existing !== null) {
      if (existing.status === 'used') throw new AlreadyConfirmedError();
      if (existing.status === 'verified') return issueToken ? this.issueForRecorded(existing) : null;
      // An OTP verification that never succeeded here cannot be completed through this path.
      if (existing.status === 'locked' || existing.status === 'expired') throw new NotCertifiedError();
    }
    let certification: IamportCertification;
    try {
      certification = await this.iamport.getCertification(impUid);
    } catch (error) {
      if (isUpstreamStatus(error, 404)) throw new CertificationNotFoundError();
      throw this.upstreamFailure(error, existing?.flow ?? 'popup', existing?.id);
    }
    if (!certification.certified) throw new NotCertifiedError();
    if (certification.imp_uid && certification.imp_uid !== impUid) {
      throw new UpstreamError('The identity verification provider answered for another imp_uid');
    }
    if (existing !== null) {
      // A pending OTP verification the upstream reports certified: recovered.
      const view = await this.record(certification, existing, issueToken);
      this.emit({ type: 'verification_recovered', flow: 'otp', certificationId: existing.id });
      return view;
    }
    try {
      const { id, view } = await this.insertFromUpstream(impUid, certification, issueToken);
      this.emit({ type: 'popup_verified', flow: 'popup', certificationId: id });
      return view;
    } catch (error) {
      if (!isUniqueViolation(error, 'uq_certifications_imp_uid')) throw error;
      // A concurrent request recorded it first: the unique index on imp_uid decided.
      const winner = await this.findLive(impUid);
      if (winner === null) throw new CertificationNotFoundError();
      if (winner.status !== 'verified') throw new AlreadyConfirmedError();
      return issueToken ? this.issueForRecorded(winner) : null;
    }
  }

  // ------------------------------------------------------------------ recording

  /**
   * Records a certified verification on an existing row, in one transaction under the row's
   * lock: pending/locked/expired -> verified with the upstream's data; then, if asked, issues
   * the token (409 AlreadyConfirmedError when the verification has one or was used).
   * Returns the view when a token was issued.
   */
  private async record(
    certification: IamportCertification,
    row: CertificationEntity,
    issueToken: boolean,
  ): Promise<VerificationView | null> {
    const values = this.verifiedValues(certification, row);
    if (issueToken) {
      // Fast path (the usual case: a pending row): ONE statement records the verification and
      // inserts its token (see markVerifiedWithToken); the view is built from values in hand.
      // Anything else (nothing matched) takes the path below, which tells why.
      const now = this.now();
      const { token, hash } = generateVerificationToken();
      const expiresAt = new Date(now.getTime() + this.options.verificationTokenTtlSeconds * 1000);
      const updated = await this.repository.markVerifiedWithToken(row.id, values, hash, expiresAt);
      const fast =
        updated === null
          ? null
          : buildVerificationView(
              {
                impUid: updated.imp_uid,
                certifiedAt: values.certifiedAt,
                name: certification.name ? certification.name.normalize('NFC') : this.cipher.decrypt(values.nameEnc),
                birthday: values.birthday,
                gender: values.gender,
                foreigner: values.foreigner,
                token,
                tokenExpiresAt: expiresAt,
              },
              now,
            );
      if (fast !== null) {
        this.emit({ type: 'token_issued', flow: row.flow, certificationId: row.id });
        return fast;
      }
    }
    const view = await this.repository.dataSource.transaction(async (manager) => {
      const locked = await this.repository.lockById(manager, row.id);
      if (locked === null || locked.piiErasedAt !== null) throw new CertificationNotFoundError();
      if (locked.status === 'used') throw new AlreadyConfirmedError();
      if (locked.status !== 'verified') {
        if (!(await this.repository.markVerified(manager, row.id, values))) throw new AlreadyConfirmedError();
      } else if (!issueToken) {
        return null; // recorded already (by a concurrent request): nothing to do
      }
      return issueToken ? this.issueTokenLocked(manager, row.id) : null;
    });
    if (view) this.emit({ type: 'token_issued', flow: row.flow, certificationId: row.id });
    return view;
  }

  /** Issues the token of a verification recorded without one (409 if it has one). */
  private async issueForRecorded(row: CertificationEntity): Promise<VerificationView> {
    const view = await this.repository.dataSource.transaction(async (manager) => {
      const locked = await this.repository.lockById(manager, row.id);
      if (locked === null || locked.piiErasedAt !== null) throw new CertificationNotFoundError();
      if (locked.status !== 'verified') throw new AlreadyConfirmedError();
      return this.issueTokenLocked(manager, row.id);
    });
    this.emit({ type: 'token_issued', flow: row.flow, certificationId: row.id });
    return view;
  }

  private async insertFromUpstream(
    impUid: string,
    certification: IamportCertification,
    issueToken: boolean,
  ): Promise<{ id: string; view: VerificationView | null }> {
    const values = this.verifiedValues(certification, null);
    const result = await this.repository.dataSource.transaction(async (manager) => {
      const id = await this.repository.insertVerified(manager, impUid, values);
      const view = issueToken ? await this.issueTokenLocked(manager, id) : null;
      return { id, view };
    });
    if (result.view) this.emit({ type: 'token_issued', flow: 'popup', certificationId: result.id });
    return result;
  }

  /**
   * Inside a transaction holding the row lock (or having inserted the row): inserts the token
   * and builds the view. The caller reports `token_issued` once the transaction committed.
   */
  private async issueTokenLocked(
    manager: Parameters<CertificationRepository['hasToken']>[0],
    id: string,
  ): Promise<VerificationView> {
    if (await this.repository.hasToken(manager, id)) throw new AlreadyConfirmedError();
    const now = this.now();
    const { token, hash } = generateVerificationToken();
    const expiresAt = new Date(now.getTime() + this.options.verificationTokenTtlSeconds * 1000);
    await this.repository.insertToken(manager, id, hash, expiresAt);
    const row = await this.repository.getById(manager, id);
    if (row.nameEnc === null || row.birthday === null || row.certifiedAt === null) {
      throw new UpstreamError('The recorded certification lacks required data');
    }
    const view = buildVerificationView(
      {
        impUid: row.impUid,
        certifiedAt: row.certifiedAt,
        name: this.cipher.decrypt(row.nameEnc),
        birthday: row.birthday,
        gender: row.gender,
        foreigner: row.foreigner,
        token,
        tokenExpiresAt: expiresAt,
      },
      now,
    );
    return view;
  }

  /**
   * The columns of a certified verification from the upstream's answer, falling back to what
   * the OTP request stored (name, phone, birthday) when the upstream omits a field. A
   * certification without a CI or a birthday cannot serve a signup: 502.
   */
  private verifiedValues(c: IamportCertification, row: CertificationEntity | null): VerifiedValues {
    const ci = c.unique_key;
    const birthday = c.birthday ?? row?.birthday ?? null;
    const phone = c.phone ? normalizePhone(c.phone) ?? c.phone.replace(/\D/g, '') : null;
    if (!ci || !birthday || !/^\d{4}-\d{2}-\d{2}$/.test(birthday)) {
      throw new UpstreamError('The certification lacks the CI or the birthday');
    }
    const nameEnc = c.name ? this.cipher.encrypt(c.name.normalize('NFC')) : row?.nameEnc;
    if (!nameEnc) throw new UpstreamError('The certification lacks the name');
    const certifiedAtMs = c.certified_at > 0 ? c.certified_at * 1000 : this.now().getTime();
    return {
      nameEnc,
      phoneEnc: phone ? this.cipher.encrypt(phone) : (row?.phoneEnc ?? null),
      phoneBidx: phone ? this.blindIndex.compute('phone', phone) : (row?.phoneBidx ?? null),
      ciEnc: this.cipher.encrypt(ci),
      ciBidx: this.blindIndex.compute('ci', ci),
      diEnc: c.unique_in_site ? this.cipher.encrypt(c.unique_in_site) : null,
      birthday,
      gender: c.gender ?? null,
      foreigner: c.foreigner === true,
      carrier: c.carrier ?? row?.carrier ?? null,
      certifiedAt: new Date(certifiedAtMs),
      merchantUid: c.merchant_uid ?? row?.merchantUid ?? null,
    };
  }

  // ------------------------------------------------------------------ recovery

  /**
   * Recovers confirmations that succeeded upstream but were not recorded here (a crash, a lost
   * answer): for up to `limit` pending OTP verifications created at least `minAgeSeconds` ago
   * (so confirmations in flight are left alone), asks the upstream; certified ones are
   * recorded as verified WITHOUT a token (the person gets it by confirming again, see the class
   * comment); ones past their OTP window (or unknown upstream) are marked expired. Stops at the
   * first unavailability of the upstream. Safe to run on several instances at once.
   */
  async recoverPending(options: { limit?: number; minAgeSeconds?: number } = {}): Promise<RecoveryReport> {
    const limit = options.limit ?? this.options.recovery?.batchSize ?? 50;
    const minAgeSeconds = options.minAgeSeconds ?? this.options.recovery?.minAgeSeconds ?? 60;
    const now = this.now();
    const rows = await this.repository.findPendingForRecovery(new Date(now.getTime() - minAgeSeconds * 1000), limit);
    const report: RecoveryReport = { checked: 0, recovered: 0, expired: 0, failed: 0 };
    for (const row of rows) {
      report.checked++;
      let certification: IamportCertification;
      try {
        certification = await this.iamport.getCertification(row.impUid);
      } catch (error) {
        if (isUpstreamStatus(error, 404)) {
          if (await this.repository.markExpired(row.id)) report.expired++;
          continue;
        }
        report.failed++;
        if (error instanceof IamportError && error.retryable) break; // the upstream is down: try later
        continue;
      }
      try {
        if (certification.certified) {
          await this.record(certification, row, false);
          report.recovered++;
          this.emit({ type: 'verification_recovered', flow: 'otp', certificationId: row.id });
        } else if (row.otpExpiresAt !== null && row.otpExpiresAt.getTime() <= now.getTime()) {
          if (await this.repository.markExpired(row.id)) {
            report.expired++;
            this.emit({ type: 'otp_expired', flow: 'otp', certificationId: row.id });
          }
        }
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        report.failed++; // e.g. settled meanwhile, or a certification without CI
      }
    }
    return report;
  }

  // ------------------------------------------------------------------ helpers

  /** A verification by imp_uid, unless unknown or erased. */
  async findLive(impUid: string): Promise<CertificationEntity | null> {
    if (typeof impUid !== 'string' || !IMP_UID.test(impUid)) return null;
    const row = await this.repository.findByImpUid(impUid);
    return row !== null && row.piiErasedAt === null ? row : null;
  }

  private normalizeOtpRequest(input: OtpRequestInput): NormalizedOtpRequest {
    const fields: Array<{ field: string; message: string }> = [];
    const name = normalizeName(input.name);
    if (name === null) fields.push({ field: 'name', message: 'name must be 1-50 Hangul or Latin letters, spaces or middle dots' });
    const phone = normalizePhone(input.phone);
    if (phone === null) fields.push({ field: 'phone', message: 'phone must be a Korean mobile number' });
    const genderDigit = normalizeGenderDigit(input.genderDigit);
    if (genderDigit === null) fields.push({ field: 'gender_digit', message: 'gender_digit must be a digit from 1 to 8' });
    const carrier = normalizeCarrier(input.carrier);
    if (carrier === null) fields.push({ field: 'carrier', message: 'carrier must be one of SKT, KT, LGT' });

    let birth: NormalizedOtpRequest['birth'] | null = null;
    const parsed = normalizeBirth(input.birth, genderDigit ?? '1', todayInSeoul(this.now()));
    if (parsed.ok) {
      birth = { yymmdd: parsed.yymmdd, iso: parsed.iso };
    } else if (parsed.reason === 'century_mismatch') {
      if (genderDigit !== null) {
        const message = 'birth and gender_digit disagree on the century (1,2,5,6: 1900s; 3,4,7,8: 2000s)';
        fields.push({ field: 'birth', message }, { field: 'gender_digit', message });
      }
    } else {
      const messages: Record<string, string> = {
        format: 'birth must be a date as YYYYMMDD or YYMMDD (separators allowed)',
        invalid_date: 'birth must be a real calendar date',
        future: 'birth must be a past date',
        invalid_gender_digit: 'birth cannot be read without a valid gender_digit',
      };
      fields.push({ field: 'birth', message: messages[parsed.reason] ?? 'birth is invalid' });
    }

    const isMvno = input.isMvno;
    if (isMvno !== undefined && isMvno !== null && typeof isMvno !== 'boolean') {
      fields.push({ field: 'is_mvno', message: 'is_mvno must be a boolean' });
    }
    const text = (field: string, value: unknown, max: number): string | null => {
      if (value === undefined || value === null) return null;
      if (typeof value !== 'string' || value.length < 1 || value.length > max || /\p{Cc}/u.test(value)) {
        fields.push({ field, message: `${field} must be a string of 1-${max} characters` });
        return null;
      }
      return value;
    };
    const company = text('company', input.company, 50) ?? this.options.company;
    const merchantUid = text('merchant_uid', input.merchantUid, 80);

    if (fields.length || name === null || phone === null || genderDigit === null || carrier === null || birth === null) {
      throw new ValidationFailedError(fields);
    }
    return {
      name,
      phone,
      birth,
      genderDigit,
      carrier,
      isMvno: typeof isMvno === 'boolean' ? isMvno : undefined,
      company,
      merchantUid,
    };
  }

  /** Maps an upstream failure (502/503) and reports it; non-upstream errors pass through. */
  private upstreamFailure(error: unknown, flow: 'otp' | 'popup', certificationId?: string): unknown {
    if (!(error instanceof IamportError)) return error;
    const mapped = upstreamDomainError(error);
    this.logger.warn(`Upstream ${error.operation} failed: ${error.name}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ''}`);
    this.emit({ type: 'upstream_failed', flow, certificationId, errorCode: mapped.code });
    return mapped;
  }

  private emit(event: CertificationEvent): void {
    const listener = this.options.onEvent;
    if (!listener) return;
    try {
      listener(event);
    } catch (error) {
      this.logger.warn(`onEvent listener threw on ${event.type satisfies CertificationEventType}: ${(error as Error)?.name ?? 'error'}`);
    }
  }

  private now(): Date {
    return this.options.clock();
  }
}
