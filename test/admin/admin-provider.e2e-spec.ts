/** The admin API on both providers: lookup by DI as well as CI, and the provider shown and filtered. */
import request from 'supertest';
import { BlindIndex } from '@app/pii';
import type { TestApp } from '../support/app';
import { auditRows, bearer, insertCertification, insertUser, makeAdminKeys, startAdminApp } from '../support/admin-fixtures';

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
