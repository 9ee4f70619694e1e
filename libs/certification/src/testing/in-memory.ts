import { randomUUID } from 'node:crypto';
import type { Transaction } from '@app/common';
import { BlindIndex, PiiCipher, generateKeyMaterial, parseEncryptionKeys, parseHmacKey } from '@app/pii';
import { DuplicateImpUidError } from '../certification.errors';
import { resolveCertificationOptions, type CertificationModuleOptions, type ResolvedCertificationOptions } from '../certification.options';
import type { CertificationEvent } from '../certification.events';
import { CertificationReporter } from '../certification.reporter';
import {
  IdentityProviderError,
  type IdentityCertification,
  type IdentityOtpRequest,
  type IdentityProvider,
} from '../providers/identity-provider';
import { UpstreamError, UpstreamUnavailableError } from '../certification.errors';
import { CertificationRecorder, type TransactionRunner } from '../recording/certification-recorder';
import {
  withoutIdentity,
  type Certification,
  type CertificationListFilter,
  type CertificationStore,
  type ListedCertification,
  type PendingValues,
  type ShownCertification,
  type VerifiedValues,
} from '../repositories/certification.repository';
import type { VerificationTokenStore } from '../repositories/verification-token.repository';
import type { CertificationFlowRow, CertificationFlowStore } from '../repositories/certification-flow.repository';
import { FlowBinding } from '../binding/flow-binding';

// In-memory stand-ins for the unit specs: same interfaces, same guards, no database or network.

const TX = Object.freeze({}) as Transaction;

/** Runs the work at once; the fakes apply each change immediately (nothing to roll back in the specs). */
export class FakeTransactions implements TransactionRunner {
  transactions = 0;
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    this.transactions++;
    return work(TX);
  }
}

export class FakeCertificationRepository implements CertificationStore {
  readonly rows = new Map<string, Certification>();
  constructor(private readonly tokens?: FakeVerificationTokenRepository, private readonly clock: () => Date = () => new Date()) {}

  /** Adds a row with defaults; for arranging a spec. */
  seed(fields: Partial<Certification> & { impUid: string }): Certification {
    const now = this.clock();
    const row: Certification = {
      id: randomUUID(), merchantUid: null, flow: 'otp', status: 'pending', otpAttempts: 0, otpExpiresAt: null, nameEnc: null,
      phoneEnc: null, phoneBidx: null, ciEnc: null, ciBidx: null, diEnc: null, diBidx: null, provider: 'iamport', birthday: null, gender: null, foreigner: null,
      carrier: null, certifiedAt: null, usedAt: null, piiErasedAt: null, createdAt: now, updatedAt: now, ...fields,
    };
    this.rows.set(row.id, row);
    return { ...row };
  }

  byImpUid(impUid: string): Certification | undefined {
    return [...this.rows.values()].find((r) => r.impUid === impUid);
  }

  async findLiveByImpUid(impUid: string): Promise<Certification | null> {
    const row = this.byImpUid(impUid);
    return row && row.piiErasedAt === null ? { ...row } : null;
  }

  async findById(id: string): Promise<Certification | null> {
    const row = this.rows.get(id);
    return row ? { ...row } : null;
  }

  async findByImpUid(impUid: string): Promise<Certification | null> {
    const row = this.byImpUid(impUid);
    return row ? { ...row } : null;
  }

  async findShownByImpUid(impUid: string): Promise<ShownCertification | null> {
    const row = this.byImpUid(impUid);
    return row ? withoutIdentity(row) : null;
  }

  async list(filter: CertificationListFilter): Promise<ListedCertification[]> {
    return listCertifications([...this.rows.values()], filter);
  }

  async insertPending(v: PendingValues): Promise<string> {
    if (this.byImpUid(v.impUid)) throw new DuplicateImpUidError();
    return this.seed({ ...v, provider: v.provider ?? 'iamport', gender: v.gender ?? null, foreigner: v.foreigner ?? null, flow: 'otp', status: 'pending' }).id;
  }

  async reserveAttemptByImpUid(impUid: string, max: number, now: Date): Promise<Certification | null> {
    const row = this.byImpUid(impUid);
    if (!row || row.flow !== 'otp' || row.status !== 'pending' || row.otpAttempts >= max || row.piiErasedAt !== null) return null;
    if (row.otpExpiresAt !== null && row.otpExpiresAt.getTime() <= now.getTime()) return null;
    row.otpAttempts++;
    return { ...row };
  }

  async reserveAttempt(id: string, max: number): Promise<number | null> {
    const row = this.rows.get(id);
    if (!row || row.status !== 'pending' || row.otpAttempts >= max) return null;
    return ++row.otpAttempts;
  }

  async releaseAttempt(id: string): Promise<void> {
    const row = this.rows.get(id);
    if (row && (row.status === 'pending' || row.status === 'locked') && row.otpAttempts > 0) row.otpAttempts--;
  }

