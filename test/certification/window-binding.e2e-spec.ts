/**
 * The binding of a window result to the browser that started its flow, through the api over HTTP,
 * on a PostgreSQL server and on PGlite (a pool of one connection): POST /certifications/window,
 * its cookie or header secret, and the rules of POST /certifications and GET /certifications/redirect.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { serverDatabaseMissing, describeIf } from '../support/availability';
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';
import { SandboxControl } from '../support/sandbox-control';
import { createTestDatabase, startPgliteChild, type TestDatabase } from '../support/test-db';

const CLAIM_WINDOW_SECONDS = 4;

function person(name: string): Person {
  return { name, phone: freshPhone(), birth: '19880808', gender_digit: '1', carrier: 'SKT' };
}

const databases: Array<[string, () => Promise<TestDatabase>, string | null]> = [
  ['PostgreSQL', createTestDatabase, serverDatabaseMissing()],
  ['PGlite', startPgliteChild, null],
];

for (const [label, makeDb, missing] of databases) {
  describeIf(`window binding on ${label}`, missing)(`the window binding on ${label}`, () => {
    let db: TestDatabase;
    let f: Flows;
    let control: SandboxControl;

    beforeAll(async () => {
      db = await makeDb();
      if (label === 'PostgreSQL') expect(db.kind).toBe('server');
      f = await Flows.start({ db, env: { CERTIFICATION_CLAIM_WINDOW_SECONDS: String(CLAIM_WINDOW_SECONDS), AGE_POLICY_MIN_AGE: '19' } });
      control = new SandboxControl(f.t.sandboxUrl);
    }, 120_000);

    afterAll(async () => {
      await f?.close();
      await db?.drop();
    });

    /** A certification completed upstream for `merchantUid`. */
    const certifiedFor = (merchantUid: string, name = '바인딩') => {
      const p = person(name);
      f.remember(p);
      return control.popup(p, true, merchantUid);
    };

    it('starts a flow: a random merchant_uid, the min_age of the age policy, an HttpOnly SameSite=Lax cookie; only a hash is stored', async () => {
      const res = await f.http.post('/certifications/window').expect(201);
      expect(res.body).toEqual({ merchant_uid: expect.stringMatching(/^flow_[A-Za-z0-9_-]{24}$/), imp_code: null, min_age: 19, expires_at: expect.any(String) });
      const cookie = res.headers['set-cookie'][0] as string;
      const secret = new RegExp(`^certflow_${res.body.merchant_uid}=([A-Za-z0-9_-]{43}); Path=/; Max-Age=${900 + CLAIM_WINDOW_SECONDS}; HttpOnly; SameSite=Lax$`).exec(cookie)?.[1];
      expect(secret).toBeDefined();
      const [row] = await f.t.query<Record<string, unknown>>(`SELECT * FROM certification_flows WHERE merchant_uid = $1`, [res.body.merchant_uid]);
      expect(row).toMatchObject({ imp_uid: null, claimed_at: null, min_age: 19 });
      expect(JSON.stringify(row)).not.toContain(secret!);
      const other = await f.http.post('/certifications/window').expect(201);
      expect(other.body.merchant_uid).not.toBe(res.body.merchant_uid);
    });

    it('403 FLOW_MISMATCH for a stranger (no cookie, another flow\'s cookie), and for a merchant_uid never started here; nothing recorded', async () => {
      const merchantUid = await f.startWindow();
      const impUid = await certifiedFor(merchantUid);
      const stranger = request.agent(f.t.http);
      await stranger.post('/certifications/window').expect(201);
      for (const client of [request(f.t.http), stranger]) {
        const res = await client.post('/certifications').send({ imp_uid: impUid }).expect(403);
        expect(res.body.error.code).toBe('FLOW_MISMATCH');
        const redirect = await client.get(`/certifications/redirect?imp_uid=${impUid}&success=true`).expect(302);
        expect(redirect.headers.location).toBe(`/certification/failure?imp_uid=${impUid}&error_code=FLOW_MISMATCH`);
      }
      const foreign = await control.popup(person('외부주문'), true, 'order-20261201-1');
      const none = await control.popup(person('주문없음'));
      for (const id of [foreign, none]) expect((await f.http.post('/certifications').send({ imp_uid: id }).expect(403)).body.error.code).toBe('FLOW_MISMATCH');
      expect(await f.count(`certifications WHERE imp_uid IN ('${impUid}', '${foreign}', '${none}')`)).toBe(0);
      // the browser that started it still gets it
      const view = await f.http.post('/certifications').send({ imp_uid: impUid }).expect(200);
      f.secrets.add(view.body.verification_token);
      expect(view.body.imp_uid).toBe(impUid);
    });

    it('a client without cookies binds its own secret with the header', async () => {
      const secret = randomBytes(32).toString('base64url');
      const app = request(f.t.http);
      const started = await app.post('/certifications/window').set('x-certification-flow', secret).expect(201);
      expect(started.headers['set-cookie']).toBeUndefined();
      const impUid = await certifiedFor(started.body.merchant_uid);
      const wrong = await app.post('/certifications').set('x-certification-flow', randomBytes(32).toString('base64url')).send({ imp_uid: impUid }).expect(403);
      expect(wrong.body.error.code).toBe('FLOW_MISMATCH');
      await app.get(`/certifications/redirect?imp_uid=${impUid}&success=true`).set('x-certification-flow', secret).expect(302).expect('location', `/certification/success?imp_uid=${impUid}`);
      const view = await app.post('/certifications').set('x-certification-flow', secret).send({ imp_uid: impUid }).expect(200);
      f.secrets.add(view.body.verification_token);
    });

    it('409 FLOW_ALREADY_CLAIMED for a second certification of one flow (popup and redirect)', async () => {
      const merchantUid = await f.startWindow();
      const first = await certifiedFor(merchantUid);
      const second = await certifiedFor(merchantUid, '두번째');
      const view = await f.http.post('/certifications').send({ imp_uid: first }).expect(200);
      f.secrets.add(view.body.verification_token);
      expect((await f.http.post('/certifications').send({ imp_uid: second }).expect(409)).body.error.code).toBe('FLOW_ALREADY_CLAIMED');
      const redirect = await f.http.get(`/certifications/redirect?imp_uid=${second}&success=true`).expect(302);
      expect(redirect.headers.location).toBe(`/certification/failure?imp_uid=${second}&error_code=FLOW_ALREADY_CLAIMED`);
      expect(await f.count(`certifications WHERE imp_uid = '${second}'`)).toBe(0);
      const [row] = await f.t.query<{ imp_uid: string }>(`SELECT imp_uid FROM certification_flows WHERE merchant_uid = $1`, [merchantUid]);
      expect(row.imp_uid).toBe(first);
    });

    it(`410 FLOW_EXPIRED past the claim window (CERTIFICATION_CLAIM_WINDOW_SECONDS=${CLAIM_WINDOW_SECONDS}), also after a redirect recorded it`, async () => {
      const a = await certifiedFor(await f.startWindow());
      const b = await certifiedFor(await f.startWindow());
      await f.http.get(`/certifications/redirect?imp_uid=${b}&success=true`).expect(302).expect('location', `/certification/success?imp_uid=${b}`);
      await new Promise((r) => setTimeout(r, (CLAIM_WINDOW_SECONDS + 1.5) * 1000));
      expect((await f.http.post('/certifications').send({ imp_uid: a }).expect(410)).body.error.code).toBe('FLOW_EXPIRED');
      expect((await f.http.post('/certifications').send({ imp_uid: b }).expect(410)).body.error.code).toBe('FLOW_EXPIRED');
      const late = await f.http.get(`/certifications/redirect?imp_uid=${a}&success=true`).expect(302);
      expect(late.headers.location).toBe(`/certification/failure?imp_uid=${a}&error_code=FLOW_EXPIRED`);
      expect(await f.count(`certifications WHERE imp_uid = '${a}'`)).toBe(0);
      expect(await f.count(`verification_tokens t JOIN certifications c ON c.id = t.certification_id WHERE c.imp_uid = '${b}'`)).toBe(0);
    }, 30_000);
  });
}

