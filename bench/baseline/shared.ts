import { randomBytes } from 'node:crypto';
import { Pool, types, type PoolClient } from 'pg';
import { BaselinePii, maskName, sha256Hex } from './pii';
import { providerFromEnv, ProviderFailure, type ProviderCertification } from './providers';

types.setTypeParser(1082, (v: string) => v); // DATE as 'YYYY-MM-DD'

const env = process.env;
export const TOKEN_TTL_SECONDS = 1800;
export const MIN_AGE = 14;

export const pool = new Pool({ connectionString: env.DATABASE_URL, max: Number(env.DATABASE_POOL_SIZE ?? 10) });
export const pii = BaselinePii.fromEnv(env);
export const provider = providerFromEnv(env);

export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message = code) {
    super(message);
  }
}

export type Body = Record<string, unknown>;

export function only(body: Body, allowed: string[]): void {
  for (const k of Object.keys(body)) if (!allowed.includes(k)) throw new HttpError(400, 'VALIDATION_FAILED');
}

/** The api's status and code for a provider failure. */
export function providerError(e: unknown): HttpError {
  if (!(e instanceof ProviderFailure)) return new HttpError(502, 'UPSTREAM_ERROR');
  if (e.kind === 'rejected') return new HttpError(422, 'IDENTITY_REJECTED');
  if (e.kind === 'otp_mismatch') return new HttpError(400, 'OTP_MISMATCH');
  if (e.kind === 'not_found') return new HttpError(404, 'CERTIFICATION_NOT_FOUND');
  return new HttpError(502, 'UPSTREAM_ERROR');
}

function seoulToday(): { y: number; m: number; d: number } {
  const t = new Date(Date.now() + 9 * 3_600_000);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

export function internationalAge(birthday: string): number {
  const [y, m, d] = birthday.split('-').map(Number);
  const t = seoulToday();
  return t.y - y - (t.m < m || (t.m === m && t.d < d) ? 1 : 0);
}

export async function inTransaction<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const result = await fn(c);
    await c.query('COMMIT');
    return result;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/** The encrypted and indexed columns of a certified verification, as the api writes them (CI or DI required). */
export function verifiedColumns(c: ProviderCertification) {
  if (!c.certified || !c.birthday || (!c.ci && !c.di)) throw new HttpError(502, 'UPSTREAM_ERROR');
  return {
    ciEnc: c.ci ? pii.encrypt(c.ci) : null,
    ciBidx: c.ci ? pii.blindIndex('ci', c.ci) : null,
    diEnc: c.di ? pii.encrypt(c.di) : null,
    diBidx: c.di ? pii.blindIndex('di', c.di) : null,
    birthday: c.birthday,
    gender: c.gender,
    foreigner: c.foreigner,
    certifiedAt: c.certifiedAt ?? new Date(),
  };
}

/** A new single-use verification token for the certification, its hash stored. */
export async function insertToken(tx: PoolClient, certificationId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + TOKEN_TTL_SECONDS * 1000);
  await tx.query('INSERT INTO verification_tokens (certification_id, token_hash, expires_at) VALUES ($1, $2, $3)', [certificationId, sha256Hex(token), expiresAt]);
  return { token, expiresAt };
}

/** The verification view the api answers with its token. */
export function verifiedView(impUid: string, c: ProviderCertification, certifiedAt: Date, token: { token: string; expiresAt: Date }) {
  const birthday = c.birthday ?? '';
  return {
    imp_uid: impUid,
    status: 'verified',
    certified_at: certifiedAt.toISOString(),
    name: maskName(c.name),
    birthday,
    age: internationalAge(birthday),
    gender: c.gender,
    foreigner: c.foreigner,
    verification_token: token.token,
    verification_expires_at: token.expiresAt.toISOString(),
  };
}
