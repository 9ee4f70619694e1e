import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Database } from '@app/common';
import {
  CertificationRepository,
  VerificationTokenRepository,
  type CertificationStore,
  type VerificationTokenStore,
} from '@app/certification';
import { ADMIN_DATABASE, ADMIN_RESOLVED_OPTIONS } from './admin.constants';
import type { ResolvedAdminOptions } from './admin.options';
import { AuditLogRepository, type AuditLogStore } from './repositories/audit-log.repository';
import { UpstreamDeletionRepository, type UpstreamDeletionStore } from './repositories/upstream-deletion.repository';

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
 * Retention: an unused verification (status other than `used`) loses its personal data
 * `unusedVerificationDays` after its creation, as an admin erasure does; used ones back an
 * account and are kept. Batches of `retentionBatchSize`, each its own transaction.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    @Inject(ADMIN_RESOLVED_OPTIONS) private readonly options: ResolvedAdminOptions,
    @Inject(ADMIN_DATABASE) private readonly db: Pick<Database, 'transaction'>,
    @Inject(CertificationRepository)
    private readonly certifications: Pick<CertificationStore, 'countUnusedCreatedBefore' | 'lockUnusedCreatedBefore' | 'erasePii'>,
    @Inject(VerificationTokenRepository) private readonly tokens: Pick<VerificationTokenStore, 'expireUnused'>,
    @Inject(UpstreamDeletionRepository) private readonly deletions: UpstreamDeletionStore,
    @Inject(AuditLogRepository) private readonly audit: AuditLogStore,
  ) {}

  /** The instant before which unused verifications are erased, seen from `now`. */
  cutoff(now: Date = this.options.clock()): Date {
    return new Date(now.getTime() - this.options.unusedVerificationDays * 86_400_000);
  }

  /** How many verifications a run at `now` would erase. */
  async countEligible(now: Date = this.options.clock()): Promise<number> {
    return this.certifications.countUnusedCreatedBefore(this.cutoff(now));
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
      const erased = await this.db.transaction(async (tx) => {
        const ids = await this.certifications.lockUnusedCreatedBefore(cutoff, this.options.retentionBatchSize, tx);
        const impUids = await this.certifications.erasePii(ids, at, tx);
        await this.tokens.expireUnused(ids, at, tx);
        if (this.options.retentionDeletesUpstream) await this.deletions.enqueue(impUids, 'retention', at, tx);
        await this.audit.recordMany(
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
          tx,
        );
        return { selected: ids.length, erased: impUids.length };
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
