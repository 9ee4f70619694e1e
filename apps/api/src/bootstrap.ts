import 'reflect-metadata';
import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { requestIdOf } from '@app/common';
import { AppModule, type AppModuleOptions } from './app.module';

export interface CreateApiOptions extends AppModuleOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds the api on the Fastify adapter (the libs themselves are adapter-agnostic and also run
 * on Express; see examples/). Not listening yet: main.ts or a test calls `listen`/`init`.
 */
export async function createApi(options: CreateApiOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: options.config.trustProxy,
    bodyLimit: 64 * 1024,
    genReqId: (req: unknown) => requestIdOf(req),
    requestIdHeader: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: options.logger ?? new Logger(),
    bufferLogs: false,
  });
  // No enableShutdownHooks(): main.ts installs a graceful shutdown (drain, then close) instead.
  // Echo the request id on every answer (errors set it in the exception filter as well).
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', requestIdOf(request));
    });
  return app;
}
