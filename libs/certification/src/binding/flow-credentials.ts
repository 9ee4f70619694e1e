import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a browser (or an app) shows to claim a flow's result: its secret, or the Cookie header carrying it. */
export interface FlowCredentials {
  /** The secret itself (the `X-Certification-Flow` header, or a host's own session). Wins over the cookie. */
  secret?: string | null;
  /** The request's Cookie header; the flow's cookie is read from it. */
  cookieHeader?: string | null;
}

/** The header a client without cookies sends its own secret in, on the start and on the claim. */
export const FLOW_SECRET_HEADER = 'x-certification-flow';

/** A flow's cookie is `<prefix><merchant_uid>`: one per flow, so several tabs can verify at once. */
export const FLOW_COOKIE_PREFIX = 'certflow_';

const SECRET_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;
const MERCHANT_UID_PATTERN = /^flow_[A-Za-z0-9_-]{16,40}$/;

export function isFlowSecret(value: unknown): value is string {
  return typeof value === 'string' && SECRET_PATTERN.test(value);
}

export function isFlowMerchantUid(value: unknown): value is string {
  return typeof value === 'string' && MERCHANT_UID_PATTERN.test(value);
}

export function newFlowSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Random and unguessable: it names the flow upstream, where the person's certification carries it. */
export function newFlowMerchantUid(): string {
  return `flow_${randomBytes(18).toString('base64url')}`;
}

export function hashFlowSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, hash: string): boolean {
  const given = Buffer.from(hashFlowSecret(secret), 'hex');
  const stored = Buffer.from(hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** The flow's secret from the credentials: the explicit secret first, else the flow's cookie. */
export function secretFor(merchantUid: string, credentials: FlowCredentials): string | null {
  if (isFlowSecret(credentials.secret)) return credentials.secret;
  const name = `${FLOW_COOKIE_PREFIX}${merchantUid}`;
  for (const part of (credentials.cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return isFlowSecret(value) ? value : null;
    }
  }
  return null;
}

/** The Set-Cookie value binding a flow to the browser: HttpOnly, SameSite=Lax (sent on the redirect back), Secure on HTTPS. */
export function flowCookie(merchantUid: string, secret: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${FLOW_COOKIE_PREFIX}${merchantUid}=${secret}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
