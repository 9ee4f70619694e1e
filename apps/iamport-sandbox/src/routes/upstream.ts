import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteHandler, SandboxContext, SandboxRequest } from '../context';
import { badRequest, notFound, ok, SandboxHttpError, unauthorized } from '../envelope';
import { carrierRejects } from '../identity';
import { MESSAGES } from '../messages';
import { issueOtpCertification } from '../otp-issue';
import { parsePersonInput } from '../person';
import { certify, toView, type UpstreamOperation } from '../store';

/**
 * The upstream paths the backend uses (PortOne V1): getToken and the certification endpoints.
 * Bodies are the envelope `{code, message, response}`; errors are 4xx/5xx with code -1.
 */

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The token travels in `Authorization` as `Bearer <token>` or as the bare token; the upstream
 * also accepts the older `X-ImpTokenHeader`. When both are sent, `Authorization` wins.
 */
export function tokenFromHeaders(headers: IncomingHttpHeaders): string | null {
  const raw = headerValue(headers, 'authorization') ?? headerValue(headers, 'x-imptokenheader');
  if (raw === undefined) return null;
  const token = raw.trim().replace(/^bearer\s+/i, '').trim();
  return token === '' ? null : token;
}

function authenticate(ctx: SandboxContext, req: SandboxRequest): void {
  const token = tokenFromHeaders(req.headers);
  if (token === null) throw unauthorized(MESSAGES.invalidToken);
  const state = ctx.tokens.check(token);
  if (state === 'expired') throw unauthorized(MESSAGES.expiredToken);
  if (state === 'unknown') throw unauthorized(MESSAGES.invalidToken);
}

/** POST /users/getToken {imp_key, imp_secret} */
const getToken: RouteHandler = (ctx, req) => {
  const { impKey, impSecret } = ctx.settings;
  // evaluate both comparisons, so the time does not tell which one failed
  const keyOk = sameSecret(req.body.imp_key, impKey);
  const secretOk = sameSecret(req.body.imp_secret, impSecret);
  if (!keyOk || !secretOk) throw new SandboxHttpError(401, MESSAGES.invalidCredentials);
  return ok(ctx.tokens.issue());
};

/** POST /certifications/otp/request */
const requestOtp: RouteHandler = (ctx, req) => {
  authenticate(ctx, req);
  const nowMs = ctx.clock.nowMs();
  const input = parsePersonInput(req.body, { merchantId: ctx.settings.merchantId, nowMs });
  // documented sandbox rule: the carrier refuses a person whose phone number ends in 0000
  if (carrierRejects(input.phone)) throw badRequest(MESSAGES.carrierRejected);

  const { impUid } = issueOtpCertification(ctx, input, { flow: 'otp', merchantUid: input.merchantUid, origin: null, company: req.body.company });
  return ok({ imp_uid: impUid });
};

/** POST /certifications/otp/confirm/:imp_uid {otp} */
const confirmOtp: RouteHandler = (ctx, req) => {
  authenticate(ctx, req);
  const record = ctx.store.get(req.params.imp_uid);
  if (record === undefined) throw notFound(MESSAGES.otpRequestNotFound);
  if (record.certified) throw badRequest(MESSAGES.alreadyCertified);
  if (record.flow !== 'otp' || record.otp === null || record.otpExpiresAt === null) {
    throw badRequest(MESSAGES.notOtpCertification);
  }
  const given = req.body.otp;
  const otp = typeof given === 'string' ? given.trim() : typeof given === 'number' ? String(given) : '';
  if (otp === '') throw badRequest(MESSAGES.missingOtp);
  const now = ctx.clock.now();
  if (now > record.otpExpiresAt) throw badRequest(MESSAGES.otpExpired);
  if (otp !== record.otp) throw badRequest(MESSAGES.otpMismatch);
  certify(record, now);
  record.otp = null;
  return ok(toView(record));
};

/** GET /certifications/:imp_uid (a pending OTP certification answers certified: false) */
const getCertification: RouteHandler = (ctx, req) => {
  authenticate(ctx, req);
  const record = ctx.store.get(req.params.imp_uid);
  if (record === undefined) throw notFound(MESSAGES.certificationNotFound);
  return ok(toView(record));
};

/** DELETE /certifications/:imp_uid: answers the certification and erases it. */
const deleteCertification: RouteHandler = (ctx, req) => {
  authenticate(ctx, req);
  const record = ctx.store.get(req.params.imp_uid);
  if (record === undefined) throw notFound(MESSAGES.certificationNotFound);
  const view = toView(record);
  ctx.store.delete(record.impUid);
  return ok(view);
};

export interface UpstreamRoute {
  operation: UpstreamOperation;
  handler: RouteHandler;
  params: Record<string, string>;
  /** whether the handler reads a body (POST) */
  readsBody: boolean;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Matches an upstream path (already without query string and trailing slash). */
export function matchUpstream(method: string, path: string): UpstreamRoute | null {
  const parts = path.split('/');
  // parts[0] is '' (the path starts with '/')
  if (method === 'POST' && path === '/users/getToken') {
    return { operation: 'getToken', handler: getToken, params: {}, readsBody: true };
  }
  if (parts[1] !== 'certifications') return null;
  if (method === 'POST' && path === '/certifications/otp/request') {
    return { operation: 'requestOtp', handler: requestOtp, params: {}, readsBody: true };
  }
  if (method === 'POST' && parts.length === 5 && parts[2] === 'otp' && parts[3] === 'confirm' && parts[4] !== '') {
    const impUid = decodeSegment(parts[4]);
    if (impUid === null) return null;
    return { operation: 'confirmOtp', handler: confirmOtp, params: { imp_uid: impUid }, readsBody: true };
  }
  if (parts.length === 3 && parts[2] !== '') {
    const impUid = decodeSegment(parts[2]);
    if (impUid === null) return null;
    if (method === 'GET') {
      return { operation: 'getCertification', handler: getCertification, params: { imp_uid: impUid }, readsBody: false };
    }
    if (method === 'DELETE') {
      return { operation: 'deleteCertification', handler: deleteCertification, params: { imp_uid: impUid }, readsBody: false };
    }
  }
  return null;
}
