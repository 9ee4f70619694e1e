import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { MetricsService } from './metrics.service';
import { MetricsTokenGuard } from './metrics-token.guard';

interface ReplyLike {
  header(name: string, value: string): unknown;
}

/**
 * GET /metrics on the public listener: the Prometheus text format, behind METRICS_TOKEN when
 * set. Not registered at all with METRICS_PORT (MetricsListener serves it there).
 */
@ApiTags('operations')
@Controller('metrics')
@UseGuards(MetricsTokenGuard)
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics',
    description: 'Text exposition format. With METRICS_TOKEN: `Authorization: Bearer <METRICS_TOKEN>`; with METRICS_PORT: served on that listener only.',
  })
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
