import { createHash, timingSafeEqual } from 'node:crypto';
import type { SandboxContext, SandboxRequest } from '../context';
import type { SandboxReply } from '../envelope';
import {
  carrierRejects,
  deriveCi,
  deriveDi,
  digitsOnly,
  genderOf,
  isForeigner,
  isKoreanMobile,
  normalizeName,
  parseBirth,
  parseGenderDigit,
  seoulToday,
} from '../identity';
import { newOtp, smsText } from '../store';
import {
  V2Error,
  alreadySentV2,
  alreadyVerifiedV2,
  invalidRequest,
  notFoundV2,
  notSentV2,
  pgProviderV2,
  unauthorizedV2,
} from './errors';
import { readyVerification, type V2Verification } from './state';

/**
 * The PortOne V2 paths: `/login/api-secret`, `/token/refresh` and `/identity-verifications/*`, with
 * `{type, message}` error bodies. The same person gets the same CI and DI as on V1 (identity.ts).
 */

const OPERATORS = ['SKT', 'KT', 'LGU', 'SKT_MVNO', 'KT_MVNO', 'LGU_MVNO'];
const PG_OTP_MISMATCH = { code: 'OTP_MISMATCH', message: '인증번호가 일치하지 않습니다.' };
const PG_OTP_EXPIRED = { code: 'OTP_EXPIRED', message: '인증번호 입력 시간이 초과되었습니다. 다시 요청해 주세요.' };
const PG_REJECTED = { code: 'IDENTITY_MISMATCH', message: '본인인증 정보가 일치하지 않습니다.' };

type V2Handler = (ctx: SandboxContext, req: SandboxRequest) => SandboxReply;

function same(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** `Authorization: PortOne <api secret>` or `Bearer <access token>` from /login/api-secret. */
function authenticate(ctx: SandboxContext, req: SandboxRequest): void {
  const raw = req.headers.authorization;
  const header = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  const portone = /^PortOne\s+(.+)$/i.exec(header);
  if (portone && same(portone[1].trim(), ctx.v2.settings.apiSecret)) return;
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer && ctx.v2.accessTokenValid(bearer[1].trim(), ctx.clock.nowMs())) return;
  throw unauthorizedV2();
}

/** A storeId other than the sandbox's own is refused, as for a store the secret has no access to. */
function checkStore(ctx: SandboxContext, storeId: unknown): void {
  if (storeId === undefined || storeId === null || storeId === '') return;
  if (storeId !== ctx.v2.settings.storeId) throw new V2Error(403, 'FORBIDDEN', '요청이 거절되었습니다.');
}

function record(ctx: SandboxContext, id: string): V2Verification {
  const found = ctx.v2.verifications.get(id);
  if (found === undefined) throw notFoundV2();
  return found;
}

function iso(ms: number | null): string | undefined {
  return ms === null ? undefined : new Date(ms).toISOString();
}

const CHANNEL = (ctx: SandboxContext) => ({
  type: 'LIVE',
  id: 'channel-id-sandbox',
  key: ctx.v2.settings.channelKey,
  name: 'sandbox danal',
  pgProvider: 'DANAL',
  pgMerchantId: ctx.settings.merchantId,
});