  async recordMismatch(id: string, max: number): Promise<{ attempts: number; locked: boolean } | null> {
    const row = this.rows.get(id);
    if (!row || row.status !== 'pending') return null;
    if (row.otpAttempts >= max) row.status = 'locked';
    return { attempts: row.otpAttempts, locked: row.status === 'locked' };
  }

  async extendPending(id: string, otpExpiresAt: Date): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.flow !== 'otp' || row.status !== 'pending' || row.piiErasedAt !== null) return false;
    row.otpExpiresAt = otpExpiresAt;
    return true;
  }

  async markExpired(id: string): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.status !== 'pending') return false;
    row.status = 'expired';
    return true;
  }

  async findPendingForRecovery(createdBefore: Date, limit: number): Promise<Certification[]> {
    return [...this.rows.values()]
      .filter((r) => r.flow === 'otp' && r.status === 'pending' && r.piiErasedAt === null && r.createdAt.getTime() <= createdBefore.getTime())
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }

  async markVerifiedWithToken(id: string, values: VerifiedValues, tokenHash: string, tokenExpiresAt: Date): Promise<{ impUid: string; flow: string } | null> {
    const row = this.rows.get(id);
    if (!row || !RECORDABLE.has(row.status) || row.piiErasedAt !== null) return null;
    Object.assign(row, values, { provider: values.provider ?? row.provider, diBidx: values.diBidx ?? null, status: 'verified' });
    await this.tokens?.insert(id, tokenHash, tokenExpiresAt);
    return { impUid: row.impUid, flow: row.flow };
  }

  async lockById(id: string): Promise<Certification | null> {
    return this.findById(id);
  }

  async lockByImpUid(impUid: string): Promise<Certification | null> {
    const row = this.byImpUid(impUid);
    return row ? { ...row } : null;
  }

  async markVerified(id: string, values: VerifiedValues): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || !RECORDABLE.has(row.status)) return false;
    Object.assign(row, values, { provider: values.provider ?? row.provider, diBidx: values.diBidx ?? null, status: 'verified' });
    return true;
  }

  async insertVerified(impUid: string, values: VerifiedValues): Promise<string> {
    if (this.byImpUid(impUid)) throw new DuplicateImpUidError();
    return this.seed({ ...values, provider: values.provider ?? 'iamport', diBidx: values.diBidx ?? null, impUid, flow: 'popup', status: 'verified' }).id;
  }

  async insertVerifiedWithToken(impUid: string, values: VerifiedValues, tokenHash: string, tokenExpiresAt: Date): Promise<string> {
    const id = await this.insertVerified(impUid, values);
    await this.tokens?.insert(id, tokenHash, tokenExpiresAt);
    return id;
  }

  async getById(id: string): Promise<Certification> {
    const row = await this.findById(id);
    if (!row) throw new Error(`certification ${id} vanished`);
    return row;
  }

  async erasePii(ids: readonly string[], at: Date): Promise<string[]> {
    const erased: string[] = [];
    for (const id of ids) {
      const row = this.rows.get(id);
      if (!row || row.piiErasedAt !== null) continue;
      Object.assign(row, {
        nameEnc: null, phoneEnc: null, phoneBidx: null, ciEnc: null, ciBidx: null, diEnc: null, diBidx: null, birthday: null, gender: null,
        foreigner: null, carrier: null, piiErasedAt: at,
      });
      erased.push(row.impUid);
    }
    return erased;
  }

  async countUnusedCreatedBefore(cutoff: Date): Promise<number> {
    return this.unusedBefore(cutoff).length;
  }

  async lockUnusedCreatedBefore(cutoff: Date, limit: number): Promise<string[]> {
    return this.unusedBefore(cutoff).slice(0, limit).map((r) => r.id);
  }

  private unusedBefore(cutoff: Date): Certification[] {
    return [...this.rows.values()]
      .filter((r) => r.piiErasedAt === null && r.status !== 'used' && r.createdAt.getTime() < cutoff.getTime())
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }
}

const RECORDABLE = new Set(['pending', 'locked', 'expired']);

/** The list's filters and keyset order over rows in memory (a cursor has microseconds: `.mmm000Z`). */
export function listCertifications(rows: readonly Certification[], filter: CertificationListFilter): ListedCertification[] {
  const { before } = filter;
  return rows
    .map((r) => ({ ...r, cursorT: r.createdAt.toISOString().replace('Z', '000Z') }))
    .filter((r) => filter.status === undefined || r.status === filter.status)
    .filter((r) => filter.flow === undefined || r.flow === filter.flow)
    .filter((r) => filter.provider === undefined || r.provider === filter.provider)
    .filter((r) => filter.diBidx === undefined || r.diBidx === filter.diBidx)
    .filter((r) => !filter.from || r.createdAt.getTime() >= filter.from.getTime())
    .filter((r) => !filter.to || r.createdAt.getTime() < filter.to.getTime())
    .filter((r) => filter.phoneBidx === undefined || r.phoneBidx === filter.phoneBidx)
    .filter((r) => !before || r.cursorT < before.t || (r.cursorT === before.t && r.id < before.id))
    .sort((a, b) => (a.cursorT === b.cursorT ? (a.id < b.id ? 1 : -1) : a.cursorT < b.cursorT ? 1 : -1))
    .slice(0, filter.limit)
    .map((r) => withoutIdentity(r));
}

