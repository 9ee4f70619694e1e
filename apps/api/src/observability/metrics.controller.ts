import { Controller, Get, Header, Res } from '@nestjs/common';
import { MetricsService } from './metrics.service';

interface ReplyLike {
  header(name: string, value: string): unknown;
}

/**
 * GET /metrics: the Prometheus text format. Unauthenticated, like /health: expose it on an
 * internal network only (or put it behind the ingress's own access control).
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res({ passthrough: true }) reply: ReplyLike): Promise<string> {
    reply.header('content-type', this.metrics.contentType());
    return this.metrics.scrape();
  }
}
