import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { METRICS_EXPOSURE, MetricsAccess, type MetricsExposure } from './metrics-access';
import { MetricsService } from './metrics.service';

/**
 * METRICS_PORT: a second listener that serves GET /metrics and nothing else, so the public
 * listener need not expose it. Opens when the application has bootstrapped, closes with it.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Metrics');
  private server: Server | null = null;

  constructor(
    @Inject(METRICS_EXPOSURE) private readonly exposure: MetricsExposure,
    private readonly access: MetricsAccess,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      const answer = (status: number, type: string, body: string) => {
        response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(request.method === 'HEAD' ? undefined : body);
      };
      const error = (status: number, code: string, message: string) => answer(status, 'application/json; charset=utf-8', JSON.stringify({ error: { code, message } }));
      if (path !== '/metrics') return error(404, 'NOT_FOUND', 'Only GET /metrics is served here');
      if (request.method !== 'GET' && request.method !== 'HEAD') return error(405, 'METHOD_NOT_ALLOWED', 'GET /metrics only');
      if (!this.access.allows(request.headers.authorization)) return error(401, 'UNAUTHORIZED', 'GET /metrics needs the METRICS_TOKEN bearer token');
      this.metrics.scrape().then(
        (text) => answer(200, this.metrics.contentType(), text),
        () => error(500, 'INTERNAL_ERROR', 'The metrics could not be collected'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.exposure.port!, this.exposure.host, () => resolve());
    });
    this.server = server;
    this.logger.log(`metrics listening on ${this.exposure.host}:${(server.address() as AddressInfo).port}/metrics`);
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
