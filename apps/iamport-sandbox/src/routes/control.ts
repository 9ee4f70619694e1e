import type { RouteHandler } from '../context';
import { badRequest, notFound, plain } from '../envelope';
import { parseFaultInput } from '../faults';
import { digitsOnly, parseBooleanish } from '../identity';
import { MESSAGES } from '../messages';
import { parsePersonInput } from '../person';
import { certify, newPgTid, type CertificationRecord } from '../store';
import { V2_CONTROL_ROUTES } from '../v2/control';

/**
 * The sandbox's own control paths, under /__sandbox/. They answer plain JSON on success and the
 * error envelope on failure, need no token, and are never affected by faults nor counted in stats.
 */

const DEFAULT_POPUP_ORIGIN = 'https://merchant.example/certification';

/** GET /__sandbox/inbox?phone=010-1234-5678 -> {messages: [{imp_uid, otp, text, sent_at}]}, newest first */
const inbox: RouteHandler = (ctx, req) => {
  const phone = digitsOnly(req.query.get('phone') ?? '');
  if (phone === '') throw badRequest(`${MESSAGES.controlInvalid} (phone)`);
  return plain({ messages: ctx.store.inbox(phone) });
};

/**
 * POST /__sandbox/certifications {name, birth, gender_digit, phone, carrier, is_mvno?, certified?,
 * merchant_uid?, origin?, pg?} -> {imp_uid}: a popup-flow certification the person completed in the
 * browser (certified unless `certified: false`). The carrier rule of the OTP flow (0000) does not
 * apply: a rejected person never completes a popup, which `certified: false` represents.
 */
const createCertification: RouteHandler = (ctx, req) => {
  const nowMs = ctx.clock.nowMs();
  const input = parsePersonInput(req.body, { merchantId: ctx.settings.merchantId, nowMs });
  const certified = parseBooleanish(req.body.certified ?? true);
  if (certified === null) throw badRequest(`${MESSAGES.controlInvalid} (certified)`);
  const origin = req.body.origin ?? DEFAULT_POPUP_ORIGIN;
  if (typeof origin !== 'string' || !/^https?:\/\/\S+$/.test(origin)) {
    throw badRequest(`${MESSAGES.controlInvalid} (origin)`);
  }
  const impUid = ctx.store.allocateImpUid();
  const record: CertificationRecord = {
    impUid,
    merchantUid: input.merchantUid,
    pgTid: newPgTid(nowMs),
    flow: 'popup',
    person: input.person,
    phone: input.phone,
    carrier: input.carrier,
    diMerchant: input.diMerchant,
    origin,
    certified: false,
    certifiedAt: 0,
    ci: null,
    di: null,
    otp: null,
    otpSentAt: null,
    otpExpiresAt: null,
  };
  if (certified) certify(record, ctx.clock.now());
  ctx.store.add(record);
  return plain({ imp_uid: impUid });
};

const listFaults: RouteHandler = (ctx) => plain({ faults: ctx.faults.list() });

const addFault: RouteHandler = (ctx, req) => {
  const rule = ctx.faults.add(parseFaultInput(req.body));
  return plain({ id: rule.id });
};

const clearFaults: RouteHandler = (ctx) => {
  ctx.faults.clear();
  return plain({ cleared: true });
};

const removeFault: RouteHandler = (ctx, req) => {
  const id = Number(req.params.id);
  if (!Number.isInteger(id) || !ctx.faults.remove(id)) throw notFound(`${MESSAGES.controlInvalid} (id)`);
  return plain({ removed: id });
};

const getClock: RouteHandler = (ctx) => plain({ now: ctx.clock.now(), offset_seconds: ctx.clock.offsetSeconds });

const advanceClock: RouteHandler = (ctx, req) => {
  const raw = req.body.advance_seconds;
  const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(seconds) || seconds < 0) throw badRequest(`${MESSAGES.controlInvalid} (advance_seconds)`);
  ctx.clock.advance(seconds);
  return plain({ now: ctx.clock.now(), offset_seconds: ctx.clock.offsetSeconds });
};

const stats: RouteHandler = (ctx) => plain({ ...ctx.store.stats(), v2_calls: ctx.v2.calls });

const reset: RouteHandler = (ctx) => {
  ctx.reset();
  return plain({ reset: true });
};

const expireTokens: RouteHandler = (ctx) => plain({ expired: ctx.tokens.expireAll() });

const health: RouteHandler = () => plain({ status: 'ok' });

export interface ControlRoute {
  handler: RouteHandler;
  params: Record<string, string>;
}

const routes: Record<string, RouteHandler> = {
  'GET /__sandbox/health': health,
  'GET /__sandbox/inbox': inbox,
  'POST /__sandbox/certifications': createCertification,
  'GET /__sandbox/faults': listFaults,
  'POST /__sandbox/faults': addFault,
  'DELETE /__sandbox/faults': clearFaults,
  'GET /__sandbox/clock': getClock,
  'POST /__sandbox/clock': advanceClock,
  'GET /__sandbox/stats': stats,
  'POST /__sandbox/reset': reset,
  'POST /__sandbox/tokens/expire': expireTokens,
  ...V2_CONTROL_ROUTES,
};

export function matchControl(method: string, path: string): ControlRoute | null {
  const handler = routes[`${method} ${path}`];
  if (handler !== undefined) return { handler, params: {} };
  const fault = /^\/__sandbox\/faults\/(\d+)$/.exec(path);
  if (method === 'DELETE' && fault !== null) return { handler: removeFault, params: { id: fault[1] } };
  return null;
}
