import { Inject, Injectable } from '@nestjs/common';
import type { Database } from '@app/common';
import { ADMIN_DATABASE } from './admin.constants';
import type { AdminRequestContext } from './admin-request';
import { decodeCursor, encodeCursor } from './cursor';
import { AuditLogRepository, type AuditLogStore } from './repositories/audit-log.repository';

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

/**
 * The audit log, newest first (the audited operations write it through AuditLogRepository).
 * Reading it is audited too, in the read's transaction: who watched the watchers.
 */
@Injectable()
export class AuditLogService {
  constructor(
    @Inject(ADMIN_DATABASE) private readonly db: Pick<Database, 'transaction'>,
    @Inject(AuditLogRepository) private readonly audit: AuditLogStore,
  ) {}

  async list(query: AuditLogQuery, ctx: AdminRequestContext): Promise<{ items: AuditLogView[]; next_cursor: string | null }> {
    const before = query.cursor !== undefined ? decodeCursor('audit', query.cursor) : undefined;
    const filter = { keyId: query.key_id, action: query.action, subjectId: query.subject_id, before, limit: query.limit + 1 };
    const rows = await this.db.transaction(async (tx) => {
      const found = await this.audit.list(filter, tx);
      await this.audit.record(
        {
          keyId: ctx.principal.keyId,
          action: 'audit.read',
          subjectType: 'audit',
          subjectId: query.subject_id?.slice(0, 64) ?? null,
          result: 'ok',
          clientIp: ctx.clientIp,
          requestId: ctx.requestId,
        },
        tx,
      );
      return found;
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        id: r.id,
        occurred_at: r.occurredAt.toISOString(),
        key_id: r.keyId,
        action: r.action,
        subject_type: r.subjectType,
        subject_id: r.subjectId,
        result: r.result,
        client_ip: r.clientIp,
        request_id: r.requestId,
      })),
      next_cursor: rows.length > query.limit && last ? encodeCursor('audit', { t: last.cursorT, id: last.id }) : null,
    };
  }
}
