import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ADMIN_RESOLVED_OPTIONS, type ResolvedAdminOptions } from './admin.module-definition';
import { AdminErasureService } from './admin-erasure.service';
import { AuditLogService } from './audit-log.service';

/** Key id of the audit rows the retention job writes (admin key ids cannot contain `:`). */
export const RETENTION_ACTOR = 'system:retention';

export interface RetentionRun {
  /** Verifications created before this instant were eligible. */
  cutoff: string;
  days: number;
  /** Verifications whose personal data was erased in this run. */
  erased: number;
  /** Upstream deletions queued for them (0 with `retentionDeletesUpstream: false`). */
  upstream_queued: number;
  batches: number;
}

/**
 * Retention: a verification that was never used for a signup (status other than `used`) loses
 * its personal data `unusedVerificationDays` after its creation, exactly as an admin erasure
 * does (tombstone, tokens expired, upstream deletion queued, one audit row per verification
 * with key id `system:retention`). Used verifications are kept: they back an account.
 *
 * Works in batches of `retentionBatchSize`, each its own transaction; rows are taken with
 * `FOR UPDATE SKIP LOCKED`, so a signup holding a row is not waited for (the next run takes it
 * if it is still unused) and two instances running it at once share the work. The partial index
 * `ix_certifications_retention` finds the candidates without scanning the tombstones.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    @Inject(ADMIN_RESOLVED_OPTIONS) private readonly options: ResolvedAdminOptions,
    private readonly dataSource: DataSource,
    private readonly erasure: AdminErasureService,
    private readonly audit: AuditLogService,
  ) {}

  /** The instant before which unused verifications are erased, seen from `now`. */
  cutoff(now: Date = this.options.clock()): Date {
    return new Date(now.getTime() - this.options.unusedVerificationDays * 86_400_000);
  }

  /** How many verifications a run at `now` would erase. */
  async countEligible(now: Date = this.options.clock()): Promise<number> {
    const rows: Array<{ n: string }> = await this.dataSource.query(
      `SELECT count(*)::text AS n FROM certifications
        WHERE pii_erased_at IS NULL AND status <> 'used' AND created_at < $1`,
      [this.cutoff(now)],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Erases what is due at `now` (default: the clock). */
  async run(now: Date = this.options.clock()): Promise<RetentionRun> {
    const cutoff = this.cutoff(now);
    const result: RetentionRun = {
      cutoff: cutoff.toISOString(),
      days: this.options.unusedVerificationDays,
      erased: 0,
      upstream_queued: 0,
      batches: 0,
    };
    for (;;) {
      const at = this.options.clock();
      const erased = await this.dataSource.transaction(async (manager) => {
        const rows: Array<{ id: string }> = await manager.query(
          `SELECT id FROM certifications
            WHERE pii_erased_at IS NULL AND status <> 'used' AND created_at < $1
            ORDER BY created_at
            LIMIT $2
            FOR UPDATE SKIP LOCKED`,
          [cutoff, this.options.retentionBatchSize],
        );
        const impUids = await this.erasure.erasePii(
          manager,
          rows.map((r) => r.id),
          at,
        );
        if (this.options.retentionDeletesUpstream) {
          await this.erasure.enqueueUpstreamDeletions(manager, impUids, 'retention', at);
        }
        await this.audit.recordMany(
          manager,
          {
            keyId: RETENTION_ACTOR,
            action: 'certification.retention_erase',
            subjectType: 'certification',
            result: 'ok',
            clientIp: null,
            requestId: null,
            occurredAt: at,
          },
          impUids,
        );
        return { selected: rows.length, erased: impUids.length };
      });
      if (erased.selected === 0) break;
      result.batches++;
      result.erased += erased.erased;
      if (this.options.retentionDeletesUpstream) result.upstream_queued += erased.erased;
      if (erased.selected < this.options.retentionBatchSize) break;
    }
    if (result.erased > 0) {
      this.logger.log(
        `Erased the personal data of ${result.erased} unused verification(s) older than ${result.days} days (before ${result.cutoff})`,
      );
    }
    return result;
  }
}
