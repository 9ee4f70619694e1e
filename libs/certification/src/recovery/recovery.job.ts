import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CERTIFICATION_RESOLVED_OPTIONS } from '../certification.constants';
import type { ResolvedCertificationOptions } from '../certification.options';
import { CERTIFICATION_LOG_CONTEXT } from '../certification.reporter';
import { CertificationRecovery } from './certification-recovery';

export const RECOVERY_INTERVAL_NAME = 'certification.recovery';

/**
 * Runs `recoverPending` every `recovery.intervalSeconds` through the host's
 * `ScheduleModule.forRoot()` (registered at bootstrap, so the interval is an option); a run
 * never overlaps the previous one. Without the ScheduleModule nothing runs on its own.
 */
@Injectable()
export class CertificationRecoveryJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CERTIFICATION_LOG_CONTEXT);
  private run: Promise<void> | null = null;
  private registered = false;

  constructor(
    @Inject(CERTIFICATION_RESOLVED_OPTIONS) private readonly options: Pick<ResolvedCertificationOptions, 'recovery'>,
    private readonly recovery: CertificationRecovery,
    @Optional() private readonly registry?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const recovery = this.options.recovery;
    if (!recovery) return;
    if (!this.registry) {
      this.logger.warn('ScheduleModule.forRoot() is not imported: the recovery of pending verifications does not run on a schedule');
      return;
    }
    if (this.registry.doesExist('interval', RECOVERY_INTERVAL_NAME)) return;
    const timer = setInterval(() => void this.runOnce(), recovery.intervalSeconds * 1000);
    timer.unref();
    this.registry.addInterval(RECOVERY_INTERVAL_NAME, timer);
    this.registered = true;
  }

  /** One recovery batch; skipped while the previous one still runs. Never throws. */
  runOnce(): Promise<void> {
    const recovery = this.options.recovery;
    if (this.run || !recovery) return this.run ?? Promise.resolve();
    this.run = this.recovery
      .recoverPending({ limit: recovery.batchSize, minAgeSeconds: recovery.minAgeSeconds })
      .then((report) => {
        if (report.recovered || report.expired || report.failed) {
          this.logger.log(
            `Recovery: checked ${report.checked}, recovered ${report.recovered}, expired ${report.expired}, failed ${report.failed}`,
          );
        }
      })
      .catch((error: unknown) => this.logger.warn(`Recovery run failed: ${(error as Error)?.name ?? 'error'}`))
      .finally(() => {
        this.run = null;
      });
    return this.run;
  }

  /** Stops the interval before the pool closes, and lets a running batch finish. */
  async onModuleDestroy(): Promise<void> {
    if (this.registered && this.registry?.doesExist('interval', RECOVERY_INTERVAL_NAME)) {
      this.registry.deleteInterval(RECOVERY_INTERVAL_NAME);
    }
    this.registered = false;
    await this.run;
  }
}
