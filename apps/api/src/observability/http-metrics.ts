import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MetricsService } from './metrics.service';

const ERROR_CODE = Symbol('iamport-backend.error-code');

type ObservedRequest = FastifyRequest & { [ERROR_CODE]?: string };

/** Error bodies are small; anything larger is not ours and is not parsed. */
const MAX_ERROR_BODY = 16 * 1024;

/**
 * Feeds `http_request_duration_seconds` and `rate_limit_refusals_total` from Fastify hooks, so
 * every answer counts: routed requests, 404s for unknown paths, bodies refused by the parser,
 * guards' refusals. The route label is Fastify's route pattern (`request.routeOptions.url`,
 * e.g. `/certifications/otp/confirm/:imp_uid`), never the raw URL; requests that matched no
 * route are `unmatched`. The error code comes from the answer's body (`{"error": {"code"}}`,
 * the REST contract), read only on 4xx/5xx JSON answers.
 *
 * Fastify-specific on purpose: it lives in the api (which runs on Fastify), not in a lib.
 */
export function installHttpMetrics(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onSend', async (request: ObservedRequest, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode >= 400 && typeof payload === 'string' && payload.length <= MAX_ERROR_BODY && payload.startsWith('{')) {
      try {
        const code = (JSON.parse(payload) as { error?: { code?: unknown } })?.error?.code;
        if (typeof code === 'string') request[ERROR_CODE] = code;
      } catch {
        // not JSON after all: no code
      }
    }
    return payload;
  });
  fastify.addHook('onResponse', async (request: ObservedRequest, reply: FastifyReply) => {
    metrics.observeHttpRequest({
      method: request.method,
      route: request.routeOptions?.url ?? 'unmatched',
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
      errorCode: request[ERROR_CODE],
    });
  });
}
