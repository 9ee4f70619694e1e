import type { Database, Transaction } from '@app/common';
import type { AuditAction, AuditResult, AuditSubjectType } from '../entities/audit-log.entity';
import { deleteOldestBefore } from './batched-delete.repository';

export interface AuditEntry {
  keyId: string;
  action: AuditAction;
  subjectType: AuditSubjectType;
  subjectId: string | null;
  result: AuditResult;
  clientIp: string | null;
  requestId: string | null;
  occurredAt?: Date;
}

/** A row of `audit_log`; `cursorT` is `occurred_at` with microseconds, for keyset cursors. */
export interface AuditRecord {
  id: string;
  occurredAt: Date;
  cursorT: string;
  keyId: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  result: string;
  clientIp: string | null;
  requestId: string | null;
}

export interface AuditLogFilter {
  keyId?: string;
  action?: string;
  subjectId?: string;
  /** Rows strictly older than this (occurred_at, id). */
  before?: { t: string; id: string };
  limit: number;
}

/** What services need of the audit_log table (in-memory fakes implement it in unit specs). */
export interface AuditLogStore {
  record(entry: AuditEntry, tx?: Transaction): Promise<void>;
  /** One row per subject id, same key, action and result. */
  recordMany(entry: Omit<AuditEntry, 'subjectId'>, subjectIds: readonly string[], tx?: Transaction): Promise<void>;
  /** Newest first by (occurred_at, id). */
  list(filter: AuditLogFilter, tx?: Transaction): Promise<AuditRecord[]>;
}

interface AuditRow {
  id: string;
  occurred_at: Date;
  cursor_t: string;
  key_id: string;
  action: string;
  subject_type: string;
  subject_id: string | null;
  result: string;
  client_ip: string | null;
  request_id: string | null;
}

// cursor_t: microseconds (a JavaScript Date has milliseconds only), the format cursor.ts decodes.
const AUDIT_COLUMNS = `id::text AS id, occurred_at,
       to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_t, key_id, action,
       subject_type, subject_id, result, host(client_ip) AS client_ip, request_id`;

/** The `audit_log` table (owned by libs/admin): writes join the caller's transaction. */
export class AuditLogRepository implements AuditLogStore {
  constructor(private readonly db: Database) {}

  async record(entry: AuditEntry, tx?: Transaction): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log (occurred_at, key_id, action, subject_type, subject_id, result, client_ip, request_id)
       VALUES (COALESCE($1::timestamptz, now()), $2, $3, $4, $5, $6, $7::inet, $8)`,
      [
        entry.occurredAt ?? null,
        entry.keyId,
        entry.action,
        entry.subjectType,
        entry.subjectId,
        entry.result,
        entry.clientIp,
        entry.requestId?.slice(0, 128) ?? null,
      ],
      tx,
    );
  }

  async recordMany(entry: Omit<AuditEntry, 'subjectId'>, subjectIds: readonly string[], tx?: Transaction): Promise<void> {
    if (subjectIds.length === 0) return;
    await this.db.query(
      `INSERT INTO audit_log (occurred_at, key_id, action, subject_type, subject_id, result, client_ip, request_id)
       SELECT COALESCE($1::timestamptz, now()), $2, $3, $4, s, $5, $6::inet, $7 FROM unnest($8::text[]) AS s`,
      [
        entry.occurredAt ?? null,
        entry.keyId,
        entry.action,
        entry.subjectType,
        entry.result,
        entry.clientIp,
        entry.requestId ?? null,
        [...subjectIds],
      ],
      tx,
    );
  }

  async list(filter: AuditLogFilter, tx?: Transaction): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.keyId !== undefined) where.push(`key_id = ${param(filter.keyId)}`);
    if (filter.action !== undefined) where.push(`action = ${param(filter.action)}`);
    if (filter.subjectId !== undefined) where.push(`subject_id = ${param(filter.subjectId)}`);
    if (filter.before !== undefined) {
      where.push(`(occurred_at, id) < (${param(filter.before.t)}::timestamptz, ${param(filter.before.id)}::bigint)`);
    }
    const rows = await this.db.query<AuditRow>(
      `SELECT ${AUDIT_COLUMNS}
         FROM audit_log
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY occurred_at DESC, id DESC
        LIMIT ${param(filter.limit)}`,
      params,
      tx,
    );
    return rows.map(toAuditRecord);
  }

  // ---- retention (libs/admin RetentionService)

  async countOlderThan(cutoff: Date): Promise<number> {
    const rows = await this.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM audit_log WHERE occurred_at < $1`, [cutoff]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Deletes up to `limit` of the oldest rows older than `cutoff`; answers how many. */
  deleteOlderThan(cutoff: Date, limit: number): Promise<number> {
    return deleteOldestBefore(this.db, { table: 'audit_log', column: 'occurred_at' }, cutoff, limit);
  }

  /** Erasures recorded since `since` (accounts and verifications), oldest first: what `erasures:replay` re-applies. */
  async listErasuresSince(since: Date): Promise<Array<{ action: string; subjectId: string; occurredAt: Date }>> {
    const rows = await this.db.query<{ action: string; subject_id: string; occurred_at: Date }>(
      `SELECT action, subject_id, occurred_at FROM audit_log
        WHERE occurred_at >= $1 AND subject_id IS NOT NULL
          AND ((action = 'user.erase' AND result IN ('ok', 'already_erased'))
            OR action IN ('certification.erase', 'certification.retention_erase'))
        ORDER BY occurred_at, id`,
      [since],
    );
    return rows.map((r) => ({ action: r.action, subjectId: r.subject_id, occurredAt: r.occurred_at }));
  }
}

function toAuditRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    cursorT: row.cursor_t,
    keyId: row.key_id,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    result: row.result,
    clientIp: row.client_ip,
    requestId: row.request_id,
  };
}