describe('the window routes behind their rate limits', () => {
  let f: Flows;

  beforeAll(async () => {
    f = await Flows.start({ env: { TRUST_PROXY: 'true', WINDOW_START_LIMIT_PER_IP: '3', REDIRECT_LIMIT_PER_IP: '2' } });
  }, 120_000);

  afterAll(async () => {
    await f?.close();
  });

  it('refuses the 4th window start of an IP with 429 RATE_LIMITED, and sets the cookie Secure behind an HTTPS proxy', async () => {
    const ip = '198.51.100.31';
    for (let i = 0; i < 3; i++) {
      const res = await request(f.t.http).post('/certifications/window').set('x-forwarded-for', ip).set('x-forwarded-proto', 'https').expect(201);
      expect(res.headers['set-cookie'][0]).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    }
    const refused = await request(f.t.http).post('/certifications/window').set('x-forwarded-for', ip).expect(429);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    expect((await request(f.t.http).post('/certifications/window').set('x-forwarded-for', '198.51.100.32').expect(201)).headers['set-cookie'][0]).not.toMatch(/Secure/);
  });

  it('serves no demo page with real upstream keys unless DEMO_PAGE=true', async () => {
    expect((await request(f.t.http).get('/demo').expect(404)).body.error.code).toBe('NOT_FOUND');
  });

  it('answers the redirect over its limit with a 302 to the failure URL, error_code=RATE_LIMITED, without calling the upstream', async () => {
    const ip = '198.51.100.41';
    for (let i = 0; i < 2; i++) {
      await request(f.t.http).get('/certifications/redirect?imp_uid=imp_123456789012&success=true').set('x-forwarded-for', ip).expect(302);
    }
    const before = (await f.stats()).calls.getCertification;
    const limited = await request(f.t.http).get('/certifications/redirect?imp_uid=imp_123456789012&success=true').set('x-forwarded-for', ip).expect(302);
    expect(limited.headers.location).toBe('/certification/failure?error_code=RATE_LIMITED');
    expect((await f.stats()).calls.getCertification).toBe(before);
  });
});
