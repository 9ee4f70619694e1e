import 'reflect-metadata';
import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, loadAppConfig } from './config/app-config';
import { createApi } from './bootstrap';
import { BootLogger, createRootPino } from './observability/logging';
import { prepareRuntime } from './runtime';

async function main(): Promise<void> {
  const logger = new Logger('Main');
  let config;
  try {
    config = loadAppConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      logger.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  // Lines written before the application exists are pino lines too (LOG_FORMAT: pretty or JSON).
  Logger.overrideLogger(new BootLogger(createRootPino({ level: config.logLevel, format: config.logFormat })));
  if (config.identityProvider === 'portone') {
    if (config.portone.usingSandbox) logger.warn(`No PORTONE_API_SECRET: using the local sandbox's V2 at ${config.portone.baseUrl} as upstream`);
  } else if (config.iamport.usingSandbox) {
    logger.warn(`No IAMPORT_IMP_KEY: using the local sandbox at ${config.iamport.baseUrl} as upstream`);
  }
  const runtime = await prepareRuntime(config);
  const app = await createApi({ config, runtime });
  await app.listen(config.port, config.host);
  installGracefulShutdown(app, { graceMs: config.shutdownGraceMs, afterClose: () => runtime.close() });
  logger.log(`api listening on http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`);
}

main().catch((e: unknown) => {
  new Logger('Main').error(`Boot failed: ${(e as Error).name}: ${(e as Error).message}`);
  process.exit(1);
});

/**
 * Graceful shutdown on SIGTERM (and SIGINT):
 * 1. stop accepting: the listening socket closes (new connections are refused; a new request on
 *    an open keep-alive connection gets Fastify's 503 with `Connection: close`), so a load
 *    balancer moves traffic to the other instances;
 * 2. the requests in flight finish, for at most SHUTDOWN_GRACE_MS; idle keep-alive connections
 *    are closed as soon as they are idle; whatever is still open after the grace period is cut;
 * 3. Nest closes the application (module destroy and shutdown hooks: the upstream client's
 *    sockets, the TypeORM DataSource and its pool, the Redis connection), then the embedded
 *    database if any;
 * 4. the process exits 0 (1 if closing failed, or if it takes longer than the grace period
 *    plus 10 s).
 * A second SIGINT (Ctrl-C twice) exits at once; a second SIGTERM is ignored.
 *
 * Nest's own `enableShutdownHooks` is not used: it runs the module destroy hooks before the HTTP
 * server stops, under requests still in flight, and ends by re-raising the signal (exit 143).
 */
function installGracefulShutdown(
  app: NestFastifyApplication,
  options: { graceMs: number; afterClose: () => Promise<void> },
): void {
  const logger = new Logger('Shutdown');
  let shuttingDown = false;

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    const started = Date.now();
    const server = app.getHttpServer() as Server;
    const fastify = app.getHttpAdapter().getInstance();
    logger.log(`${signal}: no longer accepting connections; finishing requests in flight (at most ${options.graceMs} ms)`);
    const idleCloser = setInterval(() => server.closeIdleConnections(), 100);
    const drained = fastify.close().then(() => 'drained' as const);
    const outcome = await Promise.race([drained, delay(options.graceMs).then(() => 'grace-elapsed' as const)]);
    if (outcome === 'grace-elapsed') {
      logger.warn(`Requests still in flight after ${options.graceMs} ms: closing their connections`);
      server.closeAllConnections();
      await drained.catch(() => undefined);
    }
    clearInterval(idleCloser);
    logger.log(`HTTP server closed after ${Date.now() - started} ms; closing the application`);
    await app.close();
    await options.afterClose();
    logger.log(`Shutdown complete in ${Date.now() - started} ms`);
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      if (signal === 'SIGINT') {
        logger.warn('Second SIGINT: exiting now');
        process.exit(130);
      }
      logger.warn(`${signal} again: already shutting down`);
      return;
    }
    shuttingDown = true;
    const watchdog = setTimeout(() => {
      logger.error('Shutdown did not finish in time; exiting');
      process.exit(1);
    }, options.graceMs + 10_000);
    watchdog.unref();
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`Shutdown failed: ${(error as Error)?.name ?? typeof error}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
