import { Logger } from '@nestjs/common';
import { resolveAdminOptions } from './admin.options';
import { RETENTION_ACTOR, RetentionService } from './retention.service';
import {
  InMemoryAuditLog,
  InMemoryCertifications,
  InMemoryDatabase,
  InMemoryUpstreamDeletions,
  InMemoryVerificationTokens,
  certificationRow,
} from './testing/in-memory-stores';

const NOW = new Date('2026-02-01T00:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

describe('RetentionService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  const setup = (deletesUpstream: boolean) => {
    const db = new InMemoryDatabase();
    const certifications = new InMemoryCertifications();
    const deletions = new InMemoryUpstreamDeletions();
    const audit = new InMemoryAuditLog();
    const options = resolveAdminOptions({
      apiKeys: '', clock: () => NOW, unusedVerificationDays: 30, retentionBatchSize: 2, retentionDeletesUpstream: deletesUpstream,
    });
    certifications.rows.push(
      certificationRow({ createdAt: daysAgo(40) }),
      certificationRow({ createdAt: daysAgo(35), status: 'expired' }),
      certificationRow({ createdAt: daysAgo(31) }),
      certificationRow({ createdAt: daysAgo(50), status: 'used' }),
      certificationRow({ createdAt: daysAgo(10) }),
    );
    return { db, certifications, deletions, audit, service: new RetentionService(options, db, certifications, new InMemoryVerificationTokens(), deletions, audit) };
  };

  it('erases unused verifications older than the limit in batches, one audit row each, and queues their upstream deletion', async () => {
    const { db, certifications, deletions, audit, service } = setup(true);
    expect(await service.countEligible()).toBe(3);
    const run = await service.run();
    expect(run).toEqual({ cutoff: daysAgo(30).toISOString(), days: 30, erased: 3, upstream_queued: 3, batches: 2 });
    expect(db.committed).toBe(2);
    expect(certifications.rows.filter((r) => r.piiErasedAt !== null)).toHaveLength(3);
    expect(certifications.rows.find((r) => r.status === 'used')!.piiErasedAt).toBeNull();
    expect(deletions.rows.map((r) => r.reason)).toEqual(['retention', 'retention', 'retention']);
    expect(audit.entries).toHaveLength(3);
    expect(audit.entries.every((e) => e.keyId === RETENTION_ACTOR && e.action === 'certification.retention_erase' && e.tx)).toBe(true);
    expect(await service.countEligible()).toBe(0);
    expect((await service.run()).erased).toBe(0);
  });

  it('retentionDeletesUpstream: false erases here only', async () => {
    const { deletions, service } = setup(false);
    expect(await service.run()).toMatchObject({ erased: 3, upstream_queued: 0 });
    expect(deletions.rows).toEqual([]);
  });
});
