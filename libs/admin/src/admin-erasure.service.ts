import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { IamportApiError, IamportCircuitOpenError, IamportClient, IamportError } from '@app/iamport';
import { PiiCipher } from '@app/pii';
import { CertificationNotFoundError } from './admin.errors';
import { ADMIN_RESOLVED_OPTIONS, type ResolvedAdminOptions } from './admin.module-definition';
import type { AdminRequestContext } from './admin-request';
import { AdminCertificationsService } from './admin-certifications.service';
import { AuditLogService } from './audit-log.service';
import type { UpstreamDeletionReason } from './entities/upstream-deletion.entity';
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

export type UpstreamDeletionOutcome = 'done' | 'pending';

interface ClaimedDeletion {
  id: string;
  imp_uid: string;
  attempts: number;
}

/**
 * Erasure of a verification's personal data, here and upstream.
 *
 * Here: one transaction locks the row, clears every personal column (name, phone, CI, DI and
 * their blind indexes, birthday, gender, foreigner, carrier), sets `pii_erased_at`, expires the
 * verification's unused verification tokens (so an erased verification cannot be used for a
 * signup any more), writes an outbox row for the upstream DELETE and the audit row. What stays is
 * a tombstone: ids, flow, status and timestamps.
 *
 * Upstream: after the commit the DELETE is tried once; if upstream is down, the outbox row stays
 * pending and `processPendingUpstreamDeletions` (scheduled, see AdminJobs) retries it with
 * exponential backoff until upstream confirms (a 404 counts as done: nothing left to erase).
 * Rows are claimed with `FOR UPDATE SKIP LOCKED` and a lease, so several instances can run the
 * worker at once without deleting twice in parallel; a crashed worker's lease simply expires.
 */
@Injectable()
export class AdminErasureService {
  private readonly logger = new Logger('AdminErasure');

  constructor(
    @Inject(ADMIN_RESOLVED_OPTIONS) private readonly options: ResolvedAdminOptions,
    private readonly dataSource: DataSource,
    private readonly iamport: IamportClient,
    private readonly cipher: PiiCipher,
    private readonly certifications: AdminCertificationsService,
    private readonly audit: AuditLogService,
  ) {}

  /**
   * `DELETE /admin/certifications/:imp_uid`. Idempotent: erasing an erased verification
   * changes nothing (audited as `already_erased`) and answers the same tombstone.
   * @throws CertificationNotFoundError
   */
  async erase(impUid: string, ctx: AdminRequestContext): Promise<CertificationDetail> {
    const now = this.options.clock();
    await this.dataSource.transaction(async (manager) => {
      const rows: Array<{ id: string; imp_uid: string; pii_erased_at: Date | null }> = await manager.query(
        `SELECT id, imp_uid, pii_erased_at FROM certifications WHERE imp_uid = $1 FOR UPDATE`,
        [impUid],
      );
      const row = rows[0];
      if (!row) throw new CertificationNotFoundError();
      const already = row.pii_erased_at !== null;
      if (!already) await this.erasePii(manager, [row.id], now);
      // Also for an erased row (e.g. by retention without upstream deletion): the operator asked
      // for the upstream copy to go too. A row already queued or done is left as it is.
      await this.enqueueUpstreamDeletions(manager, [row.imp_uid], 'admin', now);
      await this.audit.record(manager, {
        keyId: ctx.principal.keyId,
        action: 'certification.erase',
        subjectType: 'certification',
        subjectId: row.imp_uid,
        result: already ? 'already_erased' : 'ok',
        clientIp: ctx.clientIp,
        requestId: ctx.requestId,
        occurredAt: now,
      });
    });
    await this.attemptUpstreamDeletion(impUid);
    const tombstone = await this.certifications.findRow(this.dataSource.manager, impUid, false);
    if (!tombstone) throw new CertificationNotFoundError(); // deleted meanwhile by something else
    return toDetail(tombstone, this.cipher, this.logger, false);
  }

  /**
   * Clears the personal data of the given (locked) certifications in the caller's transaction
   * and expires their unused verification tokens. Returns the imp_uids actually erased (rows
   * already erased are skipped).
   */
  async erasePii(manager: EntityManager, certificationIds: readonly string[], at: Date): Promise<string[]> {
    if (certificationIds.length === 0) return [];
    const erased: unknown = await manager.query(
      `UPDATE certifications
          SET name_enc = NULL, phone_enc = NULL, phone_bidx = NULL, ci_enc = NULL, ci_bidx = NULL, di_enc = NULL,
              birthday = NULL, gender = NULL, foreigner = NULL, carrier = NULL,
              pii_erased_at = $2, updated_at = $2
        WHERE id = ANY($1::uuid[]) AND pii_erased_at IS NULL
        RETURNING imp_uid`,
      [[...certificationIds], at],
    );
    await manager.query(
      `UPDATE verification_tokens SET expires_at = $2
        WHERE certification_id = ANY($1::uuid[]) AND used_at IS NULL AND expires_at > $2`,
      [[...certificationIds], at],
    );
    // RETURNING of an UPDATE gives [rows, count] through TypeORM's postgres driver.
    return normalizeReturning<{ imp_uid: string }>(erased).map((r) => r.imp_uid);
  }

