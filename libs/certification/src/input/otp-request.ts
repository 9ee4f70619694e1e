import { normalizeBirth, normalizeCarrier, normalizeGenderDigit, normalizeName, normalizePhone, type Carrier } from './normalize';

/** The OTP request as the person typed it (the REST body, camelCased). */
export interface OtpRequestInput {
  name: unknown;
  phone: unknown;
  birth: unknown;
  genderDigit: unknown;
  carrier: unknown;
  isMvno?: unknown;
  merchantUid?: unknown;
}

export interface NormalizedOtpRequest {
  name: string;
  /** Digits only. */
  phone: string;
  birth: { yymmdd: string; iso: string };
  genderDigit: string;
  carrier: Carrier;
  isMvno: boolean | undefined;
  merchantUid: string | null;
}

export type FieldError = { field: string; message: string };

const BIRTH_MESSAGES: Record<string, string> = {
  format: 'birth must be a date as YYYYMMDD or YYMMDD (separators allowed)',
  invalid_date: 'birth must be a real calendar date',
  future: 'birth must be a past date',
  invalid_gender_digit: 'birth cannot be read without a valid gender_digit',
};

/**
 * Normalises and validates an OTP request; `today` (YYYY-MM-DD, Asia/Seoul) rules out future
 * births. Pure: the field errors are answered, not thrown, and never echo the input.
 */
export function normalizeOtpRequest(
  input: OtpRequestInput,
  context: { today: string },
): { ok: true; value: NormalizedOtpRequest } | { ok: false; fields: FieldError[] } {
  const fields: FieldError[] = [];
  const name = normalizeName(input.name);
  if (name === null) fields.push({ field: 'name', message: 'name must be 1-50 Hangul or Latin letters, spaces or middle dots' });
  const phone = normalizePhone(input.phone);
  if (phone === null) fields.push({ field: 'phone', message: 'phone must be a Korean mobile number' });
  const genderDigit = normalizeGenderDigit(input.genderDigit);
  if (genderDigit === null) fields.push({ field: 'gender_digit', message: 'gender_digit must be a digit from 1 to 8' });
  const carrier = normalizeCarrier(input.carrier);
  if (carrier === null) fields.push({ field: 'carrier', message: 'carrier must be one of SKT, KT, LGT' });

  let birth: NormalizedOtpRequest['birth'] | null = null;
  const parsed = normalizeBirth(input.birth, genderDigit ?? '1', context.today);
  if (parsed.ok) {
    birth = { yymmdd: parsed.yymmdd, iso: parsed.iso };
  } else if (parsed.reason === 'century_mismatch') {
    // With an invalid gender_digit the century cannot be judged: its own error says enough.
    if (genderDigit !== null) {
      const message = 'birth and gender_digit disagree on the century (1,2,5,6: 1900s; 3,4,7,8: 2000s)';
      fields.push({ field: 'birth', message }, { field: 'gender_digit', message });
    }
  } else {
    fields.push({ field: 'birth', message: BIRTH_MESSAGES[parsed.reason] ?? 'birth is invalid' });
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
  const merchantUid = text('merchant_uid', input.merchantUid, 80);

  if (fields.length || name === null || phone === null || genderDigit === null || carrier === null || birth === null) {
    return { ok: false, fields };
  }
  return {
    ok: true,
    value: { name, phone, birth, genderDigit, carrier, isMvno: typeof isMvno === 'boolean' ? isMvno : undefined, merchantUid },
  };
}
