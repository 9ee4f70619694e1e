import { Logger } from '@nestjs/common';
import { BlindIndex, PiiCipher, generateKeyMaterial } from '@app/pii';
import { CertificationNotFoundError } from './admin.errors';
import type { AdminRequestContext } from './admin-request';
import { AdminCertificationsService } from './admin-certifications.service';
import { CertificationRecords } from './certification-records';
import {
  InMemoryAccounts,
  InMemoryAuditLog,
  InMemoryCertifications,
  InMemoryDatabase,
  InMemoryUpstreamDeletions,
  certificationRow,
} from './testing/in-memory-stores';

const keys = generateKeyMaterial();
const ctx: AdminRequestContext = { principal: { keyId: 'ops', scopes: new Set(['pii:reveal']) }, clientIp: null, requestId: 'req-9' };

describe('AdminCertificationsService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  const cipher = PiiCipher.fromConfig(keys.encryptionKeys);
  const blindIndex = BlindIndex.fromConfig(keys.hmacKey);
  let db: InMemoryDatabase;
  let certifications: InMemoryCertifications;
  let audit: InMemoryAuditLog;
  let service: AdminCertificationsService;

  beforeEach(() => {
    db = new InMemoryDatabase();
    certifications = new InMemoryCertifications();
    audit = new InMemoryAuditLog();
    const records = new CertificationRecords(certifications, new InMemoryAccounts(), new InMemoryUpstreamDeletions());
    service = new AdminCertificationsService(db, certifications, records, audit, cipher, blindIndex);
  });

  it('turns the query into the filter: Seoul dates, phone blind index, one row more than the page', async () => {
    await service.list({ status: 'verified', from: '2026-01-01', to: '2026-01-02T00:00:00Z', phone: '010-1234-5678', limit: 20 }, ctx);
    expect(certifications.filters[0]).toEqual({
      status: 'verified',
      flow: undefined,
      from: new Date('2025-12-31T15:00:00Z'),
      to: new Date('2026-01-02T00:00:00Z'),
      phoneBidx: blindIndex.compute('phone', '01012345678'),
      before: undefined,
      limit: 21,
    });
  });

  it('audits a phone-filtered list in the transaction of its read: one row per verification found, or one not_found', async () => {
    await service.list({ phone: '010-1234-5678', limit: 20 }, ctx);
    expect(audit.entries).toEqual([
      expect.objectContaining({ keyId: 'ops', action: 'certification.phone_search', subjectId: null, result: 'not_found', requestId: 'req-9' }),
    ]);
    expect(audit.entries[0].tx).toBeDefined();
    expect(certifications.listTx).toEqual([audit.entries[0].tx]);

    const phoneBidx = blindIndex.compute('phone', '01012345678');
    certifications.rows.push(
      certificationRow({ impUid: 'imp_000000000101', phoneBidx }),
      certificationRow({ impUid: 'imp_000000000102', phoneBidx }),
      certificationRow({ impUid: 'imp_000000000103', phoneBidx: blindIndex.compute('phone', '01099998888') }),
    );
    await service.list({ phone: '01012345678', limit: 20 }, ctx);
    expect(audit.entries.slice(1).map((e) => [e.action, e.subjectId, e.result])).toEqual([
      ['certification.phone_search', expect.stringMatching(/^imp_00000000010[12]$/), 'ok'],
      ['certification.phone_search', expect.stringMatching(/^imp_00000000010[12]$/), 'ok'],
    ]);
    // unfiltered: not audited, on the pool
    await service.list({ limit: 20 }, ctx);
    expect(audit.entries).toHaveLength(3);
    expect(certifications.listTx[2]).toBeUndefined();
  });

  it('refuses bad bounds, phones and cursors as 400 naming the field', async () => {
    const field = (query: object) =>
      service.list({ limit: 10, ...query }, ctx).catch((e: { code?: string; details?: { fields?: unknown } }) => e.code === 'VALIDATION_FAILED' && e.details?.fields);
    expect(await field({ from: '2026-01-01T00:00:00' })).toEqual([expect.objectContaining({ field: 'from' })]);
    expect(await field({ from: '2026-01-02', to: '2026-01-02' })).toEqual([expect.objectContaining({ field: 'to' })]);
    expect(await field({ phone: '02-123-4567' })).toEqual([expect.objectContaining({ field: 'phone' })]);
    expect(await field({ cursor: 'not-a-cursor' })).toEqual([expect.objectContaining({ field: 'cursor' })]);
    expect(certifications.filters).toEqual([]);
  });

  it('pages newest first with a cursor that continues after the last row', async () => {
    for (let day = 1; day <= 3; day++) certifications.rows.push(certificationRow({ createdAt: new Date(`2026-01-0${day}T00:00:00Z`) }));
    const first = await service.list({ limit: 2 }, ctx);
    expect(first.items.map((i) => i.created_at)).toEqual(['2026-01-03T00:00:00.000Z', '2026-01-02T00:00:00.000Z']);
    const second = await service.list({ limit: 2, cursor: first.next_cursor! }, ctx);
    expect(second.items.map((i) => i.created_at)).toEqual(['2026-01-01T00:00:00.000Z']);
    expect(second.next_cursor).toBeNull();
  });

  it('masks by default; a reveal decrypts and writes its audit row in the same transaction', async () => {
    const row = certificationRow({ nameEnc: cipher.encrypt('홍길동', 'name_enc'), phoneEnc: cipher.encrypt('01012345678', 'phone_enc'), ciEnc: cipher.encrypt('CI==', 'ci_enc') });
    certifications.rows.push(row);
    expect(await service.get(row.impUid)).toMatchObject({ name: expect.not.stringMatching(/^홍길동$/), revealed: false });
    expect(audit.entries).toEqual([]);
    expect(await service.reveal(row.impUid, ctx)).toMatchObject({ name: '홍길동', phone: '01012345678', ci: 'CI==', revealed: true });
    expect(audit.entries).toEqual([
      expect.objectContaining({ action: 'certification.reveal', subjectId: row.impUid, keyId: 'ops', requestId: 'req-9', tx: expect.anything() }),
    ]);
  });

  it('an unknown imp_uid is 404, and a failed reveal writes no audit row', async () => {
    await expect(service.get('imp_123456789012')).rejects.toBeInstanceOf(CertificationNotFoundError);
    await expect(service.reveal('imp_123456789012', ctx)).rejects.toBeInstanceOf(CertificationNotFoundError);
    expect(audit.entries).toEqual([]);
    expect(db.committed).toBe(0);
  });
});
