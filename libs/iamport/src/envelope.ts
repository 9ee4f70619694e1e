import type { IamportCertification, IamportOtpResponse } from './iamport.types';

/** Every upstream body: `{code, message, response}`; code 0 means success. */
export interface IamportEnvelope {
  code: number;
  message: string | null;
  response: unknown;
}

/** Thrown by the parsers below when a success body does not have the documented shape. */
export class MalformedResponseError extends Error {
  constructor(what: string) {
    super(`unexpected response shape: ${what}`);
    this.name = 'MalformedResponseError';
  }
}

/** Reads the envelope of a body, or `null` when the body is not one (HTML error page, empty). */
export function readEnvelope(body: unknown): IamportEnvelope | null {
  if (typeof body === 'string') {
    const trimmed = body.trim();
    if (!trimmed.startsWith('{')) return null;
    try {
      body = JSON.parse(trimmed);
    } catch {
      return null;
    }
  }
  if (!isRecord(body)) return null;
  const code = toInt(body.code);
  if (code === null) return null;
  const message = typeof body.message === 'string' ? body.message : null;
  return { code, message, response: body.response ?? null };
}

export interface TokenResponse {
  access_token: string;
  now: number;
  expired_at: number;
}

export function parseTokenResponse(response: unknown): TokenResponse {
  if (!isRecord(response)) throw new MalformedResponseError('getToken response is not an object');
  const token = response.access_token;
  const now = toInt(response.now);
  const expiredAt = toInt(response.expired_at);
  if (typeof token !== 'string' || token.length === 0) {
    throw new MalformedResponseError('access_token missing');
  }
  if (now === null || expiredAt === null) {
    throw new MalformedResponseError('now / expired_at missing');
  }
  return { access_token: token, now, expired_at: expiredAt };
}

export function parseOtpResponse(response: unknown): IamportOtpResponse {
  if (!isRecord(response) || typeof response.imp_uid !== 'string' || !response.imp_uid) {
    throw new MalformedResponseError('imp_uid missing');
  }
  return { imp_uid: response.imp_uid };
}

const KST_OFFSET_SECONDS = 9 * 3600;

/** Legacy `birth` is midnight in Korea: UTC date of birth + 10 h also covers UTC+8:30, summer time and UTC midnight. */
export function birthdayFromLegacyBirth(birthUnixSeconds: number): string | null {
  if (!Number.isFinite(birthUnixSeconds)) return null;
  const shifted = (birthUnixSeconds + KST_OFFSET_SECONDS + 3600) * 1000;
  const d = new Date(shifted);
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().slice(0, 10);
}

export function parseCertification(response: unknown): IamportCertification {
  if (!isRecord(response)) throw new MalformedResponseError('certification is not an object');
  const impUid = response.imp_uid;
  if (typeof impUid !== 'string' || impUid.length === 0) {
    throw new MalformedResponseError('certification imp_uid missing');
  }
  const legacyBirth = response.birth === undefined ? undefined : toInt(response.birth);
  let birthday = normalizeBirthday(response.birthday);
  if (birthday === null && legacyBirth !== undefined && legacyBirth !== null) {
    birthday = birthdayFromLegacyBirth(legacyBirth);
  }
  const gender = response.gender === 'male' || response.gender === 'female' ? response.gender : null;
  const cert: IamportCertification = {
    imp_uid: impUid,
    merchant_uid: str(response.merchant_uid),
    pg_tid: str(response.pg_tid),
    pg_provider: str(response.pg_provider) ?? '',
    name: str(response.name),
    gender,
    birthday,
    foreigner: response.foreigner === true,
    foreigner_v2: typeof response.foreigner_v2 === 'boolean' ? response.foreigner_v2 : null,
    phone: str(response.phone),
    carrier: str(response.carrier),
    certified: response.certified === true,
    certified_at: toInt(response.certified_at) ?? 0,
    unique_key: str(response.unique_key),
    unique_in_site: str(response.unique_in_site),
    origin: str(response.origin),
  };
  if (typeof response.pg_type === 'string') cert.pg_type = response.pg_type;
  if (legacyBirth !== undefined) cert.birth = legacyBirth;
  return cert;
}

function normalizeBirthday(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value.trim());
  if (!m) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function toInt(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return null;
}
