/**
 * Issue 13 item 8: `Cache-Control: no-store` on every answer of the api but the OpenAPI docs
 * (a verification token, revealed personal data and errors included), on the Express
 * host too for the libs' routes; and a request id chosen by the client is kept as the audit row's
 * `request_id` only, never as the row's own id.
 */
import request from 'supertest';
import { Flows } from '../support/flows';
import { bearer, makeAdminKeys, type AdminKeys } from '../support/admin-fixtures';
import { freshPhone, type Person } from '../support/people';
import { rawRequest } from '../support/raw-http';

let f: Flows;
let keys: AdminKeys;
let base: string;

const person = (): Person => ({ name: '홍길동', phone: freshPhone(), birth: '19900101', gender_digit: '1', carrier: 'SKT' });
const noStore = (res: { headers: Record<string, unknown> }) => expect(res.headers['cache-control']).toBe('no-store');

beforeAll(async () => {
  keys = makeAdminKeys();
  f = await Flows.start({ env: { ADMIN_API_KEYS: keys.env } });
  base = `http://127.0.0.1:${(f.t.app.getHttpServer().address() as { port: number }).port}`;
});
afterAll(async () => f?.close());

describe('Cache-Control: no-store', () => {
  it('on the OTP confirmation (a verification token) and the OTP request', async () => {
    const p = person();
    const requested = await f.requestOtp(p);
    expect(requested.status).toBe(201);
    noStore(requested);
    const otp = await f.latestOtp(p.phone, requested.body.imp_uid);
    const confirmed = await f.confirm(requested.body.imp_uid, otp);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.verification_token).toEqual(expect.any(String));
    noStore(confirmed);
  });

  it('on POST /certifications (a verification token) and the signup', async () => {
    const { view } = await f.verifyByPopup(person());
    const verified = await f.http.post('/certifications').send({ imp_uid: (view as { imp_uid: string }).imp_uid });
    noStore(verified); // 409 ALREADY_CONFIRMED the second time: errors too
    const p = person();
    const impUid = await f.popup(p);
    const res = await f.http.post('/certifications').send({ imp_uid: impUid });
    expect(res.status).toBe(200);
    noStore(res);
    const signup = await f.signup(res.body.verification_token);
    expect(signup.status).toBe(201);
    noStore(signup);
  });

  it('on the admin detail, its reveal, the lists and the audit log', async () => {
    const { impUid } = await f.verifyByOtp(person());
    for (const path of [`/admin/certifications/${impUid}`, `/admin/certifications/${impUid}?reveal=true`, '/admin/certifications?limit=1', '/admin/audit-log?limit=1']) {
      const res = await f.http.get(path).set(bearer(keys.all));
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      noStore(res);
    }
    noStore(await f.http.get(`/admin/certifications/${impUid}?reveal=true`)); // 401
  });

  it('on errors of every layer: validation, an unknown route, a 415, the router, the health checks, the redirect', async () => {
    noStore(await f.http.post('/users').send({}));
    noStore(await f.http.get('/no/such/route'));
    noStore(await f.http.post('/users').set('content-type', 'text/plain').send('x'));
    noStore(await rawRequest(`${base}/certifications/otp/confirm/${'a'.repeat(600)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    noStore(await f.http.get('/health/live'));
    noStore(await f.http.get('/certifications/redirect?imp_uid=imp_1&imp_success=true'));
  });

  it('on /metrics (its own), not on /docs (nothing personal; cacheable as the server decides)', async () => {
    expect((await request(f.t.http).get('/metrics')).headers['cache-control']).toBe('no-store');
    const docs = await request(f.t.http).get('/docs-json');
    expect(docs.status).toBe(200);
    expect(docs.headers['cache-control']).not.toBe('no-store');
  });
});

describe("the client's X-Request-Id", () => {
  it("is the audit row's request_id, never its id: the database numbers every row itself", async () => {
    const { impUid } = await f.verifyByOtp(person());
    const before = await f.t.query<{ id: string }>(`SELECT max(id)::text AS id FROM audit_log`);
    // A client that reuses one id, and one that picks the next audit id as its request id.
    const next = String(Number(before[0]?.id ?? 0) + 1);
    for (const id of ['same-id-twice', 'same-id-twice', next]) {
      const res = await f.http.get(`/admin/certifications/${impUid}?reveal=true`).set(bearer(keys.all)).set('x-request-id', id);
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe(id);
    }
    const rows = await f.t.query<{ id: string; request_id: string }>(
      `SELECT id::text AS id, request_id FROM audit_log WHERE subject_id = $1 AND action = 'certification.reveal' ORDER BY id`,
      [impUid],
    );
    expect(rows.map((r) => r.request_id)).toEqual(['same-id-twice', 'same-id-twice', next]);
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
    expect(rows.map((r) => r.id)).not.toContain('same-id-twice');
    // The column cannot be written by an INSERT at all (GENERATED ALWAYS).
    await expect(
      f.t.query(`INSERT INTO audit_log (id, key_id, action, subject_type, result) VALUES (999999, 'x', 'certification.reveal', 'certification', 'ok')`),
    ).rejects.toThrow(/GENERATED ALWAYS|cannot insert/i);
    // The audit log's API answers the same split.
    const page = await f.http.get(`/admin/audit-log?subject_id=${impUid}&limit=10`).set(bearer(keys.all));
    expect(page.status).toBe(200);
    const items = page.body.items as Array<{ id: string; request_id: string }>;
    expect(items.map((i) => i.request_id).sort()).toEqual(['same-id-twice', 'same-id-twice', next].sort());
    expect(items.map((i) => i.id).sort()).toEqual(rows.map((r) => r.id).sort());
  });
});
