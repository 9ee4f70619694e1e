import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Database } from '@app/common';
import {
  CertificationRepository,
  VerificationTokenRepository,
  type CertificationStore,
  type VerificationTokenStore,
} from '@app/certification';
import { IamportApiError, IamportCircuitOpenError, IamportClient, IamportError } from '@app/iamport';
import { PiiCipher } from '@app/pii';
import { CertificationNotFoundError } from './admin.errors';
import { ADMIN_DATABASE, ADMIN_RESOLVED_OPTIONS } from './admin.constants';
import type { ResolvedAdminOptions } from './admin.options';
import type { AdminRequestContext } from './admin-request';
import { CertificationRecords } from './certification-records';
import { AuditLogRepository, type AuditLogStore } from './repositories/audit-log.repository';
import {
  UpstreamDeletionRepository,
  type ClaimedDeletion,
  type UpstreamDeletionStore,
} from './repositories/upstream-deletion.repository';
import { toDetail, type CertificationDetail } from './views';

/** How long a claimed upstream deletion is reserved for the worker that claimed it. */
const LEASE_MS = 5 * 60_000;

export interface UpstreamDeletionRun {
  /** Deletions tried in this run. */
  attempted: number;
  /** Of those, done (deleted upstream, or already gone: 404). */
  completed: number;
  /** Of those, failed and rescheduled with backoff. */
  failed: number;
}

/** `none`: nothing to delete upstream (PortOne V2 has no deletion: the verification is erased here only). */
export type UpstreamDeletionOutcome = 'done' | 'pending' | 'none';

/**
 * Erasure of a verification's personal data here (one transaction: tombstone, tokens expired,
 * outbox row, audit row) and upstream (tried after the commit, then retried by the worker).
 */
@Injectable()
export class AdminErasureService {
  private readonly logger = new Logger('AdminErasure');

  constructor(
    @Inject(ADMIN_RESOLVED_OPTIONS) private readonly options: ResolvedAdminOptions,
    @Inject(ADMIN_DATABASE) private readonly db: Pick<Database, 'transaction'>,
    @Inject(CertificationRepository) private readonly certifications: Pick<CertificationStore, 'lockByImpUid' | 'erasePii'>,
    @Inject(VerificationTokenRepository) private readonly tokens: Pick<VerificationTokenStore, 'expireUnused'>,
    private readonly records: CertificationRecords,
    @Inject(UpstreamDeletionRepository) private readonly deletions: UpstreamDeletionStore,
    @Inject(AuditLogRepository) private readonly audit: AuditLogStore,
    private readonly iamport: IamportClient,
    private readonly cipher: PiiCipher,
  ) {}

  /**
   * `DELETE /admin/certifications/:imp_uid`. Idempotent: erasing an erased verification
   * changes nothing (audited as `already_erased`) and answers the same tombstone.
   * @throws CertificationNotFoundError
   */
  async erase(impUid: string, ctx: AdminRequestContext): Promise<CertificationDetail> {
    const now = this.options.clock();
    await this.db.transaction(async (tx) => {
      const row = await this.certifications.lockByImpUid(impUid, tx);
      if (!row) throw new CertificationNotFoundError();
      const already = row.piiErasedAt !== null;
      if (!already) {
        await this.certifications.erasePii([row.id], now, tx);
        // An erased verification cannot sign up: its unused tokens expire with it.
        await this.tokens.expireUnused([row.id], now, tx);
      }
      // Also for an erased row (e.g. by retention without upstream deletion): the operator asked
      // for the upstream copy to go too. A row already queued or done is left as it is.
      await this.deletions.enqueue([row.impUid], 'admin', now, tx);
      await this.audit.record(
        {
          keyId: ctx.principal.keyId,
          action: 'certification.erase',
          subjectType: 'certification',
          subjectId: row.impUid,
          result: already ? 'already_erased' : 'ok',
          clientIp: ctx.clientIp,
          requestId: ctx.requestId,
          occurredAt: now,
        },
        tx,
      );
    });
    await this.attemptUpstreamDeletion(impUid);
    const tombstone = await this.records.find(impUid, { withIdentity: false });
    if (!tombstone) throw new CertificationNotFoundError(); // deleted meanwhile by something else
    return toDetail(tombstone, this.cipher, this.logger, false);
  }

