import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Database } from '@app/common';
import {
  CertificationRepository,
  VerificationTokenRepository,
  type CertificationStore,
  type RetentionCutoffs,
  type VerificationTokenStore,
} from '@app/certification';
import { ADMIN_DATABASE, ADMIN_RESOLVED_OPTIONS } from './admin.constants';
import type { ResolvedAdminOptions } from './admin.options';
import { AuditLogRepository, type AuditLogStore } from './repositories/audit-log.repository';
import { UpstreamDeletionRepository, type UpstreamDeletionStore } from './repositories/upstream-deletion.repository';

/** Key id of the audit rows the retention job writes (admin key ids cannot contain `:`). */
export const RETENTION_ACTOR = 'system:retention';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface RetentionRun {
  /** Verified, unused verifications created before this instant were eligible. */
  cutoff: string;
  days: number;
  /** Verifications whose personal data was erased in this run (every verification rule). */
  erased: number;
  /** Upstream deletions queued for them (0 with `retentionDeletesUpstream: false`). */
  upstream_queued: number;
  batches: number;
}

/** Rows deleted from a table by its rule. */
export interface TableRetentionRun {
  cutoff: string;
  days: number;
  deleted: number;
}

/** Every rule of one run: what the daily job and `npm run retention:run` do. */
export interface FullRetentionRun {
  verifications: RetentionRun;
  audit_log: TableRetentionRun;
  upstream_deletions: TableRetentionRun;
}

/** What one rule would remove now (`--dry-run`). */
export interface RetentionRulePlan {
  rule: 'unfinished_verifications' | 'unused_verifications' | 'used_verifications' | 'audit_log' | 'finished_outbox';
  table: string;
  /** Rows older than this are due (null: the rule is off). */
  cutoff: string | null;
  /** `personal data erased` (the row stays as a tombstone) or `rows deleted`. */
  effect: 'erase_pii' | 'delete';
  due: number;
}

type RetentionCertifications = Pick<CertificationStore, 'erasePii'> &
  Pick<CertificationRepository, 'countRetentionDue' | 'lockRetentionDue'>;
type RetentionAuditLog = AuditLogStore & Pick<AuditLogRepository, 'countOlderThan' | 'deleteOlderThan'>;
type RetentionOutbox = UpstreamDeletionStore & Pick<UpstreamDeletionRepository, 'countFinishedBefore' | 'deleteFinishedBefore'>;

