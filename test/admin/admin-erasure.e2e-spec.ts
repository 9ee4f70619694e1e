/**
 * DELETE /admin/certifications/:imp_uid: erases the personal data here (a raw query proves it),
 * keeps a tombstone, deletes upstream (the sandbox answers 404 afterwards), is audited and
 * idempotent; with upstream failing, the local erasure still happens and the upstream deletion
 * is completed later by the retry worker.
 */
import request from 'supertest';
import { AdminErasureService } from '@app/admin';
import { IamportApiError, IamportClient } from '@app/iamport';
import type { TestApp } from '../support/app';
import {
  auditRows,
  bearer,
  expectNoneContains,
  insertCertification,
  insertUpstreamCertification,
  insertUser,
  makeAdminKeys,
  startAdminApp,
  type AdminKeys,
  type Fixture,
} from '../support/admin-fixtures';

let t: TestApp;
let keys: AdminKeys;

beforeAll(async () => {
  keys = makeAdminKeys();
  t = await startAdminApp(keys);
});

afterAll(async () => {
  await t?.close();
});

afterEach(async () => {
  await request(t.sandboxUrl).delete('/__sandbox/faults').expect(200);
});

const PERSONAL_COLUMNS = ['name_enc', 'phone_enc', 'phone_bidx', 'ci_enc', 'ci_bidx', 'di_enc', 'birthday', 'gender', 'foreigner', 'carrier'];

async function rawRow(id: string): Promise<Record<string, unknown>> {
  const [row] = await t.query(`SELECT * FROM certifications WHERE id = $1`, [id]);
  return row;
}

async function outbox(impUid: string) {
  const [row] = await t.query<{
    attempts: number;
    completed_at: Date | null;
    next_attempt_at: Date;
    last_error: string | null;
    reason: string;
  }>(`SELECT attempts, completed_at, next_attempt_at, last_error, reason FROM upstream_deletions WHERE imp_uid = $1`, [impUid]);
  return row;
}

async function upstreamStatus(impUid: string): Promise<number> {
  try {
    await t.app.get(IamportClient).getCertification(impUid);
    return 200;
  } catch (e) {
    if (e instanceof IamportApiError) return e.httpStatus ?? -1;
    throw e;
  }
}

const erase = (impUid: string, key = keys.only['verifications:erase']) =>
  request(t.http).delete(`/admin/certifications/${impUid}`).set(bearer(key));