export interface FakeToken {
  certificationId: string;
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
}

export class FakeVerificationTokenRepository implements VerificationTokenStore {
  readonly tokens: FakeToken[] = [];

  async hasToken(certificationId: string): Promise<boolean> {
    return this.tokens.some((t) => t.certificationId === certificationId);
  }

  async insert(certificationId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    if (this.tokens.some((t) => t.tokenHash === tokenHash)) throw new Error('duplicate token hash');
    this.tokens.push({ certificationId, tokenHash, expiresAt, usedAt: null });
  }

  async expireUnused(certificationIds: readonly string[], at: Date): Promise<void> {
    for (const t of this.tokens) {
      if (certificationIds.includes(t.certificationId) && t.usedAt === null && t.expiresAt.getTime() > at.getTime()) t.expiresAt = at;
    }
  }
}

export class FakeCertificationFlowRepository implements CertificationFlowStore {
  readonly rows = new Map<string, CertificationFlowRow>();
  constructor(private readonly clock: () => Date = () => new Date()) {}

  async insert(flow: { merchantUid: string; secretHash: string; minAge: number | null; expiresAt: Date }): Promise<CertificationFlowRow> {
    if ([...this.rows.values()].some((r) => r.merchantUid === flow.merchantUid)) throw new Error('duplicate merchant_uid');
    const row: CertificationFlowRow = { id: randomUUID(), ...flow, impUid: null, claimedAt: null, createdAt: this.clock() };
    this.rows.set(row.id, row);
    return { ...row };
  }

  async findByMerchantUid(merchantUid: string): Promise<CertificationFlowRow | null> {
    const row = [...this.rows.values()].find((r) => r.merchantUid === merchantUid);
    return row ? { ...row } : null;
  }

  async claim(id: string, impUid: string, at: Date): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || (row.impUid !== null && row.impUid !== impUid)) return false;
    row.impUid = impUid;
    row.claimedAt = row.claimedAt ?? at;
    return true;
  }
}

/** A person the fake provider certifies. */
export interface FakePerson {
  name: string;
  phone: string;
  birthday: string;
  gender: 'male' | 'female';
  ci: string;
  di: string;
}

/**
 * An identity provider in memory: `requestOtp` sends the OTP `otpFor(id)`; a confirmation with
 * it certifies. `failNext(operation, error)` makes the next call of that operation fail.
 */
export class FakeIdentityProvider implements IdentityProvider {
  name = 'iamport';
  personKeys: IdentityProvider['personKeys'] = 'ci';
  readonly certifications = new Map<
    string,
    { person: FakePerson; otp: string | null; certified: boolean; confirmedAt: Date | null; merchantUid?: string | null }
  >();
  readonly calls: Record<'requestOtp' | 'confirmOtp' | 'getCertification' | 'deleteCertification', number> = {
    requestOtp: 0, confirmOtp: 0, getCertification: 0, deleteCertification: 0,
  };
  readonly requests: IdentityOtpRequest[] = [];
  private readonly failures = new Map<string, IdentityProviderError[]>();
  private seq = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  failNext(operation: keyof FakeIdentityProvider['calls'], error: IdentityProviderError): void {
    this.failures.set(operation, [...(this.failures.get(operation) ?? []), error]);
  }

  /** A certification completed in the provider's own window (popup / redirect), for the flow `merchantUid`. */
  certify(person: FakePerson, merchantUid: string | null = null): string {
    const id = `imp_fake_${++this.seq}`;
    this.certifications.set(id, { person, otp: null, certified: true, confirmedAt: this.clock(), merchantUid });
    return id;
  }

  /** A window opened for the flow but not completed. */
  open(person: FakePerson, merchantUid: string): string {
    const id = `imp_fake_${++this.seq}`;
    this.certifications.set(id, { person, otp: null, certified: false, confirmedAt: null, merchantUid });
    return id;
  }

  otpFor(id: string): string {
    const c = this.certifications.get(id);
    if (!c?.otp) throw new Error(`no OTP for ${id}`);
    return c.otp;
  }