/** The V2 IdentityVerification object (READY, VERIFIED or FAILED). */
export function toV2View(ctx: SandboxContext, v: V2Verification): Record<string, unknown> {
  const common = {
    status: v.status,
    id: v.id,
    channel: CHANNEL(ctx),
    customData: v.customData ?? undefined,
    requestedAt: iso(v.requestedAt),
    updatedAt: iso(v.updatedAt),
    statusChangedAt: iso(v.statusChangedAt),
    version: 'V2',
    pgTxId: v.pgTxId ?? undefined,
  };
  if (v.status === 'VERIFIED' && v.person !== null) {
    return {
      ...common,
      verifiedCustomer: {
        name: v.person.name,
        operator: v.operator ?? undefined,
        phoneNumber: v.phone ?? undefined,
        birthDate: v.person.birth.iso,
        gender: genderOf(v.person.genderDigit) === 'male' ? 'MALE' : 'FEMALE',
        isForeigner: isForeigner(v.person.genderDigit),
        ci: v.ci ?? undefined,
        di: v.di ?? undefined,
      },
      verifiedAt: iso(v.verifiedAt),
      pgRawResponse: '{}',
    };
  }
  const requestedCustomer = v.person
    ? {
        name: v.person.name,
        phoneNumber: v.phone ?? undefined,
        birthYear: String(v.person.birth.year),
        birthMonth: String(v.person.birth.month).padStart(2, '0'),
        birthDay: String(v.person.birth.day).padStart(2, '0'),
      }
    : {};
  return v.status === 'FAILED' ? { ...common, requestedCustomer, failure: v.failure } : { ...common, requestedCustomer };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** POST /login/api-secret {apiSecret} -> {accessToken, refreshToken} */
const login: V2Handler = (ctx, req) => {
  const secret = text(req.body.apiSecret);
  if (secret === null) throw invalidRequest('apiSecret이 필요합니다.');
  if (!same(secret, ctx.v2.settings.apiSecret)) throw unauthorizedV2();
  return { status: 200, body: ctx.v2.issueTokens(ctx.clock.nowMs()) };
};

/** POST /token/refresh {refreshToken} -> a new pair; the old refresh token is spent. */
const refresh: V2Handler = (ctx, req) => {
  const token = text(req.body.refreshToken);
  if (token === null) throw invalidRequest('refreshToken이 필요합니다.');
  if (!ctx.v2.consumeRefreshToken(token)) throw unauthorizedV2();
  return { status: 200, body: ctx.v2.issueTokens(ctx.clock.nowMs()) };
};

/** A new OTP for `v`, into the sandbox inbox of its phone (the API's send and resend, the V2 window). */
export function sendSms(ctx: SandboxContext, v: V2Verification, nowMs: number): void {
  v.otp = newOtp();
  v.otpExpiresAt = nowMs + ctx.settings.otpTtlSeconds * 1000;
  ctx.store.sendSms(v.phone!, { imp_uid: v.id, otp: v.otp, text: smsText(v.company, v.otp), sent_at: Math.floor(nowMs / 1000) });
}

/** `bypass.danal.CPTITLE`, the service name Danal puts in the SMS; null when absent. */
function cpTitle(bypass: unknown): string | null {
  const danal = typeof bypass === 'object' && bypass !== null ? (bypass as Record<string, unknown>).danal : null;
  return typeof danal === 'object' && danal !== null ? text((danal as Record<string, unknown>).CPTITLE) : null;
}

/** POST /identity-verifications/:id/send */
const send: V2Handler = (ctx, req) => {
  authenticate(ctx, req);
  checkStore(ctx, req.body.storeId);
  const id = req.params.id;
  const existing = ctx.v2.verifications.get(id);
  if (existing?.status === 'VERIFIED') throw alreadyVerifiedV2();
  if (existing?.sent && existing.status === 'READY') throw alreadySentV2();
  const channelKey = text(req.body.channelKey);
  if (channelKey === null) throw invalidRequest('channelKey가 필요합니다.');
  if (channelKey !== ctx.v2.settings.channelKey) throw new V2Error(404, 'CHANNEL_NOT_FOUND', '요청된 채널이 존재하지 않습니다.');
  const customer = (typeof req.body.customer === 'object' && req.body.customer !== null ? req.body.customer : null) as Record<string, unknown> | null;
  if (customer === null) throw invalidRequest('customer가 필요합니다.');
  const name = text(customer.name);
  if (name === null || normalizeName(name).length > 50) throw invalidRequest('customer.name이 올바르지 않습니다.');
  const phone = digitsOnly(text(customer.phoneNumber) ?? '');
  if (!isKoreanMobile(phone)) throw invalidRequest('customer.phoneNumber가 올바르지 않습니다.');
  if (text(customer.ipAddress) === null) throw invalidRequest('customer.ipAddress가 필요합니다.');
  const identityNumber = digitsOnly(text(customer.identityNumber) ?? '');
  const genderDigit = identityNumber.length === 7 ? parseGenderDigit(identityNumber[6]) : null;
  if (genderDigit === null) throw invalidRequest('customer.identityNumber가 올바르지 않습니다. (생년월일 6자리 + 성별 1자리)');
  const nowMs = ctx.clock.nowMs();
  const birth = parseBirth(identityNumber.slice(0, 6), genderDigit, seoulToday(nowMs));
  if (!birth.ok) throw invalidRequest('customer.identityNumber가 올바르지 않습니다. (생년월일 6자리 + 성별 1자리)');
  const operator = text(req.body.operator);
  if (operator === null || !OPERATORS.includes(operator)) throw invalidRequest('operator가 올바르지 않습니다.');
  const method = text(req.body.method);
  if (method !== 'SMS') throw invalidRequest(method === 'APP' ? '샌드박스는 SMS 방식만 지원합니다.' : 'method가 올바르지 않습니다.');

  const v = readyVerification(
    {
      id,
      sent: true,
      person: { name: normalizeName(name), birth: birth.birth, genderDigit },
      phone,
      operator,
      customData: text(req.body.customData),
      company: cpTitle(req.body.bypass),
    },
    nowMs,
    existing?.requestedAt,
  );
  ctx.v2.verifications.set(id, v);
  if (carrierRejects(phone)) {
    v.status = 'FAILED';
    v.failure = { reason: PG_REJECTED.message, pgCode: PG_REJECTED.code, pgMessage: PG_REJECTED.message };
    throw pgProviderV2(PG_REJECTED.code, PG_REJECTED.message);
  }
  sendSms(ctx, v, nowMs);
  return { status: 200, body: {} };
};

/** The verification must have been sent through the API and not be verified. */
function sentUnverified(ctx: SandboxContext, id: string): V2Verification {
  const v = record(ctx, id);
  if (v.status === 'VERIFIED') throw alreadyVerifiedV2();
  if (!v.sent) throw notSentV2();
  return v;
}

/** VERIFIED at `nowMs`, with the CI and DI the switches let through (the API's confirm and the window's). */
export function markVerified(ctx: SandboxContext, v: V2Verification, nowMs: number): void {
  const ci = deriveCi(v.person!);
  v.status = 'VERIFIED';
  v.otp = null;
  v.failure = null;
  v.verifiedAt = nowMs;
  v.updatedAt = nowMs;
  v.statusChangedAt = nowMs;
  v.ci = ctx.v2.switches.omitCi ? null : ci;
  v.di = ctx.v2.switches.omitDi ? null : deriveDi(ci, ctx.settings.merchantId);
}

/** POST /identity-verifications/:id/confirm {otp, storeId?} */
const confirm: V2Handler = (ctx, req) => {
  authenticate(ctx, req);
  checkStore(ctx, req.body.storeId);
  const v = sentUnverified(ctx, req.params.id);
  const otp = typeof req.body.otp === 'string' ? req.body.otp.trim() : '';
  if (otp === '') throw invalidRequest('otp가 필요합니다.');
  const nowMs = ctx.clock.nowMs();
  if (v.status === 'FAILED' || v.otpExpiresAt === null || nowMs > v.otpExpiresAt) {
    if (v.status !== 'FAILED') {
      v.status = 'FAILED';
      v.statusChangedAt = nowMs;
      v.failure = { reason: PG_OTP_EXPIRED.message, pgCode: PG_OTP_EXPIRED.code, pgMessage: PG_OTP_EXPIRED.message };
    }
    v.updatedAt = nowMs;
    throw pgProviderV2(PG_OTP_EXPIRED.code, PG_OTP_EXPIRED.message);
  }
  if (otp !== v.otp) throw pgProviderV2(PG_OTP_MISMATCH.code, PG_OTP_MISMATCH.message);
  markVerified(ctx, v, nowMs);
  return { status: 200, body: { identityVerification: toV2View(ctx, v) } };
};

/** POST /identity-verifications/:id/resend?storeId= : a new OTP, a new OTP window. */
const resend: V2Handler = (ctx, req) => {
  authenticate(ctx, req);
  checkStore(ctx, req.query.get('storeId'));
  const v = sentUnverified(ctx, req.params.id);
  const nowMs = ctx.clock.nowMs();
  if (v.status === 'FAILED') {
    v.status = 'READY';
    v.statusChangedAt = nowMs;
    v.failure = null;
  }
  v.updatedAt = nowMs;
  sendSms(ctx, v, nowMs);
  return { status: 200, body: {} };
};

/** GET /identity-verifications/:id?storeId= */
const get: V2Handler = (ctx, req) => {
  authenticate(ctx, req);
  checkStore(ctx, req.query.get('storeId'));
  return { status: 200, body: toV2View(ctx, record(ctx, req.params.id)) };
};

/** GET /identity-verifications (the body as JSON in the `requestBody` query parameter, or as the body). */
const list: V2Handler = (ctx, req) => {
  authenticate(ctx, req);
  let input: Record<string, unknown> = req.body;
  const queried = req.query.get('requestBody');
  if (queried !== null) {
    try {
      input = JSON.parse(queried) as Record<string, unknown>;
    } catch {
      throw invalidRequest('requestBody가 올바른 JSON이 아닙니다.');
    }
  }
  const filter = (input?.filter ?? {}) as { identityVerificationId?: string; statuses?: string[]; storeId?: string };
  checkStore(ctx, filter.storeId);
  const page = (input?.page ?? {}) as { number?: number; size?: number };
  const number = Number.isInteger(page.number) && page.number! >= 0 ? page.number! : 0;
  const size = Number.isInteger(page.size) && page.size! > 0 && page.size! <= 1000 ? page.size! : 10;
  const matching = [...ctx.v2.verifications.values()]
    .filter((v) => filter.identityVerificationId === undefined || v.id === filter.identityVerificationId)
    .filter((v) => !Array.isArray(filter.statuses) || filter.statuses.includes(v.status))
    .sort((a, b) => b.requestedAt - a.requestedAt);
  const items = matching.slice(number * size, number * size + size).map((v) => toV2View(ctx, v));
  return { status: 200, body: { items, page: { number, size, totalCount: matching.length } } };
};

export interface V2Route {
  handler: V2Handler;
  params: Record<string, string>;
  readsBody: boolean;
}

/** Wraps a V2 handler: its errors become `{type, message}` bodies. */
function guarded(handler: V2Handler): V2Handler {
  return (ctx, req) => {
    ctx.v2.calls += 1;
    try {
      return handler(ctx, req);
    } catch (error) {
      if (error instanceof V2Error) return error.toReply();
      throw error;
    }
  };
}

export function matchV2(method: string, path: string): V2Route | null {
  if (method === 'POST' && path === '/login/api-secret') return { handler: guarded(login), params: {}, readsBody: true };
  if (method === 'POST' && path === '/token/refresh') return { handler: guarded(refresh), params: {}, readsBody: true };
  if (method === 'GET' && path === '/identity-verifications') return { handler: guarded(list), params: {}, readsBody: false };
  const match = /^\/identity-verifications\/([^/]+)(?:\/(send|confirm|resend))?$/.exec(path);
  if (match === null) return null;
  let id: string;
  try {
    id = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  const action = match[2];
  if (action === undefined) return method === 'GET' ? { handler: guarded(get), params: { id }, readsBody: false } : null;
  if (method !== 'POST') return null;
  const handler = action === 'send' ? send : action === 'confirm' ? confirm : resend;
  return { handler: guarded(handler), params: { id }, readsBody: action !== 'resend' };
}
