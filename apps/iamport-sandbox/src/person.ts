import { badRequest } from './envelope';
import {
  CARRIERS,
  carrierCode,
  digitsOnly,
  isKoreanMobile,
  normalizeName,
  parseBirth,
  parseBooleanish,
  parseGenderDigit,
  seoulToday,
  type Carrier,
  type Person,
} from './identity';
import { MESSAGES } from './messages';

/** The personal data of an OTP request (or of a popup-flow certification), validated. */
export interface PersonInput {
  person: Person;
  /** digits only */
  phone: string;
  /** SKT | KT | LGT, or *_MVNO */
  carrier: string;
  merchantUid: string | null;
  /** The merchant the DI is derived for: the MID of `pg: danal.{MID}`, else the default. */
  diMerchant: string;
}

const MAX_NAME_LENGTH = 50;
const MAX_MERCHANT_UID_LENGTH = 80;

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** Validates and normalizes the request fields as upstream does; a 400 names the field, never its value. */
export function parsePersonInput(
  body: Record<string, unknown>,
  defaults: { merchantId: string; nowMs: number },
): PersonInput {
  // name
  if (isAbsent(body.name)) throw badRequest(MESSAGES.missingName);
  if (typeof body.name !== 'string') throw badRequest(MESSAGES.invalidName);
  const name = normalizeName(body.name);
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw badRequest(MESSAGES.invalidName);

  // phone
  if (isAbsent(body.phone)) throw badRequest(MESSAGES.missingPhone);
  const phoneText = asText(body.phone);
  if (phoneText === null) throw badRequest(MESSAGES.invalidPhone);
  const phone = digitsOnly(phoneText);
  if (!isKoreanMobile(phone)) throw badRequest(MESSAGES.invalidPhone);

  // birth + gender_digit
  if (isAbsent(body.birth)) throw badRequest(MESSAGES.missingBirth);
  if (isAbsent(body.gender_digit)) throw badRequest(MESSAGES.missingGenderDigit);
  const genderDigit = parseGenderDigit(body.gender_digit);
  if (genderDigit === null) throw badRequest(MESSAGES.invalidGenderDigit);
  const birthText = asText(body.birth);
  if (birthText === null) throw badRequest(MESSAGES.invalidBirth);
  const parsed = parseBirth(digitsOnly(birthText), genderDigit, seoulToday(defaults.nowMs));
  if (!parsed.ok) {
    throw badRequest(parsed.problem === 'gender_mismatch' ? MESSAGES.birthGenderMismatch : MESSAGES.invalidBirth);
  }

  // carrier + is_mvno
  if (isAbsent(body.carrier)) throw badRequest(MESSAGES.missingCarrier);
  const carrierText = typeof body.carrier === 'string' ? body.carrier.trim() : '';
  if (!(CARRIERS as readonly string[]).includes(carrierText)) throw badRequest(MESSAGES.invalidCarrier);
  const isMvno = parseBooleanish(body.is_mvno);
  if (isMvno === null) throw badRequest(MESSAGES.invalidMvno);

  // merchant_uid
  let merchantUid: string | null = null;
  if (!isAbsent(body.merchant_uid)) {
    const text = asText(body.merchant_uid);
    if (text === null || text.length > MAX_MERCHANT_UID_LENGTH) throw badRequest(MESSAGES.invalidMerchantUid);
    merchantUid = text;
  }

  // pg: "danal" or "danal.{MID}" (the sandbox emulates Danal only)
  let diMerchant = defaults.merchantId;
  if (!isAbsent(body.pg)) {
    const match = typeof body.pg === 'string' ? /^danal(?:\.([A-Za-z0-9_-]+))?$/.exec(body.pg.trim()) : null;
    if (match === null) throw badRequest(MESSAGES.invalidPg);
    if (match[1] !== undefined) diMerchant = match[1];
  }

  return {
    person: { name, birth: parsed.birth, genderDigit },
    phone,
    carrier: carrierCode(carrierText as Carrier, isMvno),
    merchantUid,
    diMerchant,
  };
}
