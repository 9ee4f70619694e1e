import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedStatementFor, queryPrepared } from '@app/common';
import { BlindIndex, PiiCipher } from '@app/pii';
import type { CertificationFlow, CertificationStatus } from '@app/certification';
import { normalizePhone } from '@app/certification';
import { CertificationNotFoundError, invalidField } from './admin.errors';
import type { AdminRequestContext } from './admin-request';
import { AuditLogService } from './audit-log.service';
import { cursorTimestampSql, decodeCursor, encodeCursor } from './cursor';
import {
  CERTIFICATION_COLUMNS,
  toDetail,
  toListItem,
  type CertificationDetail,
  type CertificationListItem,
  type CertificationRow,
} from './views';

export interface ListCertificationsQuery {
  status?: CertificationStatus;
  flow?: CertificationFlow;
  /** Inclusive lower bound on created_at (ISO 8601; a date alone is 00:00 Asia/Seoul). */
  from?: string;
  /** Exclusive upper bound on created_at. */
  to?: string;
  phone?: string;
  limit: number;
  cursor?: string;
}

export interface CertificationPage {
  items: CertificationListItem[];
  next_cursor: string | null;
}

/** Read side of the admin API for verifications: the keyset list, one record, the audited reveal. */
@Injectable()
export class AdminCertificationsService {
  private readonly logger = new Logger('AdminCertifications');

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
    private readonly blindIndex: BlindIndex,
    private readonly audit: AuditLogService,
  ) {}

  /**
   * Newest first by (created_at, id). Every filter is an index prefix or range of one of
   * (created_at, id), (status, created_at, id), (flow, created_at, id), (phone_bidx, created_at, id).
   */
  async list(query: ListCertificationsQuery): Promise<CertificationPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.status !== undefined) where.push(`c.status = ${param(query.status)}`);
    if (query.flow !== undefined) where.push(`c.flow = ${param(query.flow)}`);
    const from = query.from !== undefined ? parseInstant('from', query.from) : undefined;
    const to = query.to !== undefined ? parseInstant('to', query.to) : undefined;
    if (from && to && from.getTime() >= to.getTime()) throw invalidField('to', 'to must be later than from');
    if (from) where.push(`c.created_at >= ${param(from.toISOString())}::timestamptz`);
    if (to) where.push(`c.created_at < ${param(to.toISOString())}::timestamptz`);
    if (query.phone !== undefined) {
      const phone = normalizePhone(query.phone);
      if (phone === null) throw invalidField('phone', 'phone must be a Korean mobile number');
      // char(64) on both sides, or PostgreSQL compares as text and cannot use the index.
      where.push(`c.phone_bidx = ${param(this.blindIndex.compute('phone', phone))}::char(64)`);
    }
    if (query.cursor !== undefined) {
      const cursor = decodeCursor('certifications', query.cursor);
      where.push(`(c.created_at, c.id) < (${param(cursor.t)}::timestamptz, ${param(cursor.id)}::uuid)`);
    }
    // One text per combination of filters (values are parameters): each a prepared statement.
    const text = `SELECT ${CERTIFICATION_COLUMNS}, ${cursorTimestampSql('c.created_at')} AS cursor_t
         FROM certifications c
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.created_at DESC, c.id DESC
        LIMIT ${param(query.limit + 1)}`;
    const rows = await queryPrepared<CertificationRow>(this.dataSource, preparedStatementFor('admin_list', text), params);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => toListItem(row, this.cipher, this.logger)),
      next_cursor:
        rows.length > query.limit && last ? encodeCursor('certifications', { t: last.cursor_t, id: last.id }) : null,
    };
  }

  /** One verification, masked. @throws CertificationNotFoundError */
  async get(impUid: string): Promise<CertificationDetail> {
    const row = await this.findRow(this.dataSource.manager, impUid, false);
    if (!row) throw new CertificationNotFoundError();
    return toDetail(row, this.cipher, this.logger, false);
  }

  /**
   * One verification with its full personal data (name, phone, CI, DI). The read and its audit
   * row are one transaction: no reveal without its audit row. @throws CertificationNotFoundError
   */
  async reveal(impUid: string, ctx: AdminRequestContext): Promise<CertificationDetail> {
    const row = await this.dataSource.transaction(async (manager) => {
      const found = await this.findRow(manager, impUid, true);
      if (!found) throw new CertificationNotFoundError();
      await this.audit.record(manager, {
        keyId: ctx.principal.keyId,
        action: 'certification.reveal',
        subjectType: 'certification',
        subjectId: found.imp_uid,
        result: 'ok',
        clientIp: ctx.clientIp,
        requestId: ctx.requestId,
      });
      return found;
    });
    return toDetail(row, this.cipher, this.logger, true);
  }

  /** The row with its user and upstream deletion state; CI and DI only when asked for. */
  async findRow(manager: EntityManager, impUid: string, withIdentity: boolean): Promise<CertificationRow | null> {
    const rows: CertificationRow[] = await manager.query(
      `SELECT ${CERTIFICATION_COLUMNS}, ${withIdentity ? 'c.ci_enc, c.di_enc,' : ''}
              ${cursorTimestampSql('c.created_at')} AS cursor_t,
              u.id AS user_id, d.attempts AS upstream_attempts, d.completed_at AS upstream_completed_at,
              d.next_attempt_at AS upstream_next_attempt_at
         FROM certifications c
         LEFT JOIN users u ON u.certification_id = c.id
         LEFT JOIN upstream_deletions d ON d.imp_uid = c.imp_uid
        WHERE c.imp_uid = $1`,
      [impUid],
    );
    return rows[0] ?? null;
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An ISO 8601 instant (`2025-01-02T03:04:05Z`, `...+09:00`); a date alone means 00:00 in
 * Asia/Seoul (Korea has no daylight saving time, so that is +09:00). A date-time without an
 * offset is refused: it would be read in some server time zone.
 */
function parseInstant(field: 'from' | 'to', value: string): Date {
  let text = value.trim();
  if (DATE_ONLY.test(text)) text = `${text}T00:00:00+09:00`;
  else if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
    throw invalidField(field, `${field} must be an ISO 8601 date or a date-time with a time zone offset`);
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 9999) {
    throw invalidField(field, `${field} must be a valid ISO 8601 date or date-time`);
  }
  return date;
}
