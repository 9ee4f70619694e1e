/**
 * A read-only admin key used as an attacker would (issue 13, item 7): recovering a number from
 * its masked form through `?phone=`, exporting birthdays in bulk, reading the audit log unseen,
 * and rewriting or deleting the trail. Real api, real database.
 */
import request from 'supertest';
import type { TestApp } from '../support/app';
import { auditRows, bearer, expectNoneContains, insertCertification, makeAdminKeys, startAdminApp, type AdminKeys } from '../support/admin-fixtures';

let t: TestApp;
let keys: AdminKeys;
const LIMIT = 40;

beforeAll(async () => {
  keys = makeAdminKeys();
  t = await startAdminApp(keys, { ADMIN_RATE_LIMIT_PER_KEY: String(LIMIT) });
});
afterAll(async () => t?.close());

const newRows = async (since: number) => (await auditRows(t)).slice(since);

describe('the ?phone= filter', () => {
  it('is audited with the read: one row per verification found, and a not_found row for a miss; never the number', async () => {
    const phone = '01055557777';
    const a = await insertCertification(t, { phone, birthday: '1979-03-09' });
    const b = await insertCertification(t, { phone });
    const before = (await auditRows(t)).length;
    const key = keys.only['verifications:read'];

    const hit = await request(t.http).get('/admin/certifications').query({ phone: '010-5555-7777' }).set(bearer(key)).expect(200);
    expect(hit.body.items.map((i: { imp_uid: string }) => i.imp_uid).sort()).toEqual([a.impUid, b.impUid].sort());
    await request(t.http).get('/admin/certifications').query({ phone: '010-5555-7778' }).set(bearer(key)).expect(200);

    const rows = await newRows(before);
    expect(rows.map((r) => [r.key_id, r.action, r.subject_type, r.subject_id, r.result]).sort()).toEqual(
      [
        ['only-verifications-read', 'certification.phone_search', 'certification', a.impUid, 'ok'],
        ['only-verifications-read', 'certification.phone_search', 'certification', b.impUid, 'ok'],
        ['only-verifications-read', 'certification.phone_search', 'certification', null, 'not_found'],
      ].sort(),
    );
    expectNoneContains(rows, [phone, '5555', '7777', '7778']);
  });

  it('leaves unfiltered lists unaudited', async () => {
    const before = (await auditRows(t)).length;
    await request(t.http).get('/admin/certifications').query({ limit: 5 }).set(bearer(keys.all)).expect(200);
    expect(await newRows(before)).toEqual([]);
  });
});

describe('birthdays', () => {
  it('are masked to the year in list items and full only in a reveal', async () => {
    const f = await insertCertification(t, { phone: '01055550001', birthday: '1984-11-30' });
    const list = await request(t.http).get('/admin/certifications').query({ limit: 100 }).set(bearer(keys.all)).expect(200);
    const item = list.body.items.find((i: { imp_uid: string }) => i.imp_uid === f.impUid);
    expect(item.birthday).toBe('1984-**-**');
    expect(list.text).not.toContain('1984-11-30');
    const revealed = await request(t.http).get(`/admin/certifications/${f.impUid}`).query({ reveal: 'true' }).set(bearer(keys.revealer)).expect(200);
    expect(revealed.body.birthday).toBe('1984-11-30');
  });
});

describe('reading the audit log', () => {
  it('is itself audited, with the filter it used', async () => {
    const before = (await auditRows(t)).length;
    await request(t.http).get('/admin/audit-log').query({ subject_id: 'imp_000000000042' }).set(bearer(keys.only['audit:read'])).expect(200);
    const rows = await newRows(before);
    expect(rows).toEqual([expect.objectContaining({ key_id: 'only-audit-read', action: 'audit.read', subject_type: 'audit', subject_id: 'imp_000000000042', result: 'ok' })]);
  });
});

describe('the audit rows', () => {
  it('cannot be updated, nor deleted before their retention period (365 days); older ones can be deleted', async () => {
    const [fresh] = await t.query<{ id: string }>(
      `INSERT INTO audit_log (key_id, action, subject_type, subject_id, result) VALUES ('all', 'certification.reveal', 'certification', 'imp_1', 'ok') RETURNING id::text`,
    );
    const [old] = await t.query<{ id: string }>(
      `INSERT INTO audit_log (occurred_at, key_id, action, subject_type, subject_id, result)
       VALUES (now() - interval '366 days', 'all', 'certification.reveal', 'certification', 'imp_2', 'ok') RETURNING id::text`,
    );
    await expect(t.query(`UPDATE audit_log SET key_id = 'someone-else' WHERE id = $1`, [fresh.id])).rejects.toThrow(/cannot be updated/);
    await expect(t.query(`UPDATE audit_log SET result = 'ok' WHERE id = $1`, [old.id])).rejects.toThrow(/cannot be updated/);
    await expect(t.query(`DELETE FROM audit_log WHERE id = $1`, [fresh.id])).rejects.toThrow(/retention period/);
    await t.query(`DELETE FROM audit_log WHERE id = $1`, [old.id]);
    expect(await t.query(`SELECT id FROM audit_log WHERE id = $1`, [old.id])).toHaveLength(0);
    expect(await t.query(`SELECT id FROM audit_log WHERE id = $1`, [fresh.id])).toHaveLength(1);
  });
});

describe('the per-key rate limit', () => {
  it('counts every admin route together per key id; another key is not slowed', async () => {
    const key = keys.without['pii:reveal'];
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const path = i % 2 ? '/admin/certifications' : '/admin/audit-log';
      statuses.push((await request(t.http).get(path).set(bearer(key))).status);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    const refused = await request(t.http).get('/admin/certifications').query({ phone: '010-5555-0002' }).set(bearer(key)).expect(429);
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'admin-key', limit: LIMIT, window_seconds: 600 } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(500);
    await request(t.http).get('/admin/certifications').set(bearer(keys.only['verifications:read'])).expect(200);
    // an unknown key is answered 401, not counted against anyone
    await request(t.http).get('/admin/certifications').set(bearer('adm_nope')).expect(401);
  });
});
