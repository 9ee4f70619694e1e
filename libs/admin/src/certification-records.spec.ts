import type { Transaction } from '@app/common';
import { CertificationRecords } from './certification-records';
import { InMemoryAccounts, InMemoryCertifications, InMemoryUpstreamDeletions, certificationRow } from './testing/in-memory-stores';

describe('CertificationRecords', () => {
  const setup = () => {
    const certifications = new InMemoryCertifications();
    const accounts = new InMemoryAccounts();
    const deletions = new InMemoryUpstreamDeletions();
    return { certifications, accounts, deletions, records: new CertificationRecords(certifications, accounts, deletions) };
  };

  it('joins the account and the upstream deletion; CI and DI only when asked for', async () => {
    const { certifications, accounts, deletions, records } = setup();
    const row = certificationRow({ ciEnc: 'ci', diEnc: 'di' });
    certifications.rows.push(row);
    accounts.byCertification.set(row.id, 'user-1');
    await deletions.enqueue([row.impUid], 'admin', new Date('2026-01-02T00:00:00Z'));

    const masked = await records.find(row.impUid, { withIdentity: false });
    expect(masked).toEqual({
      certification: { ...row, ciEnc: null, diEnc: null },
      userId: 'user-1',
      upstreamDeletion: { attempts: 0, nextAttemptAt: new Date('2026-01-02T00:00:00Z'), completedAt: null },
    });
    expect((await records.find(row.impUid, { withIdentity: true }))?.certification).toMatchObject({ ciEnc: 'ci', diEnc: 'di' });
  });

  it('answers null for an unknown imp_uid, and no account or deletion as null', async () => {
    const { certifications, records } = setup();
    const row = certificationRow();
    certifications.rows.push(row);
    expect(await records.find('imp_000000000000', { withIdentity: false })).toBeNull();
    expect(await records.find(row.impUid, { withIdentity: false })).toMatchObject({ userId: null, upstreamDeletion: null });
  });

  it('reads all three tables in the caller transaction', async () => {
    const { certifications, accounts, deletions, records } = setup();
    const row = certificationRow();
    certifications.rows.push(row);
    const tx = { manager: {} } as Transaction;
    await records.find(row.impUid, { withIdentity: true, tx });
    expect([certifications.reads, accounts.reads, deletions.stateReads]).toEqual([[tx], [tx], [tx]]);
  });
});
