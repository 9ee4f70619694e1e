import { Logger } from '@nestjs/common';
import { maskName, maskPhone, type PiiCipher, type PiiColumn } from '@app/pii';
import type { Certification, CertificationFlow, CertificationStatus } from '@app/certification';
import type { CertificationRecord } from './certification-records';

/** An item of `GET /admin/certifications`. No CI, no DI, name, phone and birthday masked. */
export interface CertificationListItem {
  imp_uid: string;
  flow: CertificationFlow;
  status: CertificationStatus;
  /** The identity provider that verified it: `iamport` (V1) or `portone` (V2). */
  provider: string;
  name: string | null;
  phone: string | null;
  birthday: string | null;
  gender: 'male' | 'female' | null;
  foreigner: boolean | null;
  carrier: string | null;
  created_at: string;
  certified_at: string | null;
  used: boolean;
  erased: boolean;
}

/** `GET /admin/certifications/:imp_uid`; with `revealed: true` also the full data, CI and DI. */
export interface CertificationDetail extends CertificationListItem {
  merchant_uid: string | null;
  updated_at: string;
  used_at: string | null;
  erased_at: string | null;
  user_id: string | null;
  upstream_deletion: { status: 'pending' | 'done'; attempts: number; next_attempt_at: string | null } | null;
  revealed: boolean;
  ci?: string | null;
  di?: string | null;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** `1988-07-06` -> `1988-**-**`: the year tells the age group, the full date only in a reveal. */
export function maskBirthday(birthday: string | null): string | null {
  return birthday === null || birthday === undefined ? null : `${birthday.slice(0, 4)}-**-**`;
}

/**
 * Decrypts for display. A value that cannot be decrypted (broken row, missing key) is shown as
 * null with a warning naming the imp_uid and the reason only, so one bad row does not break a
 * list page. The reveal path decrypts strictly instead (`decryptStrict`).
 */
export function decryptForDisplay(cipher: PiiCipher, token: string | null, column: PiiColumn, impUid: string, logger: Logger): string | null {
  if (token === null || token === undefined) return null;
  try {
    return cipher.decrypt(token, column);
  } catch (error) {
    logger.warn(`Cannot decrypt a field of ${impUid}: ${(error as Error).name} (${(error as { reason?: string }).reason ?? 'unknown'})`);
    return null;
  }
}

export function toListItem(row: Certification, cipher: PiiCipher, logger: Logger): CertificationListItem {
  const name = decryptForDisplay(cipher, row.nameEnc, 'name_enc', row.impUid, logger);
  const phone = decryptForDisplay(cipher, row.phoneEnc, 'phone_enc', row.impUid, logger);
  return {
    imp_uid: row.impUid,
    flow: row.flow,
    status: row.status,
    provider: row.provider,
    name: name === null ? null : maskName(name),
    phone: phone === null ? null : maskPhone(phone),
    birthday: maskBirthday(row.birthday),
    gender: row.gender,
    foreigner: row.foreigner,
    carrier: row.carrier,
    created_at: row.createdAt.toISOString(),
    certified_at: iso(row.certifiedAt),
    used: row.status === 'used' || row.usedAt !== null,
    erased: row.piiErasedAt !== null,
  };
}

export function toDetail(
  record: CertificationRecord,
  cipher: PiiCipher,
  logger: Logger,
  reveal: boolean,
): CertificationDetail {
  const { certification: row, upstreamDeletion: deletion } = record;
  const base = toListItem(row, cipher, logger);
  const detail: CertificationDetail = {
    ...base,
    merchant_uid: row.merchantUid,
    updated_at: row.updatedAt.toISOString(),
    used_at: iso(row.usedAt),
    erased_at: iso(row.piiErasedAt),
    user_id: record.userId,
    upstream_deletion:
      deletion === null
        ? null
        : {
            status: deletion.completedAt ? 'done' : 'pending',
            attempts: deletion.attempts,
            next_attempt_at: deletion.completedAt ? null : iso(deletion.nextAttemptAt),
          },
    revealed: reveal,
  };
  if (reveal) {
    // Strict: a reveal that silently showed null for a broken value would mislead the operator.
    detail.birthday = row.birthday;
    detail.name = row.nameEnc === null ? null : cipher.decrypt(row.nameEnc, 'name_enc');
    detail.phone = row.phoneEnc === null ? null : cipher.decrypt(row.phoneEnc, 'phone_enc');
    detail.ci = row.ciEnc ? cipher.decrypt(row.ciEnc, 'ci_enc') : null;
    detail.di = row.diEnc ? cipher.decrypt(row.diEnc, 'di_enc') : null;
  }
  return detail;
}
