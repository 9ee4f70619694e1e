import type { RouteHandler } from '../context';
import { badRequest, plain } from '../envelope';
import { parseBooleanish } from '../identity';
import { MESSAGES } from '../messages';
import { parsePersonInput } from '../person';
import { markVerified } from './routes';
import { readyVerification } from './state';

/**
 * GET / POST /__sandbox/v2/switches {omit_ci?, omit_di?}: verifications confirmed afterwards answer
 * without `ci` (Danal without the CI contract) or without `di` (KG Inicis).
 */
const switches: RouteHandler = (ctx, req) => {
  if (req.method === 'POST') {
    for (const [key, field] of [['omit_ci', 'omitCi'], ['omit_di', 'omitDi']] as const) {
      const value = req.body[key];
      if (value === undefined) continue;
      if (typeof value !== 'boolean') throw badRequest(`${MESSAGES.controlInvalid} (${key})`);
      ctx.v2.switches[field] = value;
    }
  }
  return plain({ omit_ci: ctx.v2.switches.omitCi, omit_di: ctx.v2.switches.omitDi });
};

/**
 * POST /__sandbox/v2/identity-verifications {identity_verification_id, name, birth, gender_digit,
 * phone, carrier, is_mvno?, certified?} -> {identity_verification_id}: a window verification the
 * person completed in the browser (VERIFIED unless `certified: false`, then READY), for tests and
 * benchmarks; the V2 twin of POST /__sandbox/certifications.
 */
const createVerification: RouteHandler = (ctx, req) => {
  const id = req.body.identity_verification_id;
  if (typeof id !== 'string' || !/^[\x21-\x7e]{1,80}$/.test(id)) throw badRequest(`${MESSAGES.controlInvalid} (identity_verification_id)`);
  if (ctx.v2.verifications.get(id)?.status === 'VERIFIED') throw badRequest(MESSAGES.windowAlreadyVerified);
  const certified = parseBooleanish(req.body.certified ?? true);
  if (certified === null) throw badRequest(`${MESSAGES.controlInvalid} (certified)`);
  const nowMs = ctx.clock.nowMs();
  const input = parsePersonInput({ ...req.body, merchant_uid: undefined, pg: undefined }, { merchantId: ctx.settings.merchantId, nowMs });
  const v = readyVerification(
    { id, sent: false, person: input.person, phone: input.phone, operator: input.carrier.replace(/^LGT/, 'LGU'), customData: null, company: null },
    nowMs,
  );
  ctx.v2.verifications.set(id, v);
  if (certified) markVerified(ctx, v, nowMs);
  return plain({ identity_verification_id: id });
};

export const V2_CONTROL_ROUTES: Record<string, RouteHandler> = {
  'GET /__sandbox/v2/switches': switches,
  'POST /__sandbox/v2/switches': switches,
  'POST /__sandbox/v2/identity-verifications': createVerification,
};
