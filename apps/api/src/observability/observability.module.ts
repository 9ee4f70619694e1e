import { Inject, Injectable, Module, type DynamicModule, type MiddlewareConsumer, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { symbols, type Logger as PinoInstance } from 'pino';
import { IamportClient } from '@app/iamport';
import { createRootPino, loggerModuleParams, type LoggingSettings } from './logging';
import { METRICS_EXPOSURE, MetricsAccess, type MetricsExposure } from './metrics-access';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics-listener';
import { MetricsModule } from './metrics.module';
import { MetricsService } from './metrics.service';

/** Points the breaker gauge at the application's IamportClient, when there is one. */
@Injectable()
class BreakerGaugeBinding implements OnModuleInit {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    let client: IamportClient | undefined;
    try {
      client = this.moduleRef.get(IamportClient, { strict: false });
    } catch {
      return;
    }
    if (client) this.metrics.setBreakerSource(() => client.breakerState());
  }
}

const APP_PINO = Symbol('iamport-backend.app-pino');

/**
 * nestjs-pino 5 keeps ONE root logger (and one pino-http middleware) per process: the first
 * application built in a process fixes the destination and level of every later one (several
 * apps in one process happen in tests). A later app that asked for a destination of its own
 * would silently log elsewhere; this fails its boot with the reason instead. (One api per
 * process in production; each Jest test file has its own module registry, so in tests: give
 * the first app of a file its `logStream`.)
 */
@Injectable()
class SingleRootLoggerCheck implements OnModuleInit {
  constructor(@Inject(APP_PINO) private readonly app: { root: PinoInstance; explicitDestination: boolean }) {}

  onModuleInit(): void {
    const effective = PinoLogger.root as PinoInstance | undefined;
    if (!this.app.explicitDestination || !effective) return;
    const streamOf = (logger: PinoInstance) => (logger as unknown as Record<symbol, unknown>)[symbols.streamSym];
    if (streamOf(effective) !== streamOf(this.app.root)) {
      throw new Error(
        'logDestination is ignored: another application in this process already owns the nestjs-pino root logger ' +
          '(nestjs-pino keeps one per process). Build the app that captures its logs first.',
      );
    }
  }
}

/**
 * nestjs-pino's module without its HTTP middleware: the same providers (`Logger`, `PinoLogger`,
 * the root logger), but `configure` mounts nothing; the api logs requests with the Fastify hooks
 * of `installRequestLogging` (logging.ts) instead. Same constructor and metadata (inherited).
 */
class LoggerModuleWithoutMiddleware extends LoggerModule {
  override configure(_consumer: MiddlewareConsumer): void {
    // no middleware: see installRequestLogging
  }
}

/**
 * Logs and metrics of the api:
 * - nestjs-pino: JSON lines (or pino-pretty), one line per finished request with its
 *   `request_id`, the same `request_id` on every Nest `Logger` line written while handling it,
 *   personal data and secrets redacted (see logging.ts);
 * - prom-client: `MetricsService` and GET /metrics (see metrics.service.ts), on the public
 *   listener or, with `metrics.port`, on a second one only; behind `metrics.token` when set.
 * bootstrap.ts makes the nestjs-pino Logger the application logger and installs the request
 * logging and HTTP metrics hooks.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(logging: LoggingSettings, metrics: MetricsExposure = { port: null, host: '127.0.0.1', token: null }): DynamicModule {
    const root = createRootPino(logging);
    return {
      module: ObservabilityModule,
      imports: [{ ...LoggerModule.forRoot(loggerModuleParams(root)), module: LoggerModuleWithoutMiddleware }, MetricsModule],
      controllers: metrics.port === null ? [MetricsController] : [],
      providers: [
        { provide: METRICS_EXPOSURE, useValue: metrics },
        MetricsAccess,
        ...(metrics.port === null ? [] : [MetricsListener]),
        BreakerGaugeBinding,
        { provide: APP_PINO, useValue: { root, explicitDestination: logging.destination !== undefined } },
        SingleRootLoggerCheck,
      ],
      exports: [MetricsModule],
    };
  }
}
