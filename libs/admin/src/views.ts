import { Logger } from '@nestjs/common';
import { maskName, maskPhone, type PiiCipher } from '@app/pii';
import type { CertificationFlow, CertificationStatus } from '@app/certification';
import type { CertificationRow } from './repositories/certification-queries.repository';

/** An item of `GET /admin/certifications`. No CI, no DI, name and phone masked. */
export interface CertificationListItem {
  imp_uid: string;
  flow: CertificationFlow;
  status: CertificationStatus;
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

/**
 * Decrypts for display. A value that cannot be decrypted (broken row, missing key) is shown as
 * null with a warning naming the imp_uid and the reason only, so one bad row does not break a
 * list page. The reveal path decrypts strictly instead (`decryptStrict`).
 */
export function decryptForDisplay(cipher: PiiCipher, token: string | null, impUid: string, logger: Logger): string | null {
  if (token === null || token === undefined) return null;
  try {
    return cipher.decrypt(token);
  } catch (error) {
    logger.warn(`Cannot decrypt a field of ${impUid}: ${(error as Error).name} (${(error as { reason?: string }).reason ?? 'unknown'})`);
    return null;
  }
}

export function toListItem(row: CertificationRow, cipher: PiiCipher, logger: Logger): CertificationListItem {
  const name = decryptForDisplay(cipher, row.name_enc, row.imp_uid, logger);
  const phone = decryptForDisplay(cipher, row.phone_enc, row.imp_uid, logger);
  return {
    imp_uid: row.imp_uid,
    flow: row.flow,
    status: row.status,
    name: name === null ? null : maskName(name),
    phone: phone === null ? null : maskPhone(phone),
    birthday: row.birthday,
    gender: row.gender,
    foreigner: row.foreigner,
    carrier: row.carrier,
    created_at: row.created_at.toISOString(),
    certified_at: iso(row.certified_at),
    used: row.status === 'used' || row.used_at !== null,
    erased: row.pii_erased_at !== null,
  };
}

export function toDetail(
  row: CertificationRow,
  cipher: PiiCipher,
  logger: Logger,
  reveal: boolean,
): CertificationDetail {
  const base = toListItem(row, cipher, logger);
  const detail: CertificationDetail = {
    ...base,
    merchant_uid: row.merchant_uid,
    updated_at: row.updated_at.toISOString(),
    used_at: iso(row.used_at),
    erased_at: iso(row.pii_erased_at),
    user_id: row.user_id ?? null,
    upstream_deletion:
      row.upstream_attempts === null || row.upstream_attempts === undefined
        ? null
        : {
            status: row.upstream_completed_at ? 'done' : 'pending',
            attempts: row.upstream_attempts,
            next_attempt_at: row.upstream_completed_at ? null : iso(row.upstream_next_attempt_at),
          },
    revealed: reveal,
  };
  if (reveal) {
    // Strict: a reveal that silently showed null for a broken value would mislead the operator.
    detail.name = row.name_enc === null ? null : cipher.decrypt(row.name_enc);
    detail.phone = row.phone_enc === null ? null : cipher.decrypt(row.phone_enc);
    detail.ci = row.ci_enc ? cipher.decrypt(row.ci_enc) : null;
    detail.di = row.di_enc ? cipher.decrypt(row.di_enc) : null;
  }
  return detail;
}
