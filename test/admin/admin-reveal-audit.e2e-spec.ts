/**
 * One verification masked by default and in full with `?reveal=true`; user lookups by id and by
 * CI; the audit log: one row per reveal, erasure and CI lookup, written with the action, holding
 * no personal data, keyset-paginated.
 */
import request from 'supertest';
import type { TestApp } from '../support/app';
import {
  auditRows,
  bearer,
  expectNoneContains,
  fakeCi,
  insertCertification,
  insertUser,
  makeAdminKeys,
  startAdminApp,
  type AdminKeys,
  type Fixture,
} from '../support/admin-fixtures';

let t: TestApp;
let keys: AdminKeys;
let cert: Fixture;
let userId: string;

beforeAll(async () => {
  keys = makeAdminKeys();
  t = await startAdminApp(keys);
  cert = await insertCertification(t, {
    name: '홍길동',
    phone: '01098765432',
    birthday: '1995-12-24',
    gender: 'female',
    status: 'used',
  });
  userId = await insertUser(t, cert, 'dongdong');
});

afterAll(async () => {
  await t?.close();
});

const PII = () => [cert.name, cert.phone, cert.ci, cert.di, '1995-12-24', '19951224'];

describe('GET /admin/certifications/:imp_uid', () => {
  it('is masked by default: 홍*동, 010-****-5432, birthday to its year, no CI/DI, not audited', async () => {
    const before = (await auditRows(t)).length;
    const res = await request(t.http).get(`/admin/certifications/${cert.impUid}`).set(bearer(keys.all)).expect(200);
    expect(res.body).toMatchObject({
      imp_uid: cert.impUid,
      name: '홍*동',
      phone: '010-****-5432',
      birthday: '1995-**-**',
      gender: 'female',
      status: 'used',
      used: true,
      erased: false,
      user_id: userId,
      revealed: false,
    });
    expect(res.body).not.toHaveProperty('ci');
    expect(res.body).not.toHaveProperty('di');
    const text = JSON.stringify(res.body);
    for (const value of [cert.name, cert.phone, cert.ci, cert.di]) expect(text).not.toContain(value);
    expect((await auditRows(t)).length).toBe(before);
  });

  it('?reveal=false is the masked view', async () => {
    const res = await request(t.http).get(`/admin/certifications/${cert.impUid}?reveal=false`).set(bearer(keys.revealer)).expect(200);
    expect(res.body.revealed).toBe(false);
    expect(res.body.name).toBe('홍*동');
  });

  it('?reveal=true with pii:reveal shows full name, phone, CI and DI, and writes one audit row', async () => {
    const before = await auditRows(t);
    const res = await request(t.http)
      .get(`/admin/certifications/${cert.impUid}?reveal=true`)
      .set(bearer(keys.revealer))
      .set('x-request-id', 'reveal-req-1')
      .expect(200);
    expect(res.body).toMatchObject({
      imp_uid: cert.impUid,
      name: '홍길동',
      phone: '01098765432',
      ci: cert.ci,
      di: cert.di,
      birthday: '1995-12-24',
      revealed: true,
    });
    const after = await auditRows(t);
    expect(after.length).toBe(before.length + 1);
    const row = after[after.length - 1];
    expect(row).toMatchObject({
      key_id: 'revealer',
      action: 'certification.reveal',
      subject_type: 'certification',
      subject_id: cert.impUid,
      result: 'ok',
      request_id: 'reveal-req-1',
    });
    expect(row.client_ip).toEqual(expect.stringMatching(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/));
    expect(row.occurred_at).toBeInstanceOf(Date);
  });

  it('?reveal=true without pii:reveal is 403 and audits nothing', async () => {
    const before = (await auditRows(t)).length;
    const res = await request(t.http)
      .get(`/admin/certifications/${cert.impUid}?reveal=true`)
      .set(bearer(keys.only['verifications:read']))
      .expect(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required_scopes: ['pii:reveal'] } });
    expect(JSON.stringify(res.body)).not.toContain(cert.name);
    expect((await auditRows(t)).length).toBe(before);
  });

  it('the reveal and its audit row are one transaction: no audit table, no reveal', async () => {
    await t.query(`ALTER TABLE audit_log RENAME TO audit_log_away`);
    try {
      const res = await request(t.http).get(`/admin/certifications/${cert.impUid}?reveal=true`).set(bearer(keys.all));
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toContain(cert.name);
      expect(JSON.stringify(res.body)).not.toContain(cert.ci!);
    } finally {
      await t.query(`ALTER TABLE audit_log_away RENAME TO audit_log`);
    }
  });
});