/**
 * Retention of every table (docs/admin.md, Retention). Verifications lose their personal data
 * as an admin erasure does: pending, expired and locked ones after `unfinishedVerificationHours`,
 * verified unused ones after `unusedVerificationDays`, a used one's kept copy after
 * `usedVerificationKeepHours`; audit rows and finished outbox rows are deleted. Batches of
 * `retentionBatchSize`, each its own transaction.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    @Inject(ADMIN_RESOLVED_OPTIONS) private readonly options: ResolvedAdminOptions,
    @Inject(ADMIN_DATABASE) private readonly db: Pick<Database, 'transaction'>,
    @Inject(CertificationRepository) private readonly certifications: RetentionCertifications,
    @Inject(VerificationTokenRepository) private readonly tokens: Pick<VerificationTokenStore, 'expireUnused'>,
    @Inject(UpstreamDeletionRepository) private readonly deletions: RetentionOutbox,
    @Inject(AuditLogRepository) private readonly audit: RetentionAuditLog,
  ) {}

  /** The instant before which verified, unused verifications are erased, seen from `now`. */
  cutoff(now: Date = this.options.clock()): Date {
    return new Date(now.getTime() - this.options.unusedVerificationDays * DAY);
  }

  /** Each verification rule's cutoff, seen from `now`. */
  verificationCutoffs(now: Date = this.options.clock()): RetentionCutoffs {
    const keep = this.options.usedVerificationKeepHours;
    return {
      unfinishedBefore: new Date(now.getTime() - this.options.unfinishedVerificationHours * HOUR),
      unusedBefore: this.cutoff(now),
      usedBefore: keep > 0 ? new Date(now.getTime() - keep * HOUR) : null,
    };
  }

  /** How many verifications a run at `now` would erase. */
  async countEligible(now: Date = this.options.clock()): Promise<number> {
    const due = await this.certifications.countRetentionDue(this.verificationCutoffs(now));
    return due.unfinished + due.unused + due.used;
  }

  /** What each rule would remove at `now`, removing nothing. */
  async plan(now: Date = this.options.clock()): Promise<RetentionRulePlan[]> {
    const cutoffs = this.verificationCutoffs(now);
    const due = await this.certifications.countRetentionDue(cutoffs);
    const auditCutoff = this.auditCutoff(now);
    const outboxCutoff = this.outboxCutoff(now);
    return [
      { rule: 'unfinished_verifications', table: 'certifications', cutoff: cutoffs.unfinishedBefore.toISOString(), effect: 'erase_pii', due: due.unfinished },
      { rule: 'unused_verifications', table: 'certifications', cutoff: cutoffs.unusedBefore.toISOString(), effect: 'erase_pii', due: due.unused },
      { rule: 'used_verifications', table: 'certifications', cutoff: cutoffs.usedBefore?.toISOString() ?? null, effect: 'erase_pii', due: due.used },
      { rule: 'audit_log', table: 'audit_log', cutoff: auditCutoff.toISOString(), effect: 'delete', due: await this.audit.countOlderThan(auditCutoff) },
      {
        rule: 'finished_outbox',
        table: 'upstream_deletions',
        cutoff: outboxCutoff.toISOString(),
        effect: 'delete',
        due: await this.deletions.countFinishedBefore(outboxCutoff),
      },
    ];
  }

  /** Every rule at `now`: the daily job and `npm run retention:run`. */
  async runAll(now: Date = this.options.clock()): Promise<FullRetentionRun> {
    const verifications = await this.run(now);
    const auditCutoff = this.auditCutoff(now);
    const outboxCutoff = this.outboxCutoff(now);
    const run: FullRetentionRun = {
      verifications,
      audit_log: { cutoff: auditCutoff.toISOString(), days: this.options.auditLogDays, deleted: 0 },
      upstream_deletions: { cutoff: outboxCutoff.toISOString(), days: this.options.finishedOutboxDays, deleted: 0 },
    };
    run.audit_log.deleted = await this.deleteInBatches((limit) => this.audit.deleteOlderThan(auditCutoff, limit));
    run.upstream_deletions.deleted = await this.deleteInBatches((limit) => this.deletions.deleteFinishedBefore(outboxCutoff, limit));
    if (run.audit_log.deleted + run.upstream_deletions.deleted > 0) {
      this.logger.log(
        `Deleted ${run.audit_log.deleted} audit row(s) older than ${run.audit_log.days} days and ` +
          `${run.upstream_deletions.deleted} finished upstream deletion(s) older than ${run.upstream_deletions.days} days`,
      );
    }
    return run;
  }

  /** The verification rules at `now` (default: the clock). */
  async run(now: Date = this.options.clock()): Promise<RetentionRun> {
    const cutoffs = this.verificationCutoffs(now);
    const result: RetentionRun = {
      cutoff: cutoffs.unusedBefore.toISOString(),
      days: this.options.unusedVerificationDays,
      erased: 0,
      upstream_queued: 0,
      batches: 0,
    };
    for (;;) {
      const at = this.options.clock();
      const erased = await this.db.transaction(async (tx) => {
        const ids = await this.certifications.lockRetentionDue(cutoffs, this.options.retentionBatchSize, tx);
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
      this.logger.log(`Erased the personal data of ${result.erased} verification(s) due under the retention rules`);
    }
    return result;
  }

  private auditCutoff(now: Date): Date {
    return new Date(now.getTime() - this.options.auditLogDays * DAY);
  }

  private outboxCutoff(now: Date): Date {
    return new Date(now.getTime() - this.options.finishedOutboxDays * DAY);
  }

  private async deleteInBatches(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
    const limit = this.options.retentionBatchSize;
    let total = 0;
    for (;;) {
      const n = await deleteBatch(limit);
      total += n;
      if (n < limit) return total;
    }
  }
}