describe('erasure', () => {
  let cert: Fixture;

  beforeAll(async () => {
    cert = await insertUpstreamCertification(t);
    expect(await upstreamStatus(cert.impUid)).toBe(200);
  });

  it('clears every personal column, keeps the tombstone, deletes upstream, and audits', async () => {
    const before = await rawRow(cert.id);
    for (const column of PERSONAL_COLUMNS) expect(before[column]).not.toBeNull();

    const res = await erase(cert.impUid).set('x-request-id', 'erase-1').expect(200);
    expect(res.body).toMatchObject({
      imp_uid: cert.impUid,
      flow: 'popup',
      status: 'verified',
      name: null,
      phone: null,
      birthday: null,
      erased: true,
      erased_at: expect.any(String),
      upstream_deletion: { status: 'done', attempts: 1, next_attempt_at: null },
    });
    expectNoneContains([res.body], [cert.name, cert.phone, cert.ci, cert.di]);

    // The database itself: personal data gone, ids / status / timestamps kept.
    const after = await rawRow(cert.id);
    for (const column of PERSONAL_COLUMNS) expect(after[column]).toBeNull();
    expect(after).toMatchObject({ id: cert.id, imp_uid: cert.impUid, status: 'verified', flow: 'popup' });
    expect(after.created_at).toEqual(before.created_at);
    expect(after.certified_at).toEqual(before.certified_at);
    expect(after.pii_erased_at).toBeInstanceOf(Date);
    expectNoneContains([after], [cert.name, cert.phone, cert.ci, cert.di, cert.birthday]);

    // Upstream: gone.
    expect(await upstreamStatus(cert.impUid)).toBe(404);
    expect(await outbox(cert.impUid)).toMatchObject({ attempts: 1, completed_at: expect.any(Date), reason: 'admin' });

    const rows = await auditRows(t);
    expect(rows[rows.length - 1]).toMatchObject({
      key_id: 'only-verifications-erase',
      action: 'certification.erase',
      subject_type: 'certification',
      subject_id: cert.impUid,
      result: 'ok',
      request_id: 'erase-1',
    });
    expectNoneContains(rows, [cert.name, cert.phone, cert.ci, cert.di, cert.birthday]);
  });

  it('is idempotent: a repeat answers the same tombstone (200), changes nothing, is audited as already_erased', async () => {
    const first = await rawRow(cert.id);
    const res = await erase(cert.impUid).expect(200);
    expect(res.body).toMatchObject({ imp_uid: cert.impUid, erased: true, upstream_deletion: { status: 'done', attempts: 1 } });
    const again = await rawRow(cert.id);
    expect(again.pii_erased_at).toEqual(first.pii_erased_at);
    const rows = await auditRows(t);
    expect(rows[rows.length - 1]).toMatchObject({ action: 'certification.erase', subject_id: cert.impUid, result: 'already_erased' });
  });

  it('masked view, reveal and list show the tombstone; the phone filter no longer finds it', async () => {
    const detail = await request(t.http).get(`/admin/certifications/${cert.impUid}?reveal=true`).set(bearer(keys.all)).expect(200);
    expect(detail.body).toMatchObject({ name: null, phone: null, ci: null, di: null, erased: true, revealed: true });
    const list = await request(t.http).get('/admin/certifications').query({ phone: cert.phone }).set(bearer(keys.all)).expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('expires the verification token of an erased verification, so it cannot be used for signup', async () => {
    const c = await insertCertification(t);
    await t.query(
      `INSERT INTO verification_tokens (certification_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '30 minutes')`,
      [c.id, 'a'.repeat(64)],
    );
    await erase(c.impUid).expect(200);
    const [token] = await t.query<{ live: boolean }>(
      `SELECT expires_at > now() AS live FROM verification_tokens WHERE certification_id = $1`,
      [c.id],
    );
    expect(token.live).toBe(false);
  });

  it('a verification used by a user: its own personal data is erased, the account keeps its data', async () => {
    const c = await insertCertification(t, { status: 'used' });
    const userId = await insertUser(t, c);
    await erase(c.impUid).expect(200);
    const row = await rawRow(c.id);
    for (const column of PERSONAL_COLUMNS) expect(row[column]).toBeNull();
    expect(row.status).toBe('used');
    const user = await request(t.http).get(`/admin/users/${userId}`).set(bearer(keys.all)).expect(200);
    expect(user.body).toMatchObject({ id: userId, name: '홍*동', certification: { imp_uid: c.impUid, erased: true } });
  });

  it('an imp_uid unknown upstream (404) counts as deleted there', async () => {
    const c = await insertCertification(t, { impUid: 'imp_404404404404' });
    const res = await erase(c.impUid).expect(200);
    expect(res.body.upstream_deletion).toMatchObject({ status: 'done' });
    expect((await outbox(c.impUid)).last_error).toMatch(/not found upstream/);
  });
});

describe('erasure while upstream fails', () => {
  it('erases locally at once and completes the upstream deletion later, with backoff in between', async () => {
    const cert = await insertUpstreamCertification(t, { name: '이영희', birth: '19850505', gender_digit: '2', phone: '01044443333' });
    // Every DELETE answers 503 for the next three calls: the client's three attempts of the
    // erasure's own try all fail.
    await request(t.sandboxUrl)
      .post('/__sandbox/faults')
      .send({ path_prefix: '/certifications/', method: 'DELETE', status: 503, times: 3 })
      .expect(200);

    const res = await erase(cert.impUid).expect(200);
    expect(res.body).toMatchObject({ erased: true, upstream_deletion: { status: 'pending', attempts: 1 } });
    const row = await rawRow(cert.id);
    for (const column of PERSONAL_COLUMNS) expect(row[column]).toBeNull();
    const pending = await outbox(cert.impUid);
    expect(pending).toMatchObject({ attempts: 1, completed_at: null, last_error: 'IamportApiError HTTP 503 code -1' });
    expect(pending.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 20_000); // ~30 s backoff
    expect(await upstreamStatus(cert.impUid)).toBe(200); // still there upstream

    const worker = t.app.get(AdminErasureService);
    // Not due yet: the worker leaves it alone.
    expect(await worker.processPendingUpstreamDeletions(new Date())).toEqual({ attempted: 0, completed: 0, failed: 0 });

    // Upstream still refusing (a 200 with a non-zero code, not retried by the client, so the
    // circuit breaker stays closed): the worker retries when due and backs off further.
    await request(t.sandboxUrl)
      .post('/__sandbox/faults')
      .send({ path_prefix: '/certifications/', method: 'DELETE', status: 200, code: 1, times: 1 })
      .expect(200);
    const due = new Date(pending.next_attempt_at.getTime() + 1);
    expect(await worker.processPendingUpstreamDeletions(due)).toEqual({ attempted: 1, completed: 0, failed: 1 });
    const second = await outbox(cert.impUid);
    expect(second).toMatchObject({ attempts: 2, completed_at: null, last_error: 'IamportApiError HTTP 200 code 1' });
    expect(second.next_attempt_at.getTime() - due.getTime()).toBe(60_000); // 30 s * 2
    expect(await upstreamStatus(cert.impUid)).toBe(200);

    // Upstream back: the next due run deletes it.
    const later = new Date(second.next_attempt_at.getTime() + 1);
    expect(await worker.processPendingUpstreamDeletions(later)).toEqual({ attempted: 1, completed: 1, failed: 0 });
    expect(await outbox(cert.impUid)).toMatchObject({ attempts: 3, completed_at: expect.any(Date), last_error: null });
    expect(await upstreamStatus(cert.impUid)).toBe(404);
    // Nothing left to do.
    expect(await worker.processPendingUpstreamDeletions(new Date(later.getTime() + 86_400_000))).toEqual({
      attempted: 0,
      completed: 0,
      failed: 0,
    });
    const detail = await request(t.http).get(`/admin/certifications/${cert.impUid}`).set(bearer(keys.all)).expect(200);
    expect(detail.body.upstream_deletion).toEqual({ status: 'done', attempts: 3, next_attempt_at: null });
  });

  it('with the upstream unreachable, the erasure still succeeds here', async () => {
    const cert = await insertUpstreamCertification(t, { name: '박철수', birth: '19700101', gender_digit: '1', phone: '01022221111' });
    await request(t.sandboxUrl)
      .post('/__sandbox/faults')
      .send({ path_prefix: '/certifications/', method: 'DELETE', drop: true })
      .expect(200);
    const res = await erase(cert.impUid).expect(200);
    expect(res.body).toMatchObject({ erased: true, name: null, upstream_deletion: { status: 'pending' } });
    expect((await outbox(cert.impUid)).last_error).toMatch(/^IamportNetworkError/);
    // Reachable again (a drop on a reused keep-alive socket is re-sent once by the client, so a
    // fixed number of drops would not mean "unreachable": the fault lasts until cleared).
    await request(t.sandboxUrl).delete('/__sandbox/faults').expect(200);
    await t.app.get(AdminErasureService).processPendingUpstreamDeletions(new Date(Date.now() + 3_600_000));
    expect(await upstreamStatus(cert.impUid)).toBe(404);
    expect((await outbox(cert.impUid)).completed_at).toBeInstanceOf(Date);
  });

  it('concurrent worker passes never delete one row twice in parallel', async () => {
    const certs = [];
    for (let i = 0; i < 6; i++) {
      const c = await insertUpstreamCertification(t, { name: `정${i}호`, birth: '19900101', gender_digit: '1', phone: `0103333000${i + 1}` });
      certs.push(c);
    }
    await request(t.sandboxUrl)
      .post('/__sandbox/faults')
      .send({ path_prefix: '/certifications/', method: 'DELETE', status: 200, code: 1, times: 6 })
      .expect(200);
    for (const c of certs) await erase(c.impUid).expect(200);
    const statsBefore = (await request(t.sandboxUrl).get('/__sandbox/stats').expect(200)).body.calls.deleteCertification;
    const worker = t.app.get(AdminErasureService);
    const when = new Date(Date.now() + 3_600_000);
    const runs = await Promise.all([1, 2, 3].map(() => worker.processPendingUpstreamDeletions(when)));
    expect(runs.reduce((n, r) => n + r.completed, 0)).toBe(6);
    const statsAfter = (await request(t.sandboxUrl).get('/__sandbox/stats').expect(200)).body.calls.deleteCertification;
    expect(statsAfter - statsBefore).toBe(6);
    for (const c of certs) expect(await upstreamStatus(c.impUid)).toBe(404);
  });
});