describe('users', () => {
  it('GET /admin/users/:id: the account, masked, with its verification; not audited', async () => {
    const before = (await auditRows(t)).length;
    const res = await request(t.http).get(`/admin/users/${userId}`).set(bearer(keys.only['verifications:read'])).expect(200);
    expect(res.body).toMatchObject({
      id: userId,
      name: '홍*동',
      phone: '010-****-5432',
      birthday: '1995-12-24',
      nickname: 'dongdong',
      certification: { imp_uid: cert.impUid, status: 'used', erased: false },
    });
    const text = JSON.stringify(res.body);
    for (const value of [cert.name, cert.phone, cert.ci, cert.di]) expect(text).not.toContain(value);
    expect((await auditRows(t)).length).toBe(before);
  });

  it('GET /admin/users?ci=: found through the blind index, audited with the user id and never the CI', async () => {
    const before = (await auditRows(t)).length;
    const res = await request(t.http)
      .get('/admin/users')
      .query({ ci: cert.ci! })
      .set(bearer(keys.only['verifications:read']))
      .expect(200);
    expect(res.body.id).toBe(userId);
    expect(JSON.stringify(res.body)).not.toContain(cert.ci!);
    const rows = await auditRows(t);
    expect(rows.length).toBe(before + 1);
    expect(rows[rows.length - 1]).toMatchObject({
      key_id: 'only-verifications-read',
      action: 'user.ci_lookup',
      subject_type: 'user',
      subject_id: userId,
      result: 'ok',
    });
  });

  it('a CI sent with its "+" unencoded (read as spaces) still finds the person', async () => {
    const plus = await insertCertification(t, { ci: `${fakeCi().slice(0, 40)}+${fakeCi().slice(0, 45)}==`, status: 'used' });
    const id = await insertUser(t, plus);
    const res = await request(t.http).get(`/admin/users?ci=${plus.ci!.replace(/=/g, '%3D')}`).set(bearer(keys.all)).expect(200);
    expect(res.body.id).toBe(id);
  });

  it('a CI lookup that finds nobody is 404 USER_NOT_FOUND and still audited (subject null)', async () => {
    const unknown = fakeCi();
    const before = (await auditRows(t)).length;
    const res = await request(t.http).get('/admin/users').query({ ci: unknown }).set(bearer(keys.all)).expect(404);
    expect(res.body.error.code).toBe('USER_NOT_FOUND');
    const rows = await auditRows(t);
    expect(rows.length).toBe(before + 1);
    expect(rows[rows.length - 1]).toMatchObject({ key_id: 'all', action: 'user.ci_lookup', subject_id: null, result: 'not_found' });
    expectNoneContains(rows, [unknown]);
  });
});

describe('GET /admin/audit-log', () => {
  it('has no personal data in any column of any row', async () => {
    const [{ columns }] = await t.query<{ columns: string[] }>(
      `SELECT array_agg(column_name::text ORDER BY ordinal_position) AS columns FROM information_schema.columns WHERE table_name = 'audit_log'`,
    );
    expect(columns).toEqual(['id', 'occurred_at', 'key_id', 'action', 'subject_type', 'subject_id', 'result', 'client_ip', 'request_id']);
    const rows = await auditRows(t);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expectNoneContains(rows, PII());
    // Not even an encrypted copy or a blind index of the CI.
    const [c] = await t.query<{ ci_bidx: string; ci_enc: string; name_enc: string }>(
      `SELECT ci_bidx, ci_enc, name_enc FROM certifications WHERE id = $1`,
      [cert.id],
    );
    expectNoneContains(rows, [c.ci_bidx, c.ci_enc, c.name_enc]);
  });

  it('lists every row exactly once, newest first, across pages while new rows are written', async () => {
    const total = (await auditRows(t)).length;
    for (let i = 0; i < 9; i++) {
      await request(t.http).get(`/admin/certifications/${cert.impUid}?reveal=true`).set(bearer(keys.all)).expect(200);
    }
    const expected = (await auditRows(t)).map((r) => String(r.id));
    expect(expected.length).toBe(total + 9);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 100; n++) {
      const res: { body: { items: Array<{ id: string }>; next_cursor: string | null } } = await request(t.http)
        .get('/admin/audit-log')
        .query(cursor ? { limit: 4, cursor } : { limit: 4 })
        .set(bearer(keys.only['audit:read']))
        .expect(200);
      seen.push(...res.body.items.map((i) => i.id));
      // A new audited action between pages (newer than everything listed).
      await request(t.http).get('/admin/users').query({ ci: cert.ci! }).set(bearer(keys.all)).expect(200);
      cursor = res.body.next_cursor;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...expected].sort());
    expect(seen).toEqual([...expected].reverse());
  });

  it('filters by action, key id and subject, and shows the fields of a row', async () => {
    const res = await request(t.http)
      .get('/admin/audit-log')
      .query({ action: 'certification.reveal', key_id: 'revealer', subject_id: cert.impUid })
      .set(bearer(keys.all))
      .expect(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toEqual({
      id: expect.any(String),
      occurred_at: expect.any(String),
      key_id: 'revealer',
      action: 'certification.reveal',
      subject_type: 'certification',
      subject_id: cert.impUid,
      result: 'ok',
      client_ip: expect.any(String),
      request_id: 'reveal-req-1',
    });
    expect(res.body.next_cursor).toBeNull();
  });
});
