// In-memory fakes of the admin repositories for the unit specs beside the services.
import { randomUUID } from 'node:crypto';
import type { Database, Transaction } from '@app/common';
import type { UpstreamDeletionReason } from '../entities/upstream-deletion.entity';
import {
  withoutIdentity,
  type Certification,
  type CertificationListFilter,
  type CertificationStore,
  type ListedCertification,
  type RetentionCutoffs,
  type RetentionDueCounts,
  type ShownCertification,
  type VerificationTokenStore,
} from '@app/certification';
import type { UserStore } from '@app/user';
import type { AuditEntry, AuditLogFilter, AuditLogStore, AuditRecord } from '../repositories/audit-log.repository';
import type { ClaimedDeletion, UpstreamDeletionState, UpstreamDeletionStore } from '../repositories/upstream-deletion.repository';

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

export function certificationRow(overrides: Partial<Certification> = {}): Certification {
  const created = overrides.createdAt ?? new Date('2026-01-01T00:00:00Z');
  return {
    id: randomUUID(),
    impUid: `imp_${Math.random().toString().slice(2, 14)}`,
    merchantUid: null,
    flow: 'otp',
    status: 'verified',
    otpAttempts: 0,
    otpExpiresAt: null,
    nameEnc: null,
    phoneEnc: null,
    phoneBidx: null,
    ciEnc: null,
    ciBidx: null,
    diEnc: null,
    diBidx: null,
    provider: 'iamport',
    birthday: '1990-01-01',
    gender: 'male',
    foreigner: false,
    carrier: 'SKT',
    createdAt: created,
    updatedAt: created,
    certifiedAt: created,
    usedAt: null,
    piiErasedAt: null,
    ...overrides,
  };
}

/** The part of CertificationRepository the admin services use. */
export type AdminCertificationReads = Pick<
  CertificationStore,
  'list' | 'findByImpUid' | 'lockByImpUid' | 'erasePii' | 'countUnusedCreatedBefore' | 'lockUnusedCreatedBefore'
>;

export class InMemoryCertifications implements AdminCertificationReads {
  readonly rows: Certification[] = [];
  readonly filters: CertificationListFilter[] = [];
  readonly writes: Array<{ op: string; tx: Transaction }> = [];
  /** Transactions of the reads made by imp_uid (undefined: on the pool). */
  readonly reads: Array<Transaction | undefined> = [];

  /** Transactions of the list reads (undefined: on the pool). */
  readonly listTx: Array<Transaction | undefined> = [];

  async list(filter: CertificationListFilter, tx?: Transaction): Promise<ListedCertification[]> {
    this.filters.push(filter);
    this.listTx.push(tx);
    return this.rows
      .map((r) => ({ ...r, cursorT: r.createdAt.toISOString().replace('Z', '000Z') }))
      .filter((r) => filter.status === undefined || r.status === filter.status)
      .filter((r) => filter.phoneBidx === undefined || r.phoneBidx === filter.phoneBidx)
      .filter((r) => !filter.before || r.cursorT < filter.before.t || (r.cursorT === filter.before.t && r.id < filter.before.id))
      .sort((a, b) => (a.cursorT === b.cursorT ? (a.id < b.id ? 1 : -1) : a.cursorT < b.cursorT ? 1 : -1))
      .slice(0, filter.limit)
      .map((r) => withoutIdentity(r));
  }

  async findByImpUid(impUid: string, tx?: Transaction): Promise<Certification | null> {
    this.reads.push(tx);
    const row = this.rows.find((r) => r.impUid === impUid);
    return row ? { ...row } : null;
  }

  async findShownByImpUid(impUid: string, tx?: Transaction): Promise<ShownCertification | null> {
    const row = await this.findByImpUid(impUid, tx);
    return row ? withoutIdentity(row) : null;
  }

  async lockByImpUid(impUid: string, tx: Transaction): Promise<Certification | null> {
    this.writes.push({ op: 'lock', tx });
    const row = this.rows.find((r) => r.impUid === impUid);
    return row ? { ...row } : null;
  }

  async erasePii(ids: readonly string[], at: Date, tx: Transaction): Promise<string[]> {
    this.writes.push({ op: 'erase', tx });
    const erased: string[] = [];
    for (const row of this.rows) {
      if (!ids.includes(row.id) || row.piiErasedAt !== null) continue;
      Object.assign(row, {
        nameEnc: null, phoneEnc: null, phoneBidx: null, ciEnc: null, ciBidx: null, diEnc: null, diBidx: null, provider: 'iamport', birthday: null, gender: null,
        foreigner: null, carrier: null, piiErasedAt: at, updatedAt: at,
      });
      erased.push(row.impUid);
    }
    return erased;
  }

