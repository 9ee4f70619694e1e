import 'reflect-metadata';
import type { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger, PinoLogger } from 'nestjs-pino';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NO_STORE, ValidationFailedError, requestIdOf } from '@app/common';
import { AppModule, type AppModuleOptions } from './app.module';
import { fastifyTrustProxy } from './config/trust-proxy';
import { installHttpMetrics } from './observability/http-metrics';
import { installRequestLogging } from './observability/logging';
import { MetricsService } from './observability/metrics.service';
import { setupOpenApi } from './openapi';

export interface CreateApiOptions extends AppModuleOptions {
  /**
   * Nest's application logger. Unset (production): the nestjs-pino Logger, so Nest's own lines
   * and every `Logger` of the services are pino lines (LOG_FORMAT: pretty or JSON).
   * A test may pass its own LoggerService, or `false`; the request log lines are pino's either
   * way (LOG_LEVEL, `logDestination`).
   */
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds the api on the Fastify adapter (the libs themselves are adapter-agnostic and also run
 * on Express; see examples/). Not listening yet: main.ts or a test calls `listen`/`init`.
 */
export async function createApi(options: CreateApiOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // No Nest middleware in the api (request logging is a Fastify hook): no @fastify/middie
    // pass on every request.
    skipMiddie: true,
    trustProxy: fastifyTrustProxy(options.config.trustProxy),
    bodyLimit: 64 * 1024,
    genReqId: (req: unknown) => requestIdOf(req),
    requestIdHeader: false,
    // Route parameters up to 512 characters reach the validation pipe (an imp_uid has at most
    // 64), so a long one is a 400 VALIDATION_FAILED naming it, like any other bad value.
    routerOptions: { maxParamLength: 512 },
    // The router's own refusals (malformed percent-encoding, a parameter longer still) answer
    // in the api's error envelope rather than Fastify's.
    frameworkErrors: routerRefusal,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    // Until useLogger below, Nest's lines wait in a buffer (then go out through pino).
    bufferLogs: options.logger === undefined,
  });
  if (options.logger === undefined) app.useLogger(app.get(PinoNestLogger));
  const fastify = app.getHttpAdapter().getInstance();
  // The request id on every line written while handling a request, and one line per answer.
  installRequestLogging(fastify, PinoLogger.root, await app.resolve(PinoLogger));
  installHttpMetrics(fastify, app.get(MetricsService));
  // No enableShutdownHooks(): main.ts installs a graceful shutdown (drain, then close) instead.
  // Echo the request id on every answer (errors set it in the exception filter as well), and
  // no-store on every answer but the Swagger UI and the OpenAPI document (docs/security.md, item 8).
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', requestIdOf(request));
      if (!CACHEABLE_PATHS.test(request.url)) reply.header('cache-control', NO_STORE);
    });
  // OpenAPI: the Swagger UI at /docs, the document at /docs-json (built at its first request).
  setupOpenApi(app);
  return app;
}

/** The Swagger UI, its assets and the OpenAPI document: nothing personal (/metrics sets its own no-store). */
const CACHEABLE_PATHS = /^\/docs(?:[/?#-]|$)/;

/**
 * Fastify's router refuses a URL before any Nest code runs (FST_ERR_BAD_URL: a malformed
 * percent-encoding; FST_ERR_MAX_PARAM_LENGTH: a parameter over `maxParamLength`): answered as
 * 400 VALIDATION_FAILED naming the path, in the api's envelope, never echoing the URL.
 */
function routerRefusal(_error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const error = new ValidationFailedError([{ field: 'path', message: 'the URL path is malformed or too long' }]);
  const requestId = requestIdOf(request);
  void reply
    .code(error.status)
    .header('x-request-id', requestId)
    .header('cache-control', NO_STORE)
    .send({ error: { code: error.code, message: error.message, details: error.details }, request_id: requestId });
}
