import { Logger } from '@nestjs/common';
import { IamportApiError, IamportCircuitOpenError, IamportNetworkError, type IamportClient } from '@app/iamport';
import { PiiCipher, generateKeyMaterial } from '@app/pii';
import { CertificationNotFoundError } from './admin.errors';
import { resolveAdminOptions } from './admin.options';
import type { AdminRequestContext } from './admin-request';
import { AdminErasureService } from './admin-erasure.service';
import { CertificationRecords } from './certification-records';
import {
  InMemoryAccounts,
  InMemoryAuditLog,
  InMemoryCertifications,
  InMemoryDatabase,
  InMemoryUpstreamDeletions,
  InMemoryVerificationTokens,
  certificationRow,
} from './testing/in-memory-stores';

const NOW = new Date('2026-02-01T00:00:00Z');
const ctx: AdminRequestContext = { principal: { keyId: 'ops', scopes: new Set(['verifications:erase']) }, clientIp: '10.0.0.1', requestId: 'req-1' };

/** Upstream DELETE: answers the queued outcomes in order, then succeeds. */
class FakeUpstream {
  readonly deleted: string[] = [];
  readonly outcomes: Error[] = [];
  async deleteCertification(impUid: string): Promise<void> {
    this.deleted.push(impUid);
    const next = this.outcomes.shift();
    if (next) throw next;
  }
}

describe('AdminErasureService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  let db: InMemoryDatabase;
  let certifications: InMemoryCertifications;
  let tokens: InMemoryVerificationTokens;
  let deletions: InMemoryUpstreamDeletions;
  let audit: InMemoryAuditLog;
  let upstream: FakeUpstream;
  let service: AdminErasureService;

  beforeEach(() => {
    db = new InMemoryDatabase();
    certifications = new InMemoryCertifications();
    tokens = new InMemoryVerificationTokens();
    deletions = new InMemoryUpstreamDeletions();
    audit = new InMemoryAuditLog();
    upstream = new FakeUpstream();
    const options = resolveAdminOptions({ apiKeys: '', clock: () => NOW, upstreamRetryBaseDelayMs: 1_000, upstreamRetryMaxDelayMs: 4_000 });
    const records = new CertificationRecords(certifications, new InMemoryAccounts(), deletions);
    service = new AdminErasureService(
      options, db, certifications, tokens, records, deletions, audit, upstream as unknown as IamportClient, PiiCipher.fromConfig(generateKeyMaterial().encryptionKeys),
    );
  });

  it('erases in one transaction (tombstone, outbox row, audit row), then deletes upstream at once', async () => {
    const row = certificationRow({ nameEnc: 'x', ciEnc: 'y' });
    certifications.rows.push(row);
    const tombstone = await service.erase(row.impUid, ctx);
    expect(db.committed).toBe(1);
    const [lock, erase] = certifications.writes;
    expect(erase.tx).toBe(lock.tx);
    expect(audit.entries).toEqual([
      expect.objectContaining({ action: 'certification.erase', subjectId: row.impUid, result: 'ok', keyId: 'ops', occurredAt: NOW, tx: lock.tx }),
    ]);
    expect(tokens.expired).toEqual([row.id]);
    expect(tokens.transactions).toEqual([lock.tx]);
    expect(upstream.deleted).toEqual([row.impUid]);
    expect(tombstone).toMatchObject({ imp_uid: row.impUid, erased: true, name: null, birthday: null, revealed: false });
    expect(await deletions.isCompleted(row.impUid)).toBe(true);
  });

  it('is idempotent: erasing again is audited as already_erased and queues nothing new', async () => {
    const row = certificationRow();
    certifications.rows.push(row);
    await service.erase(row.impUid, ctx);
    await service.erase(row.impUid, ctx);
    expect(audit.entries.map((e) => e.result)).toEqual(['ok', 'already_erased']);
    expect(deletions.rows).toHaveLength(1);
    expect(upstream.deleted).toHaveLength(1);
  });

  it('an unknown imp_uid is 404 and writes nothing', async () => {
    await expect(service.erase('imp_000000000000', ctx)).rejects.toBeInstanceOf(CertificationNotFoundError);
    expect(audit.entries).toEqual([]);
    expect(deletions.rows).toEqual([]);
  });

  it('the worker backs off exponentially, counts a 404 upstream as done, and stops when the breaker is open', async () => {
    await deletions.enqueue(['imp_a', 'imp_b'], 'retention', NOW);
    upstream.outcomes.push(
      new IamportNetworkError({ operation: 'deleteCertification', errorCode: 'ECONNRESET' }),
      new IamportApiError({ operation: 'deleteCertification', httpStatus: 404 }),
    );
    expect(await service.processPendingUpstreamDeletions(NOW)).toEqual({ attempted: 2, completed: 1, failed: 1 });
    const failed = deletions.rows.find((r) => r.impUid === 'imp_a')!;
    expect(failed).toMatchObject({ attempts: 1, lastError: 'IamportNetworkError', nextAttemptAt: new Date(NOW.getTime() + 1_000) });
    expect(deletions.rows.find((r) => r.impUid === 'imp_b')).toMatchObject({ lastError: 'not found upstream (already erased)' });

    upstream.outcomes.push(new IamportApiError({ operation: 'deleteCertification', httpStatus: 503 }));
    await service.processPendingUpstreamDeletions(new Date(NOW.getTime() + 1_000));
    expect(failed).toMatchObject({ attempts: 2, lastError: 'IamportApiError HTTP 503', nextAttemptAt: new Date(NOW.getTime() + 3_000) });
    for (const [attempts, at, delay] of [[3, 3_000, 4_000], [4, 7_000, 4_000]]) {
      upstream.outcomes.push(new IamportApiError({ operation: 'deleteCertification', httpStatus: 503 }));
      await service.processPendingUpstreamDeletions(new Date(NOW.getTime() + at));
      expect(failed).toMatchObject({ attempts, nextAttemptAt: new Date(NOW.getTime() + at + delay) }); // doubled, then capped
    }

    await deletions.enqueue(['imp_c'], 'admin', NOW);
    upstream.outcomes.push(new IamportCircuitOpenError({ operation: 'deleteCertification', retryAfterMs: 5_000 }));
    expect(await service.processPendingUpstreamDeletions(new Date(NOW.getTime() + 60_000))).toEqual({ attempted: 1, completed: 0, failed: 1 });
  });
});
