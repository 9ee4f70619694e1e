import type { RouteHandler } from '../context';
import { badRequest, plain } from '../envelope';
import { MESSAGES } from '../messages';

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

export const V2_CONTROL_ROUTES: Record<string, RouteHandler> = {
  'GET /__sandbox/v2/switches': switches,
  'POST /__sandbox/v2/switches': switches,
};
