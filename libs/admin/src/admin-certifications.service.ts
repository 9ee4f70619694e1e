import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Database, Transaction } from '@app/common';
import { BlindIndex, PiiCipher } from '@app/pii';
import {
  CertificationRepository,
  normalizePhone,
  type CertificationFlow,
  type CertificationStatus,
  type CertificationStore,
} from '@app/certification';
import { CertificationNotFoundError, invalidField } from './admin.errors';
import { ADMIN_DATABASE } from './admin.constants';
import type { AdminRequestContext } from './admin-request';
import { CertificationRecords } from './certification-records';
import { decodeCursor, encodeCursor } from './cursor';
import { AuditLogRepository, type AuditLogStore } from './repositories/audit-log.repository';
import { toDetail, toListItem, type CertificationDetail, type CertificationListItem } from './views';

export interface ListCertificationsQuery {
  status?: CertificationStatus;
  flow?: CertificationFlow;
  provider?: 'iamport' | 'portone';
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
    @Inject(ADMIN_DATABASE) private readonly db: Pick<Database, 'transaction'>,
    @Inject(CertificationRepository) private readonly certifications: Pick<CertificationStore, 'list'>,
    private readonly records: CertificationRecords,
    @Inject(AuditLogRepository) private readonly audit: AuditLogStore,
    private readonly cipher: PiiCipher,
    private readonly blindIndex: BlindIndex,
  ) {}

  /**
   * Newest first by (created_at, id), masked. Filtered by phone, the read and its audit row (one
   * per verification found, or one `not_found`) are one transaction: guessing a number from its
   * masked form leaves a trail (and the key's rate limit slows it).
   */
  async list(query: ListCertificationsQuery, ctx: AdminRequestContext): Promise<CertificationPage> {
    const from = query.from !== undefined ? parseInstant('from', query.from) : undefined;
    const to = query.to !== undefined ? parseInstant('to', query.to) : undefined;
    if (from && to && from.getTime() >= to.getTime()) throw invalidField('to', 'to must be later than from');
    let phoneBidx: string | undefined;
    if (query.phone !== undefined) {
      const phone = normalizePhone(query.phone);
      if (phone === null) throw invalidField('phone', 'phone must be a Korean mobile number');
      phoneBidx = this.blindIndex.compute('phone', phone);
    }
    const before = query.cursor !== undefined ? decodeCursor('certifications', query.cursor) : undefined;
    const filter = { status: query.status, flow: query.flow, provider: query.provider, from, to, phoneBidx, before, limit: query.limit + 1 };
    const rows =
      phoneBidx === undefined
        ? await this.certifications.list(filter)
        : await this.db.transaction(async (tx) => {
            const found = await this.certifications.list(filter, tx);
            await this.auditPhoneSearch(found.slice(0, query.limit).map((row) => row.impUid), ctx, tx);
            return found;
          });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => toListItem(row, this.cipher, this.logger)),
      next_cursor:
        rows.length > query.limit && last ? encodeCursor('certifications', { t: last.cursorT, id: last.id }) : null,
    };
  }

  private async auditPhoneSearch(impUids: string[], ctx: AdminRequestContext, tx: Transaction): Promise<void> {
    const entry = {
      keyId: ctx.principal.keyId,
      action: 'certification.phone_search',
      subjectType: 'certification',
      clientIp: ctx.clientIp,
      requestId: ctx.requestId,
    } as const;
    if (impUids.length === 0) await this.audit.record({ ...entry, subjectId: null, result: 'not_found' }, tx);
    else await this.audit.recordMany({ ...entry, result: 'ok' }, impUids, tx);
  }

  /** One verification, masked. @throws CertificationNotFoundError */
  async get(impUid: string): Promise<CertificationDetail> {
    const record = await this.records.find(impUid, { withIdentity: false });
    if (!record) throw new CertificationNotFoundError();
    return toDetail(record, this.cipher, this.logger, false);
  }

  /**
   * One verification with its full personal data (name, phone, CI, DI). The read and its audit
   * row are one transaction: no reveal without its audit row. @throws CertificationNotFoundError
   */
  async reveal(impUid: string, ctx: AdminRequestContext): Promise<CertificationDetail> {
    const record = await this.db.transaction(async (tx) => {
      const found = await this.records.find(impUid, { withIdentity: true, tx });
      if (!found) throw new CertificationNotFoundError();
      await this.audit.record(
        {
          keyId: ctx.principal.keyId,
          action: 'certification.reveal',
          subjectType: 'certification',
          subjectId: found.certification.impUid,
          result: 'ok',
          clientIp: ctx.clientIp,
          requestId: ctx.requestId,
        },
        tx,
      );
      return found;
    });
    return toDetail(record, this.cipher, this.logger, true);
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An ISO 8601 instant; a date alone means 00:00 in Asia/Seoul (+09:00, no daylight saving time).
 * A date-time without an offset is refused: it would be read in some server time zone.
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
