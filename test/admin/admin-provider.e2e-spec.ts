/** The admin API on both providers: lookup by DI as well as CI, and the provider shown and filtered. */
import request from 'supertest';
import { BlindIndex } from '@app/pii';
import type { TestApp } from '../support/app';
import { AdminErasureService } from '@app/admin';
import { auditRows, bearer, insertCertification, insertUpstreamCertification, insertUser, makeAdminKeys, startAdminApp } from '../support/admin-fixtures';

const keys = makeAdminKeys();
let t: TestApp;

beforeAll(async () => {
  t = await startAdminApp(keys);
});
afterAll(() => t?.close());

it('GET /admin/users?di= finds the account by the blind index of its DI, audited as user.di_lookup', async () => {
  const cert = await insertCertification(t, { status: 'used' });
  const id = await insertUser(t, cert);
  const bidx = t.app.get(BlindIndex);
  await t.query(`UPDATE users SET di_bidx = $2, provider = 'portone' WHERE id = $1`, [id, bidx.compute('di', cert.di!)]);
  const res = await request(t.http).get('/admin/users').query({ di: cert.di }).set(bearer(keys.all)).expect(200);
  expect(res.body).toMatchObject({ id, provider: 'portone' });
  expect(JSON.stringify(res.body)).not.toContain(cert.di!);
  const rows = (await auditRows(t)).filter((r) => r.action === 'user.di_lookup');
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ subject_id: id, result: 'ok' });
  expect((await request(t.http).get('/admin/users').query({ di: 'unknown-di' }).set(bearer(keys.all)).expect(404)).body.error.code).toBe('USER_NOT_FOUND');
  const both = await request(t.http).get('/admin/users').query({ ci: cert.ci, di: cert.di }).set(bearer(keys.all)).expect(400);
  expect(both.body.error.code).toBe('VALIDATION_FAILED');
  // by CI, as before, and the view names the provider
  expect((await request(t.http).get('/admin/users').query({ ci: cert.ci }).set(bearer(keys.all)).expect(200)).body).toMatchObject({ id, provider: 'portone' });
});

it('GET /admin/certifications shows the provider and filters by it', async () => {
  const v1 = await insertCertification(t);
  const v2 = await insertCertification(t);
  await t.query(`UPDATE certifications SET provider = 'portone' WHERE id = $1`, [v2.id]);
  const all = await request(t.http).get('/admin/certifications').set(bearer(keys.all)).expect(200);
  const byImpUid = new Map(all.body.items.map((i: { imp_uid: string; provider: string }) => [i.imp_uid, i.provider]));
  expect(byImpUid.get(v1.impUid)).toBe('iamport');
  expect(byImpUid.get(v2.impUid)).toBe('portone');
  const portone = await request(t.http).get('/admin/certifications').query({ provider: 'portone' }).set(bearer(keys.all)).expect(200);
  expect(portone.body.items.map((i: { imp_uid: string }) => i.imp_uid)).toContain(v2.impUid);
  expect(portone.body.items.every((i: { provider: string }) => i.provider === 'portone')).toBe(true);
  expect((await request(t.http).get('/admin/certifications').query({ provider: 'nope' }).set(bearer(keys.all)).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
});

/** PortOne V2 has no deletion of an identity verification (docs/admin.md): its rows are erased here only. */
describe('erasure of PortOne V2 verifications: local only, never a V1 DELETE upstream', () => {
  const v1Deletes = async () => (await request(t.sandboxUrl).get('/__sandbox/stats').expect(200)).body.calls.deleteCertification as number;
  const queued = async (impUid: string) => (await t.query(`SELECT 1 FROM upstream_deletions WHERE imp_uid = $1`, [impUid])).length;

  it('DELETE /admin/certifications/:imp_uid erases the V2 row, queues nothing and calls no DELETE', async () => {
    const v2 = await insertCertification(t);
    await t.query(`UPDATE certifications SET provider = 'portone' WHERE id = $1`, [v2.id]);
    const before = await v1Deletes();
    const res = await request(t.http).delete(`/admin/certifications/${v2.impUid}`).set(bearer(keys.all)).expect(200);
    expect(res.body).toMatchObject({ imp_uid: v2.impUid, provider: 'portone', upstream_deletion: null });
    expect(res.body.erased_at).toEqual(expect.any(String));
    expect(await queued(v2.impUid)).toBe(0);
    // the worker finds nothing of it either
    await t.app.get(AdminErasureService).processPendingUpstreamDeletions(new Date(Date.now() + 86_400_000));
    expect(await v1Deletes()).toBe(before);
    // a V1 row beside it is still deleted upstream
    const v1 = await insertUpstreamCertification(t);
    await request(t.http).delete(`/admin/certifications/${v1.impUid}`).set(bearer(keys.all)).expect(200);
    expect(await queued(v1.impUid)).toBe(1);
    expect(await v1Deletes()).toBe(before + 1);
  });

  it('DELETE /admin/users/:id of a V2 account: its verification answers upstream_deletion none, nothing queued', async () => {
    const v2 = await insertCertification(t, { status: 'used' });
    await t.query(`UPDATE certifications SET provider = 'portone' WHERE id = $1`, [v2.id]);
    const id = await insertUser(t, v2);
    const before = await v1Deletes();
    const res = await request(t.http).delete(`/admin/users/${id}`).set(bearer(keys.all)).send({ reason: 'withdrawal' }).expect(200);
    expect(res.body.verifications).toEqual([{ imp_uid: v2.impUid, upstream_deletion: 'none' }]);
    expect(await queued(v2.impUid)).toBe(0);
    expect(await v1Deletes()).toBe(before);
  });
});
