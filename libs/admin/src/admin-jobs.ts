import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { Cron, SchedulerRegistry } from '@nestjs/schedule';
import { ADMIN_RESOLVED_OPTIONS } from './admin.constants';
import type { ResolvedAdminOptions } from './admin.options';
import { AdminErasureService } from './admin-erasure.service';
import { RetentionService } from './retention.service';

export const UPSTREAM_DELETION_INTERVAL_NAME = 'admin.upstream-deletions';
export const RETENTION_CRON_NAME = 'admin.retention';

/**
 * The upstream deletion worker (an interval registered at bootstrap, so its period is an option)
 * and the daily retention cron; both need `ScheduleModule.forRoot()` in the host.
 */
@Injectable()
export class AdminJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminJobs');
  private upstreamRunning = false;
  private retentionRunning = false;

  constructor(
    @Inject(ADMIN_RESOLVED_OPTIONS) private readonly options: ResolvedAdminOptions,
    private readonly erasure: AdminErasureService,
    private readonly retention: RetentionService,
    @Optional() private readonly registry?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const wanted = this.options.upstreamRetryIntervalMs > 0 || this.options.retentionSchedule;
    if (!this.registry) {
      if (!wanted) return;
      this.logger.warn(
        'ScheduleModule.forRoot() is not imported: pending upstream deletions and retention do not run on a schedule',
      );
      return;
    }
    const ms = this.options.upstreamRetryIntervalMs;
    if (ms > 0 && !this.registry.doesExist('interval', UPSTREAM_DELETION_INTERVAL_NAME)) {
      const timer = setInterval(() => void this.runUpstreamDeletions(), ms);
      timer.unref();
      this.registry.addInterval(UPSTREAM_DELETION_INTERVAL_NAME, timer);
    }
  }

  /** One worker pass; skipped while the previous one still runs. Never throws. */
  async runUpstreamDeletions(): Promise<void> {
    if (this.upstreamRunning) return;
    this.upstreamRunning = true;
    try {
      await this.erasure.processPendingUpstreamDeletions();
    } catch (error) {
      this.logger.error(`Upstream deletion worker failed: ${(error as Error)?.name ?? 'error'}`);
    } finally {
      this.upstreamRunning = false;
    }
  }

  @Cron('0 0 3 * * *', { name: RETENTION_CRON_NAME, timeZone: 'Asia/Seoul', waitForCompletion: true })
  async runRetention(): Promise<void> {
    if (!this.options.retentionSchedule || this.retentionRunning) return;
    this.retentionRunning = true;
    try {
      await this.retention.runAll();
    } catch (error) {
      this.logger.error(`Retention job failed: ${(error as Error)?.name ?? 'error'}`);
    } finally {
      this.retentionRunning = false;
    }
  }
}
