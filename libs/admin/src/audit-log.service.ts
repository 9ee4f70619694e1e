import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { cursorTimestampSql, decodeCursor, encodeCursor } from './cursor';
import type { AuditAction, AuditResult, AuditSubjectType } from './entities/audit-log.entity';

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

export interface AuditLogView {
  id: string;
  occurred_at: string;
  key_id: string;
  action: string;
  subject_type: string;
  subject_id: string | null;
  result: string;
  client_ip: string | null;
  request_id: string | null;
}

export interface AuditLogQuery {
  key_id?: string;
  action?: string;
  subject_id?: string;
  limit: number;
  cursor?: string;
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

/** Writes audit rows (inside the caller's transaction) and lists them, newest first. */
@Injectable()
export class AuditLogService {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts one row with the caller's EntityManager, i.e. in the caller's transaction. */
  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    await manager.query(
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
    );
  }

  /** One row per subject id, same key, action and result (the retention job's batches). */
  async recordMany(
    manager: EntityManager,
    entry: Omit<AuditEntry, 'subjectId'>,
    subjectIds: readonly string[],
  ): Promise<void> {
    if (subjectIds.length === 0) return;
    await manager.query(
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
    );
  }

  async list(query: AuditLogQuery): Promise<{ items: AuditLogView[]; next_cursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.key_id !== undefined) where.push(`key_id = ${param(query.key_id)}`);
    if (query.action !== undefined) where.push(`action = ${param(query.action)}`);
    if (query.subject_id !== undefined) where.push(`subject_id = ${param(query.subject_id)}`);
    if (query.cursor !== undefined) {
      const cursor = decodeCursor('audit', query.cursor);
      where.push(`(occurred_at, id) < (${param(cursor.t)}::timestamptz, ${param(cursor.id)}::bigint)`);
    }
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT id::text AS id, occurred_at, ${cursorTimestampSql('occurred_at')} AS cursor_t, key_id, action,
              subject_type, subject_id, result, host(client_ip) AS client_ip, request_id
         FROM audit_log
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY occurred_at DESC, id DESC
        LIMIT ${param(query.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        id: r.id,
        occurred_at: r.occurred_at.toISOString(),
        key_id: r.key_id,
        action: r.action,
        subject_type: r.subject_type,
        subject_id: r.subject_id,
        result: r.result,
        client_ip: r.client_ip,
        request_id: r.request_id,
      })),
      next_cursor: rows.length > query.limit && last ? encodeCursor('audit', { t: last.cursor_t, id: last.id }) : null,
    };
  }
}
