import { Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/**
 * Provides the application's one `MetricsService` (and its registry). Imported by
 * ObservabilityModule and by the modules whose observers feed it (IamportModule.forRootAsync);
 * Nest keeps one instance of it per application.
 */
@Module({
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