  /**
   * One pass of the retry worker: claims due deletions one at a time (up to the batch size) and
   * tries each once. Stops early when the circuit breaker reports upstream down. Tests call it
   * directly, with a `now` in the future to skip the backoff.
   */
  async processPendingUpstreamDeletions(now: Date = this.options.clock()): Promise<UpstreamDeletionRun> {
    const run: UpstreamDeletionRun = { attempted: 0, completed: 0, failed: 0 };
    for (let i = 0; i < this.options.upstreamRetryBatchSize; i++) {
      const claimed = await this.deletions.claim(now, new Date(now.getTime() + LEASE_MS));
      if (!claimed) break;
      run.attempted++;
      const { outcome, error } = await this.attempt(claimed, now);
      if (outcome === 'done') run.completed++;
      else run.failed++;
      if (error instanceof IamportCircuitOpenError) break;
    }
    if (run.attempted > 0) {
      this.logger.log(`Upstream deletions: ${run.completed} done, ${run.failed} rescheduled`);
    }
    return run;
  }

  /**
   * Tries the upstream deletion of one imp_uid now, if it is due and not being tried elsewhere.
   * Returns its state afterwards.
   */
  async attemptUpstreamDeletion(impUid: string, now: Date = this.options.clock()): Promise<UpstreamDeletionOutcome> {
    const claimed = await this.deletions.claim(now, new Date(now.getTime() + LEASE_MS), impUid);
    if (!claimed) {
      const state = await this.deletions.findState(impUid);
      return state === null ? 'none' : state.completedAt !== null ? 'done' : 'pending';
    }
    return (await this.attempt(claimed, now)).outcome;
  }

  private async attempt(
    claimed: ClaimedDeletion,
    now: Date,
  ): Promise<{ outcome: UpstreamDeletionOutcome; error?: unknown }> {
    try {
      await this.iamport.deleteCertification(claimed.impUid);
    } catch (error) {
      if (error instanceof IamportApiError && error.httpStatus === 404) {
        await this.complete(claimed, 'not found upstream (already erased)');
        return { outcome: 'done' };
      }
      const delay = this.backoffMs(claimed.attempts);
      const description = describeError(error);
      await this.deletions.reschedule(claimed.id, new Date(now.getTime() + delay), description);
      this.logger.warn(
        `Upstream deletion of ${claimed.impUid} failed (attempt ${claimed.attempts}: ${description}); retrying in ${Math.round(delay / 1000)} s`,
      );
      return { outcome: 'pending', error };
    }
    await this.complete(claimed, null);
    return { outcome: 'done' };
  }

  private async complete(claimed: ClaimedDeletion, note: string | null): Promise<void> {
    await this.deletions.complete(claimed.id, this.options.clock(), note);
  }

  /** base * 2^(n-1) after the n-th failed attempt, capped. */
  private backoffMs(attempts: number): number {
    const { upstreamRetryBaseDelayMs: base, upstreamRetryMaxDelayMs: max } = this.options;
    return Math.min(max, base * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  }
}

/** Error class, HTTP status and upstream code only: never a message that could carry data. */
function describeError(error: unknown): string {
  if (error instanceof IamportError) {
    const parts = [error.name];
    if (error.httpStatus !== undefined) parts.push(`HTTP ${error.httpStatus}`);
    if (error.upstreamCode !== undefined) parts.push(`code ${error.upstreamCode}`);
    return parts.join(' ').slice(0, 200);
  }
  return (error instanceof Error ? error.name : typeof error).slice(0, 200);
}
