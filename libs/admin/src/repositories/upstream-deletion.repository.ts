import type { Database, Transaction } from '@app/common';
import { UPSTREAM_DELETION_PROVIDERS } from '@app/certification';
import type { UpstreamDeletionReason } from '../entities/upstream-deletion.entity';
import { deleteOldestBefore } from './batched-delete.repository';

/** A deletion leased to one worker: `attempts` counts this attempt. */
export interface ClaimedDeletion {
  id: string;
  impUid: string;
  attempts: number;
}

/** Where the upstream deletion of one imp_uid stands. */
export interface UpstreamDeletionState {
  attempts: number;
  nextAttemptAt: Date;
  completedAt: Date | null;
}

/** What services need of the upstream_deletions outbox (in-memory fakes implement it in unit specs). */
export interface UpstreamDeletionStore {
  /** Outbox rows due at `at`; an imp_uid already queued (or done) is left as it is. */
  enqueue(impUids: readonly string[], reason: UpstreamDeletionReason, at: Date, tx?: Transaction): Promise<void>;
  /** Leases the oldest deletion due at `now` (or the given imp_uid's, if due) until `leaseUntil`. */
  claim(now: Date, leaseUntil: Date, impUid?: string): Promise<ClaimedDeletion | null>;
  /** True when the imp_uid's deletion is done (false when pending or never queued). */
  isCompleted(impUid: string): Promise<boolean>;
  /** The imp_uid's deletion, or null when never queued. */
  findState(impUid: string, tx?: Transaction): Promise<UpstreamDeletionState | null>;
  reschedule(id: string, nextAttemptAt: Date, lastError: string): Promise<void>;
  complete(id: string, at: Date, note: string | null): Promise<void>;
}

/** The `upstream_deletions` outbox (owned by libs/admin). */
export class UpstreamDeletionRepository implements UpstreamDeletionStore {
  constructor(private readonly db: Database) {}

  async enqueue(impUids: readonly string[], reason: UpstreamDeletionReason, at: Date, tx?: Transaction): Promise<void> {
    if (impUids.length === 0) return;
    // Only verifications of a provider with an upstream deletion (not PortOne V2: docs/admin.md).
    await this.db.query(
      `INSERT INTO upstream_deletions (imp_uid, reason, next_attempt_at, created_at)
       SELECT c.imp_uid, $2, $3, $3 FROM certifications c
        WHERE c.imp_uid = ANY($1::text[]) AND c.provider = ANY($4::text[])
       ON CONFLICT (imp_uid) DO NOTHING`,
      [[...impUids], reason, at, [...UPSTREAM_DELETION_PROVIDERS]],
      tx,
    );
  }

  async claim(now: Date, leaseUntil: Date, impUid?: string): Promise<ClaimedDeletion | null> {
    const params: unknown[] = [now, leaseUntil];
    if (impUid !== undefined) params.push(impUid);
    // SKIP LOCKED: instances running the worker at once never take the same row.
    const rows = await this.db.query<{ id: string; imp_uid: string; attempts: number }>(
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
    const row = rows[0];
    return row ? { id: row.id, impUid: row.imp_uid, attempts: row.attempts } : null;
  }

  async isCompleted(impUid: string): Promise<boolean> {
    const rows = await this.db.query<{ completed_at: Date | null }>(
      `SELECT completed_at FROM upstream_deletions WHERE imp_uid = $1`,
      [impUid],
    );
    return Boolean(rows[0]?.completed_at);
  }

  async findState(impUid: string, tx?: Transaction): Promise<UpstreamDeletionState | null> {
    const rows = await this.db.query<{ attempts: number; next_attempt_at: Date; completed_at: Date | null }>(
      `SELECT attempts, next_attempt_at, completed_at FROM upstream_deletions WHERE imp_uid = $1`,
      [impUid],
      tx,
    );
    const row = rows[0];
    return row ? { attempts: row.attempts, nextAttemptAt: row.next_attempt_at, completedAt: row.completed_at } : null;
  }

  async reschedule(id: string, nextAttemptAt: Date, lastError: string): Promise<void> {
    await this.db.query(`UPDATE upstream_deletions SET next_attempt_at = $2, last_error = $3 WHERE id = $1::bigint`, [
      id, nextAttemptAt, lastError,
    ]);
  }

  async complete(id: string, at: Date, note: string | null): Promise<void> {
    await this.db.query(`UPDATE upstream_deletions SET completed_at = $2, last_error = $3 WHERE id = $1::bigint`, [id, at, note]);
  }

  // ---- retention (libs/admin RetentionService)

  async countFinishedBefore(cutoff: Date): Promise<number> {
    const rows = await this.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM upstream_deletions WHERE completed_at < $1`,
      [cutoff],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Deletes up to `limit` rows completed before `cutoff`; answers how many. */
  deleteFinishedBefore(cutoff: Date, limit: number): Promise<number> {
    return deleteOldestBefore(this.db, { table: 'upstream_deletions', column: 'completed_at' }, cutoff, limit);
  }
}