  /** Outbox rows for the upstream DELETE, due at once (in the caller's transaction). */
  async enqueueUpstreamDeletions(
    manager: EntityManager,
    impUids: readonly string[],
    reason: UpstreamDeletionReason,
    at: Date,
  ): Promise<void> {
    if (impUids.length === 0) return;
    await manager.query(
      `INSERT INTO upstream_deletions (imp_uid, reason, next_attempt_at, created_at)
       SELECT u, $2, $3, $3 FROM unnest($1::text[]) AS u
       ON CONFLICT (imp_uid) DO NOTHING`,
      [[...impUids], reason, at],
    );
  }

  /**
   * One pass of the retry worker: claims due deletions one at a time (up to the batch size) and
   * tries each once. Stops early when the circuit breaker reports upstream down. Tests call it
   * directly, with a `now` in the future to skip the backoff.
   */
  async processPendingUpstreamDeletions(now: Date = this.options.clock()): Promise<UpstreamDeletionRun> {
    const run: UpstreamDeletionRun = { attempted: 0, completed: 0, failed: 0 };
    for (let i = 0; i < this.options.upstreamRetryBatchSize; i++) {
      const claimed = await this.claim(now);
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
    const claimed = await this.claim(now, impUid);
    if (!claimed) {
      const rows: Array<{ completed_at: Date | null }> = await this.dataSource.query(
        `SELECT completed_at FROM upstream_deletions WHERE imp_uid = $1`,
        [impUid],
      );
      return rows[0]?.completed_at ? 'done' : 'pending';
    }
    return (await this.attempt(claimed, now)).outcome;
  }

  /** Takes the lease on the oldest due deletion (or on the given imp_uid's, if due). */
  private async claim(now: Date, impUid?: string): Promise<ClaimedDeletion | null> {
    const params: unknown[] = [now, new Date(now.getTime() + LEASE_MS)];
    if (impUid !== undefined) params.push(impUid);
    const result = await this.dataSource.query(
      `UPDATE upstream_deletions
          SET attempts = attempts + 1, last_attempt_at = $1, next_attempt_at = $2
        WHERE id = (
          SELECT id FROM upstream_deletions
           WHERE completed_at IS NULL AND next_attempt_at <= $1 ${impUid !== undefined ? 'AND imp_uid = $3' : ''}
           ORDER BY next_attempt_at, id
           LIMIT 1
           FOR UPDATE SKIP LOCKED)
        RETURNING id::text AS id, imp_uid, attempts`,
      params,
    );
    return normalizeReturning<ClaimedDeletion>(result)[0] ?? null;
  }

  private async attempt(
    claimed: ClaimedDeletion,
    now: Date,
  ): Promise<{ outcome: UpstreamDeletionOutcome; error?: unknown }> {
    try {
      await this.iamport.deleteCertification(claimed.imp_uid);
    } catch (error) {
      if (error instanceof IamportApiError && error.httpStatus === 404) {
        await this.complete(claimed, 'not found upstream (already erased)');
        return { outcome: 'done' };
      }
      const delay = this.backoffMs(claimed.attempts);
      const description = describeError(error);
      await this.dataSource.query(
        `UPDATE upstream_deletions SET next_attempt_at = $2, last_error = $3 WHERE id = $1::bigint`,
        [claimed.id, new Date(now.getTime() + delay), description],
      );
      this.logger.warn(
        `Upstream deletion of ${claimed.imp_uid} failed (attempt ${claimed.attempts}: ${description}); retrying in ${Math.round(delay / 1000)} s`,
      );
      return { outcome: 'pending', error };
    }
    await this.complete(claimed, null);
    return { outcome: 'done' };
  }

  private async complete(claimed: ClaimedDeletion, note: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE upstream_deletions SET completed_at = $2, last_error = $3 WHERE id = $1::bigint`,
      [claimed.id, this.options.clock(), note],
    );
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

/** TypeORM's postgres driver returns `[rows, affected]` for UPDATE ... RETURNING. */
function normalizeReturning<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return (Array.isArray(result) ? result : []) as T[];
}