  async requestOtp(request: IdentityOtpRequest): Promise<{ id: string }> {
    this.calls.requestOtp++;
    this.failIfAsked('requestOtp');
    this.requests.push(request);
    const id = `imp_fake_${++this.seq}`;
    const otp = String(100000 + this.seq).slice(-6);
    this.certifications.set(id, {
      person: { name: request.name, phone: request.phone, birthday: `19${request.birth.slice(0, 2)}-${request.birth.slice(2, 4)}-${request.birth.slice(4, 6)}`, gender: 'male', ci: `ci-${id}`, di: `di-${id}` },
      otp,
      certified: false,
      confirmedAt: null,
    });
    return { id };
  }

  /** Resends as V1 does (a new request) unless `resendKeepsId`, as V2 does (a new OTP for the same id). */
  resendKeepsId = false;

  async resendOtp(id: string, request: IdentityOtpRequest): Promise<{ id: string }> {
    if (!this.resendKeepsId) return this.requestOtp(request);
    const c = this.certifications.get(id);
    if (!c || c.certified) throw fakeProviderError(c ? 'refused' : 'not_found', 'resendOtp');
    c.otp = String(100000 + ++this.seq).slice(-6);
    return { id };
  }

  async confirmOtp(id: string, otp: string): Promise<IdentityCertification> {
    this.calls.confirmOtp++;
    this.failIfAsked('confirmOtp');
    const c = this.certifications.get(id);
    if (!c) throw fakeProviderError('not_found', 'confirmOtp');
    if (c.certified) throw fakeProviderError('refused', 'confirmOtp', { refusal: 'already_confirmed' });
    if (c.otp !== otp) throw fakeProviderError('refused', 'confirmOtp', { refusal: 'mismatch' });
    c.certified = true;
    c.confirmedAt = this.clock();
    return this.view(id);
  }

  async getCertification(id: string): Promise<IdentityCertification> {
    this.calls.getCertification++;
    this.failIfAsked('getCertification');
    if (!this.certifications.has(id)) throw fakeProviderError('not_found', 'getCertification');
    return this.view(id);
  }

  async deleteCertification(id: string): Promise<void> {
    this.calls.deleteCertification++;
    this.failIfAsked('deleteCertification');
    if (!this.certifications.delete(id)) throw fakeProviderError('not_found', 'deleteCertification');
  }

  private failIfAsked(operation: string): void {
    const queued = this.failures.get(operation);
    const next = queued?.shift();
    if (next) throw next;
  }

  private view(id: string): IdentityCertification {
    const c = this.certifications.get(id)!;
    return {
      id,
      certified: c.certified,
      name: c.person.name,
      phone: c.person.phone,
      birthday: c.person.birthday,
      gender: c.person.gender,
      foreigner: false,
      carrier: 'SKT',
      certifiedAt: c.confirmedAt,
      ci: c.certified ? c.person.ci : null,
      di: c.certified ? c.person.di : null,
      merchantUid: c.merchantUid ?? null,
    };
  }
}

/** An IdentityProviderError as the adapter would throw it. */
export function fakeProviderError(
  kind: IdentityProviderError['kind'],
  operation: string,
  detail: Partial<IdentityProviderError['detail']> = {},
): IdentityProviderError {
  const failure = kind === 'failed' && detail.retryable ? new UpstreamUnavailableError(5, 'timeout') : new UpstreamError();
  return new IdentityProviderError(kind, operation, failure, { retryable: false, cause: 'FakeError', ...detail });
}

/** Everything a flow needs, wired with the fakes and real PII crypto on random keys. */
export function inMemoryCertification(options: CertificationModuleOptions = {}) {
  let now = new Date('2026-03-01T03:00:00Z');
  const events: CertificationEvent[] = [];
  const resolved: ResolvedCertificationOptions = resolveCertificationOptions({
    clock: () => now,
    onEvent: (event) => events.push(event),
    ...options,
  });
  const keys = generateKeyMaterial();
  const cipher = new PiiCipher(parseEncryptionKeys(keys.encryptionKeys));
  const blindIndex = new BlindIndex(parseHmacKey(keys.hmacKey));
  const tokens = new FakeVerificationTokenRepository();
  const certifications = new FakeCertificationRepository(tokens, () => now);
  const transactions = new FakeTransactions();
  const provider = new FakeIdentityProvider(() => now);
  const reporter = new CertificationReporter(resolved);
  const recorder = new CertificationRecorder(resolved, certifications, tokens, transactions, cipher, blindIndex, reporter);
  const flows = new FakeCertificationFlowRepository(() => now);
  const binding = new FlowBinding(resolved, flows);
  return {
    flows,
    binding,
    options: resolved,
    events,
    cipher,
    blindIndex,
    tokens,
    certifications,
    transactions,
    provider,
    reporter,
    recorder,
    advance(seconds: number) {
      now = new Date(now.getTime() + seconds * 1000);
    },
    now: () => now,
  };
}