  private eligible(cutoff: Date): Certification[] {
    return this.rows.filter((r) => r.piiErasedAt === null && r.status !== 'used' && r.createdAt < cutoff);
  }

  async countUnusedCreatedBefore(cutoff: Date): Promise<number> {
    return this.eligible(cutoff).length;
  }

  async lockUnusedCreatedBefore(cutoff: Date, limit: number, tx: Transaction): Promise<string[]> {
    this.writes.push({ op: 'lock-batch', tx });
    return this.eligible(cutoff)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map((r) => r.id);
  }

  /** The rules of CertificationRepository's retention statements. */
  private dueRule(r: Certification, due: RetentionCutoffs): keyof RetentionDueCounts | null {
    if (r.piiErasedAt !== null) return null;
    if (['pending', 'expired', 'locked'].includes(r.status) && r.createdAt < due.unfinishedBefore) return 'unfinished';
    if (r.status === 'verified' && r.createdAt < due.unusedBefore) return 'unused';
    if (r.status === 'used' && r.nameEnc !== null && due.usedBefore !== null && r.usedAt !== null && r.usedAt < due.usedBefore) return 'used';
    return null;
  }

  async countRetentionDue(due: RetentionCutoffs): Promise<RetentionDueCounts> {
    const counts: RetentionDueCounts = { unfinished: 0, unused: 0, used: 0 };
    for (const r of this.rows) {
      const rule = this.dueRule(r, due);
      if (rule) counts[rule]++;
    }
    return counts;
  }

  async lockRetentionDue(due: RetentionCutoffs, limit: number, tx: Transaction): Promise<string[]> {
    this.writes.push({ op: 'lock-batch', tx });
    return this.rows
      .filter((r) => this.dueRule(r, due) !== null)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map((r) => r.id);
  }
}

/** VerificationTokenRepository's expiry: records which verifications' tokens were expired, and in which transaction. */
export class InMemoryVerificationTokens implements Pick<VerificationTokenStore, 'expireUnused'> {
  /** Certification ids whose unused tokens were expired. */
  readonly expired: string[] = [];
  readonly transactions: Transaction[] = [];

  async expireUnused(certificationIds: readonly string[], _at: Date, tx: Transaction): Promise<void> {
    this.expired.push(...certificationIds);
    this.transactions.push(tx);
  }
}

/** UserRepository's lookup of the account made from a verification. */
export class InMemoryAccounts implements Pick<UserStore, 'findIdByCertificationId'> {
  /** certification id -> user id */
  readonly byCertification = new Map<string, string>();
  readonly reads: Array<Transaction | undefined> = [];

  async findIdByCertificationId(certificationId: string, tx?: Transaction): Promise<string | null> {
    this.reads.push(tx);
    return this.byCertification.get(certificationId) ?? null;
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
  readonly stateReads: Array<Transaction | undefined> = [];

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

  async findState(impUid: string, tx?: Transaction): Promise<UpstreamDeletionState | null> {
    this.stateReads.push(tx);
    const row = this.rows.find((r) => r.impUid === impUid);
    return row ? { attempts: row.attempts, nextAttemptAt: row.nextAttemptAt, completedAt: row.completedAt } : null;
  }

  async reschedule(id: string, nextAttemptAt: Date, lastError: string): Promise<void> {
    Object.assign(this.rows.find((r) => r.id === id)!, { nextAttemptAt, lastError });
  }

  async complete(id: string, at: Date, note: string | null): Promise<void> {
    Object.assign(this.rows.find((r) => r.id === id)!, { completedAt: at, lastError: note });
  }

  async countFinishedBefore(cutoff: Date): Promise<number> {
    return this.rows.filter((r) => r.completedAt !== null && r.completedAt < cutoff).length;
  }

  async deleteFinishedBefore(cutoff: Date, limit: number): Promise<number> {
    const gone = this.rows.filter((r) => r.completedAt !== null && r.completedAt < cutoff).slice(0, limit);
    for (const row of gone) this.rows.splice(this.rows.indexOf(row), 1);
    return gone.length;
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

  /** Transactions of the list reads (undefined: on the pool). */
  readonly listTx: Array<Transaction | undefined> = [];

  async list(filter: AuditLogFilter, tx?: Transaction): Promise<AuditRecord[]> {
    this.filters.push(filter);
    this.listTx.push(tx);
    return this.records.slice(0, filter.limit);
  }

  async countOlderThan(cutoff: Date): Promise<number> {
    return this.entries.filter((e) => (e.occurredAt ?? new Date()) < cutoff).length;
  }

  async deleteOlderThan(cutoff: Date, limit: number): Promise<number> {
    const gone = this.entries.filter((e) => (e.occurredAt ?? new Date()) < cutoff).slice(0, limit);
    for (const entry of gone) this.entries.splice(this.entries.indexOf(entry), 1);
    return gone.length;
  }
}
