import { randomInt } from 'node:crypto';
import { deriveCi, deriveDi, genderOf, isForeigner, type Person } from './identity';

/** The certification object, in the upstream's field names and types. */
export interface CertificationView {
  imp_uid: string;
  merchant_uid: string | null;
  pg_tid: string;
  pg_provider: string;
  pg_type: 'certification';
  name: string;
  gender: 'male' | 'female';
  /** legacy: unix seconds of the birthday, 00:00 UTC */
  birth: number;
  /** YYYY-MM-DD */
  birthday: string;
  foreigner: boolean;
  foreigner_v2: boolean | null;
  phone: string;
  carrier: string;
  certified: boolean;
  certified_at: number;
  unique_key: string | null;
  unique_in_site: string | null;
  origin: string | null;
}

export interface CertificationRecord {
  impUid: string;
  merchantUid: string | null;
  pgTid: string;
  flow: 'otp' | 'popup';
  person: Person;
  phone: string;
  carrier: string;
    /** The merchant id the DI is derived for (options.merchantId, or the MID of `pg: danal.{MID}`). */
  diMerchant: string;
  origin: string | null;
  certified: boolean;
  certifiedAt: number;
  /** CI and DI, known once certified (the carrier has identified the person). */
  ci: string | null;
  di: string | null;
  otp: string | null;
  otpSentAt: number | null;
  otpExpiresAt: number | null;
}

export interface InboxMessage {
  imp_uid: string;
  otp: string;
  /** The SMS as the carrier sends it: the request's `company` (the merchant's service name) and the OTP. */
  text: string;
  sent_at: number;
}

/** Shown when the request names no `company` (the upstream then uses the merchant's registered name). */
export const DEFAULT_SMS_SERVICE_NAME = '아임포트';

/** The carrier's SMS text for an OTP request. */
export function smsText(company: unknown, otp: string): string {
  const name = typeof company === 'string' && company.trim() !== '' ? company.trim() : DEFAULT_SMS_SERVICE_NAME;
  return `[Web발신]\n[${name}] 본인확인 인증번호 [${otp}]를 입력해주세요. 타인에게 알려주지 마세요.`;
}

export type UpstreamOperation =
  | 'getToken'
  | 'requestOtp'
  | 'confirmOtp'
  | 'getCertification'
  | 'deleteCertification';

export interface SandboxStats {
  calls: Record<UpstreamOperation, number>;
  sms_sent: number;
}

/** SMS messages kept per phone number (newest first). */
const INBOX_LIMIT = 50;

export function newImpUid(): string {
  return `imp_${String(randomInt(0, 1_000_000_000_000)).padStart(12, '0')}`;
}

export function newOtp(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A Danal-looking transaction id: yyyyMMddHHmmss of issue (UTC) + 10 random digits. */
export function newPgTid(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/\D/g, '').slice(0, 14);
  return `${stamp}${String(randomInt(0, 10_000_000_000)).padStart(10, '0')}`;
}

/** Marks a record certified at `now` and derives its CI and DI. */
export function certify(record: CertificationRecord, now: number): void {
  record.certified = true;
  record.certifiedAt = now;
  record.ci = deriveCi(record.person);
  record.di = deriveDi(record.ci, record.diMerchant);
}

export function toView(record: CertificationRecord): CertificationView {
  const { person } = record;
  return {
    imp_uid: record.impUid,
    merchant_uid: record.merchantUid,
    pg_tid: record.pgTid,
    pg_provider: 'danal',
    pg_type: 'certification',
    name: person.name,
    gender: genderOf(person.genderDigit),
    birth: person.birth.unixSeconds,
    birthday: person.birth.iso,
    foreigner: isForeigner(person.genderDigit),
    foreigner_v2: null,
    phone: record.phone,
    carrier: record.carrier,
    certified: record.certified,
    certified_at: record.certified ? record.certifiedAt : 0,
    unique_key: record.certified ? record.ci : null,
    unique_in_site: record.certified ? record.di : null,
    origin: record.origin,
  };
}

function emptyCalls(): Record<UpstreamOperation, number> {
  return { getToken: 0, requestOtp: 0, confirmOtp: 0, getCertification: 0, deleteCertification: 0 };
}

/** In-memory state of the sandbox: certifications, SMS inboxes, call statistics. */
export class SandboxStore {
  private readonly certifications = new Map<string, CertificationRecord>();
  private readonly inboxes = new Map<string, InboxMessage[]>();
  private calls = emptyCalls();
  private smsSent = 0;

  /** A fresh imp_uid not used by any stored certification. */
  allocateImpUid(): string {
    for (;;) {
      const impUid = newImpUid();
      if (!this.certifications.has(impUid)) return impUid;
    }
  }

  add(record: CertificationRecord): void {
    this.certifications.set(record.impUid, record);
  }

  get(impUid: string): CertificationRecord | undefined {
    return this.certifications.get(impUid);
  }

  delete(impUid: string): boolean {
    return this.certifications.delete(impUid);
  }

  sendSms(phone: string, message: InboxMessage): void {
    let inbox = this.inboxes.get(phone);
    if (inbox === undefined) {
      inbox = [];
      this.inboxes.set(phone, inbox);
    }
    inbox.unshift(message);
    if (inbox.length > INBOX_LIMIT) inbox.length = INBOX_LIMIT;
    this.smsSent++;
  }

  inbox(phone: string): InboxMessage[] {
    return (this.inboxes.get(phone) ?? []).map((m) => ({ ...m }));
  }

  countCall(operation: UpstreamOperation): void {
    this.calls[operation]++;
  }

  stats(): SandboxStats {
    return { calls: { ...this.calls }, sms_sent: this.smsSent };
  }

  reset(): void {
    this.certifications.clear();
    this.inboxes.clear();
    this.calls = emptyCalls();
    this.smsSent = 0;
  }
}
