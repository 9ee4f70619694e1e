import 'reflect-metadata';
import type { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { HostAppModule } from './host-app.module';

export interface HostAppOptions {
  /** The environment to read (default process.env). */
  env?: Record<string, string | undefined>;
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * The host on the Express adapter, its routes under `/api` (the libs' included), OpenAPI at
 * `/docs` and `/docs-json` (SwaggerModule serves the UI on Express with no extra package).
 */
export async function createHostApp(options: HostAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(HostAppModule.forRoot({ env: options.env }), new ExpressAdapter(), {
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  });
  app.setGlobalPrefix('api');
  app.enableShutdownHooks();
  const document = () =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle('Host monolith').setVersion('1.0.0').addBearerAuth({ type: 'http', scheme: 'bearer' }, 'admin-key').build(),
    );
  SwaggerModule.setup('docs', app, document);
  return app;
}
