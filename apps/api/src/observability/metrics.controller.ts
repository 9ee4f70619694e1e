import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { MetricsService } from './metrics.service';

interface ReplyLike {
  header(name: string, value: string): unknown;
}

/**
 * GET /metrics: the Prometheus text format. Unauthenticated, like /health: expose it on an
 * internal network only (or put it behind the ingress's own access control).
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics', description: 'Text exposition format. Unauthenticated: expose it on an internal network only.' })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'The metrics of this instance',
    content: { 'text/plain': { schema: { type: 'string', example: '# HELP signups_total Signups by outcome\n# TYPE signups_total counter\nsignups_total{outcome="completed"} 12\n' } } },
  })
  async scrape(@Res({ passthrough: true }) reply: ReplyLike): Promise<string> {
    reply.header('content-type', this.metrics.contentType());
    return this.metrics.scrape();
  }
}
