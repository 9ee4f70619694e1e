import type { SandboxContext } from '../context';
import { carrierRejects, digitsOnly } from '../identity';
import { MESSAGES } from '../messages';
import { issueOtpCertification } from '../otp-issue';
import { parsePersonInput } from '../person';
import { certify } from '../store';
import { SandboxHttpError } from '../envelope';
import { browserSdkScript } from './browser-sdk-script';
import { iamportScript } from './iamport-script';
import { confirmV2Window, openV2Window, sendV2WindowOtp } from './v2-window';
import { windowPage } from './window-page';
import type { WindowSessions } from './window-session';

/** A browser-facing answer: HTML, a script, or the window's own JSON (no envelope). */
export interface WindowReply {
  status: number;
  contentType: string;
  body: string;
}

const json = (status: number, body: unknown): WindowReply => ({ status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) });
const refuse = (message: string, errorCode?: string) => json(400, { message, ...(errorCode ? { error_code: errorCode } : {}) });

const field = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
};

const httpUrl = (value: string): string | null => {
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
};

/** Full years at `todayIso` (YYYY-MM-DD) of a person born on `birthIso`. */
function ageOn(birthIso: string, todayIso: string): number {
  const [by, bm, bd] = birthIso.split('-').map(Number);
  const [ty, tm, td] = todayIso.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

export function isWindowPath(path: string): boolean {
  return path === '/v1/iamport.js' || path === '/v2/browser-sdk.js' || path === '/v1/certification' || path.startsWith('/v1/certification/');
}

/** The window's routes; null when none matches. */
export function handleWindow(
  ctx: SandboxContext,
  sessions: WindowSessions,
  method: string,
  path: string,
  body: Record<string, unknown>,
): WindowReply | null {
  if (method === 'GET' && path === '/v1/iamport.js') {
    return { status: 200, contentType: 'application/javascript; charset=utf-8', body: iamportScript() };
  }
  if (method === 'GET' && path === '/v2/browser-sdk.js') {
    return { status: 200, contentType: 'application/javascript; charset=utf-8', body: browserSdkScript() };
  }
  if (method !== 'POST') return null;
  if (path === '/v1/certification') return openWindow(ctx, sessions, body);
  if (path === '/v1/certification/otp') return sendOtp(ctx, sessions, body);
  if (path === '/v1/certification/confirm') return confirm(ctx, sessions, body);
  return null;
}

/** The form POST of `IMP.certification`: opens a window session and renders the form. */
function openWindow(ctx: SandboxContext, sessions: WindowSessions, body: Record<string, unknown>): WindowReply {
  const version = field(body, 'version') === 'v2' ? 'v2' : 'v1';
  const merchantUid = field(body, version === 'v2' ? 'identity_verification_id' : 'merchant_uid');
  if (merchantUid === '' || merchantUid.length > 80) {
    const message = version === 'v2' ? MESSAGES.windowMissingIdentityVerificationId : MESSAGES.windowMissingMerchantUid;
    return { status: 400, contentType: 'text/plain; charset=utf-8', body: message };
  }
  const minAgeText = field(body, 'min_age');
  const minAge = /^\d{1,3}$/.test(minAgeText) ? Number(minAgeText) : null;
  const mode = field(body, 'mode') === 'redirect' ? 'redirect' : 'popup';
  const redirectUrl = mode === 'redirect' ? httpUrl(field(body, 'm_redirect_url')) : null;
  if (mode === 'redirect' && redirectUrl === null) {
    return { status: 400, contentType: 'text/plain; charset=utf-8', body: MESSAGES.windowMissingRedirectUrl };
  }
  const origin = httpUrl(field(body, 'origin'));
  const company = field(body, 'company');
  const session = sessions.open({
    version,
    merchantUid,
    txId: null,
    company: company === '' ? null : company,
    initialError: null,
    minAge,
    mode,
    openerOrigin: origin ? new URL(origin).origin : null,
    redirectUrl,
    createdAt: ctx.clock.now(),
  });
  if (version === 'v2') openV2Window(ctx, session, { storeId: field(body, 'store_id'), channelKey: field(body, 'channel_key') });
  const carrier = field(body, 'carrier').toUpperCase();
  return {
    status: 200,
    contentType: 'text/html; charset=utf-8',
    body: windowPage(session, {
      name: field(body, 'name'),
      phone: field(body, 'phone'),
      carrier: carrier === 'KTF' ? 'KT' : carrier,
      company,
    }),
  };
}

/** The window's "send OTP": the carrier checks the person (and `min_age`), then texts the OTP. */
function sendOtp(ctx: SandboxContext, sessions: WindowSessions, body: Record<string, unknown>): WindowReply {
  const session = sessions.get(body.session, ctx.clock.now());
  if (session === null) return refuse(MESSAGES.windowSessionNotFound);
  const nowMs = ctx.clock.nowMs();
  let input;
  try {
    input = parsePersonInput({ ...body, merchant_uid: session.version === 'v1' ? session.merchantUid : undefined }, { merchantId: ctx.settings.merchantId, nowMs });
  } catch (error) {
    if (error instanceof SandboxHttpError) return refuse(error.message);
    throw error;
  }
  if (carrierRejects(input.phone)) return refuse(MESSAGES.carrierRejected);
  const today = new Date(nowMs + 9 * 3600 * 1000).toISOString().slice(0, 10);
  const tooYoung = session.minAge !== null && ageOn(input.person.birth.iso, today) < session.minAge;
  if (session.version === 'v2') {
    const sent = sendV2WindowOtp(ctx, session, input, tooYoung);
    if ('refused' in sent) return refuse(sent.refused, sent.errorCode);
    return json(200, { imp_uid: session.merchantUid, sandbox_otp: sent.otp, expires_in: ctx.settings.otpTtlSeconds });
  }
  if (tooYoung) return refuse(MESSAGES.windowMinAge, 'MIN_AGE');
  const origin = session.openerOrigin ?? (session.redirectUrl ? new URL(session.redirectUrl).origin : null);
  const { impUid, otp } = issueOtpCertification(ctx, input, { flow: 'popup', merchantUid: session.merchantUid, origin, company: session.company });
  session.impUid = impUid;
  return json(200, { imp_uid: impUid, sandbox_otp: otp, expires_in: ctx.settings.otpTtlSeconds });
}

/** The window's "confirm": the OTP of the last send certifies the person. */
function confirm(ctx: SandboxContext, sessions: WindowSessions, body: Record<string, unknown>): WindowReply {
  const session = sessions.get(body.session, ctx.clock.now());
  if (session === null) return refuse(MESSAGES.windowSessionNotFound);
  if (session.version === 'v2') {
    const refused = confirmV2Window(ctx, session, digitsOnly(field(body, 'otp')));
    return refused === null ? json(200, { imp_uid: session.merchantUid }) : refuse(refused);
  }
  const record = session.impUid === null ? undefined : ctx.store.get(session.impUid);
  if (record === undefined || record.otp === null || record.otpExpiresAt === null) return refuse(MESSAGES.otpRequestNotFound);
  const otp = digitsOnly(field(body, 'otp'));
  if (otp === '') return refuse(MESSAGES.missingOtp);
  const now = ctx.clock.now();
  if (now > record.otpExpiresAt) return refuse(MESSAGES.otpExpired);
  if (otp !== record.otp) return refuse(MESSAGES.otpMismatch);
  certify(record, now);
  record.otp = null;
  return json(200, { imp_uid: record.impUid, merchant_uid: record.merchantUid });
}
