// In-memory fakes of the admin repositories for the unit specs beside the services.
import { randomUUID } from 'node:crypto';
import type { Database, Transaction } from '@app/common';
import type { UpstreamDeletionReason } from '../entities/upstream-deletion.entity';
import type { AuditEntry, AuditLogFilter, AuditLogStore, AuditRecord } from '../repositories/audit-log.repository';
import type {
  AdminCertificationStore,
  CertificationListFilter,
  CertificationRow,
} from '../repositories/certification-queries.repository';
import type { ClaimedDeletion, UpstreamDeletionStore } from '../repositories/upstream-deletion.repository';

/** Runs the work at once; `open` is the transaction in progress, `committed` counts the ones that returned. */
export class InMemoryDatabase implements Pick<Database, 'transaction'> {
  open: Transaction | null = null;
  committed = 0;

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const tx = { manager: {} } as Transaction;
    this.open = tx;
    try {
      const result = await work(tx);
      this.committed++;
      return result;
    } finally {
      this.open = null;
    }
  }
}

export function certificationRow(overrides: Partial<CertificationRow> = {}): CertificationRow {
  const created = overrides.created_at ?? new Date('2026-01-01T00:00:00Z');
  return {
    id: randomUUID(),
    imp_uid: `imp_${Math.random().toString().slice(2, 14)}`,
    merchant_uid: null,
    flow: 'otp',
    status: 'verified',
    name_enc: null,
    phone_enc: null,
    ci_enc: null,
    di_enc: null,
    birthday: '1990-01-01',
    gender: 'male',
    foreigner: false,
    carrier: 'SKT',
    created_at: created,
    updated_at: created,
    certified_at: created,
    used_at: null,
    pii_erased_at: null,
    cursor_t: created.toISOString().replace('Z', '000Z'),
    ...overrides,
  };
}

export class InMemoryCertifications implements AdminCertificationStore {
  readonly rows: CertificationRow[] = [];
  readonly filters: CertificationListFilter[] = [];
  /** Certification ids whose unused tokens were expired. */
  readonly tokensExpired: string[] = [];
  readonly writes: Array<{ op: string; tx: Transaction }> = [];

  async list(filter: CertificationListFilter): Promise<CertificationRow[]> {
    this.filters.push(filter);
    return this.rows
      .filter((r) => filter.status === undefined || r.status === filter.status)
      .filter((r) => !filter.before || r.cursor_t < filter.before.t || (r.cursor_t === filter.before.t && r.id < filter.before.id))
      .sort((a, b) => (a.cursor_t === b.cursor_t ? (a.id < b.id ? 1 : -1) : a.cursor_t < b.cursor_t ? 1 : -1))
      .slice(0, filter.limit);
  }

  async findByImpUid(impUid: string, withIdentity: boolean): Promise<CertificationRow | null> {
    const row = this.rows.find((r) => r.imp_uid === impUid);
    if (!row) return null;
    return withIdentity ? { ...row } : { ...row, ci_enc: undefined, di_enc: undefined };
  }

  async lockForErase(impUid: string, tx: Transaction): Promise<{ id: string; impUid: string; piiErasedAt: Date | null } | null> {
    this.writes.push({ op: 'lock', tx });
    const row = this.rows.find((r) => r.imp_uid === impUid);
    return row ? { id: row.id, impUid: row.imp_uid, piiErasedAt: row.pii_erased_at } : null;
  }

  async erasePii(ids: readonly string[], at: Date, tx: Transaction): Promise<string[]> {
    this.writes.push({ op: 'erase', tx });
    const erased: string[] = [];
    for (const row of this.rows) {
      if (!ids.includes(row.id) || row.pii_erased_at !== null) continue;
      Object.assign(row, { name_enc: null, phone_enc: null, ci_enc: null, di_enc: null, birthday: null, gender: null, foreigner: null, carrier: null, pii_erased_at: at, updated_at: at });
      erased.push(row.imp_uid);
    }
    this.tokensExpired.push(...ids);
    return erased;
  }

  private eligible(cutoff: Date): CertificationRow[] {
    return this.rows.filter((r) => r.pii_erased_at === null && r.status !== 'used' && r.created_at < cutoff);
  }

  async countRetentionEligible(cutoff: Date): Promise<number> {
    return this.eligible(cutoff).length;
  }

  async lockRetentionBatch(cutoff: Date, limit: number, tx: Transaction): Promise<string[]> {
    this.writes.push({ op: 'lock-batch', tx });
    return this.eligible(cutoff)
      .sort((a, b) => a.created_at.getTime() - b.created_at.getTime())
      .slice(0, limit)
      .map((r) => r.id);
  }
}

interface Deletion {
  id: string;
  impUid: string;
  reason: UpstreamDeletionReason;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  completedAt: Date | null;
}

export class InMemoryUpstreamDeletions implements UpstreamDeletionStore {
  readonly rows: Deletion[] = [];

  async enqueue(impUids: readonly string[], reason: UpstreamDeletionReason, at: Date): Promise<void> {
    for (const impUid of impUids) {
      if (this.rows.some((r) => r.impUid === impUid)) continue;
      this.rows.push({ id: String(this.rows.length + 1), impUid, reason, attempts: 0, nextAttemptAt: at, lastError: null, completedAt: null });
    }
  }

  async claim(now: Date, leaseUntil: Date, impUid?: string): Promise<ClaimedDeletion | null> {
    const row = this.rows
      .filter((r) => r.completedAt === null && r.nextAttemptAt <= now && (impUid === undefined || r.impUid === impUid))
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())[0];
    if (!row) return null;
    row.attempts++;
    row.nextAttemptAt = leaseUntil;
    return { id: row.id, impUid: row.impUid, attempts: row.attempts };
  }

  async isCompleted(impUid: string): Promise<boolean> {
    return Boolean(this.rows.find((r) => r.impUid === impUid)?.completedAt);
  }

  async reschedule(id: string, nextAttemptAt: Date, lastError: string): Promise<void> {
    Object.assign(this.rows.find((r) => r.id === id)!, { nextAttemptAt, lastError });
  }

  async complete(id: string, at: Date, note: string | null): Promise<void> {
    Object.assign(this.rows.find((r) => r.id === id)!, { completedAt: at, lastError: note });
  }
}

export class InMemoryAuditLog implements AuditLogStore {
  readonly entries: Array<AuditEntry & { tx?: Transaction }> = [];
  readonly filters: AuditLogFilter[] = [];
  records: AuditRecord[] = [];

  async record(entry: AuditEntry, tx?: Transaction): Promise<void> {
    this.entries.push({ ...entry, tx });
  }

  async recordMany(entry: Omit<AuditEntry, 'subjectId'>, subjectIds: readonly string[], tx?: Transaction): Promise<void> {
    for (const subjectId of subjectIds) this.entries.push({ ...entry, subjectId, tx });
  }

  async list(filter: AuditLogFilter): Promise<AuditRecord[]> {
    this.filters.push(filter);
    return this.records.slice(0, filter.limit);
  }
}
