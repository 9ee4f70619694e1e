/**
 * The window flow on PortOne V2 (IDENTITY_PROVIDER=portone): the flow start names the V2
 * verification, bound to the browser as on V1; the completion reads it with the V2 GET through
 * @portone/server-sdk. On PostgreSQL and on PGlite. The browser itself: test/browser/.
 */
import request from 'supertest';
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';
import { CapturingLogger } from '../support/capturing-logger';
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';
import { SandboxControl } from '../support/sandbox-control';
import { createTestDatabase, startPgliteChild, type TestDatabase } from '../support/test-db';

const SECRET = 'e2e_portone_window_secret';

const databases: Array<[string, () => Promise<TestDatabase>]> = [
  ['PostgreSQL (or the configured test database)', createTestDatabase],
  ['PGlite (pool of one)', () => startPgliteChild()],
];

describe.each(databases)('PortOne V2 window signup on %s', (_name, makeDb) => {
  const logs = new CapturingLogger();
  let sandbox: IamportSandbox;
  let control: SandboxControl;
  let db: TestDatabase;
  let f: Flows;
  let seq = 0;
  const person = (overrides: Partial<Person> = {}): Person => ({
    name: `창투${String.fromCharCode(0xac00 + (++seq % 2000) + Math.floor(Math.random() * 8000))}`,
    phone: freshPhone(),
    birth: '19880808',
    gender_digit: '2',
    carrier: 'KT',
    ...overrides,
  });

  beforeAll(async () => {
    sandbox = new IamportSandbox({ portoneApiSecret: SECRET });
    const url = await sandbox.listen(0);
    control = new SandboxControl(url);
    db = await makeDb();
    f = await Flows.start({
      db,
      sandbox,
      logger: logs,
      env: { IDENTITY_PROVIDER: 'portone', PORTONE_BASE_URL: url, PORTONE_API_SECRET: SECRET, PORTONE_CHANNEL_KEY: 'channel-key-sandbox', PORTONE_STORE_ID: 'store-sandbox', AGE_POLICY_MIN_AGE: '19' },
    });
  }, 120_000);

  afterAll(async () => {
    await f?.close();
    await db?.drop();
    await sandbox?.close();
  });

  it('start names the V2 verification and binds it to this browser; completion, token once, signup', async () => {
    const started = await f.http.post('/certifications/window').expect(201);
    expect(started.body).toEqual({
      merchant_uid: expect.stringMatching(/^flow_/),
      imp_code: started.body.imp_code,
      min_age: 19,
      expires_at: expect.any(String),
      provider: 'portone',
      imp_uid: `identity-verification-${started.body.merchant_uid}`,
      store_id: 'store-sandbox',
      channel_key: 'channel-key-sandbox',
    });
    expect(String(started.headers['set-cookie'])).toContain(`certflow_${started.body.merchant_uid}=`);
    const p = person();
    f.remember(p);
    const id = await control.windowV2(p, started.body.imp_uid);
    // another browser holding no cookie learns nothing but 403
    expect((await request(f.t.http).post('/certifications').send({ imp_uid: id }).expect(403)).body.error.code).toBe('FLOW_MISMATCH');
    const verified = await f.http.post('/certifications').send({ imp_uid: id }).expect(200);
    f.secrets.add(verified.body.verification_token);
    expect(verified.body).toMatchObject({ imp_uid: id, status: 'verified', birthday: '1988-08-08', gender: 'female', provider: 'portone' });
    expect((await f.http.post('/certifications').send({ imp_uid: id }).expect(409)).body.error.code).toBe('ALREADY_CONFIRMED');
    await f.signup(verified.body.verification_token).expect(201);
    const [row] = await f.t.query<{ provider: string; flow: string; status: string }>(
      `SELECT provider, flow, status FROM certifications WHERE imp_uid = $1`,
      [id],
    );
    expect(row).toEqual({ provider: 'portone', flow: 'popup', status: 'used' });
  });

  it('redirect: identityVerificationId in the query records it (no token in the URL); code means failure', async () => {
    const started = await f.startWindowAnswer();
    const id = await control.windowV2(person(), started.imp_uid);
    const back = await f.http.get(`/certifications/redirect?identityVerificationId=${id}&identityVerificationTxId=tx-1&transactionType=IDENTITY_VERIFICATION`).redirects(0).expect(302);
    expect(back.headers.location).toBe(`/certification/success?imp_uid=${id}`);
    const claimed = await f.http.post('/certifications').send({ imp_uid: id }).expect(200);
    f.secrets.add(claimed.body.verification_token);

    const failed = await f.startWindowAnswer();
    const failure = await f.http.get(`/certifications/redirect?identityVerificationId=${failed.imp_uid}&code=FAILURE_TYPE_PG&message=x`).redirects(0).expect(302);
    expect(failure.headers.location).toBe(`/certification/failure?imp_uid=${failed.imp_uid}&error_code=NOT_CERTIFIED`);
    // a V1 redirect still reads imp_uid + success
    expect((await f.http.get(`/certifications/redirect?imp_uid=${id}&success=false`).redirects(0).expect(302)).headers.location).toContain('error_code=NOT_CERTIFIED');
  });

  it('an unfinished window is 409 NOT_CERTIFIED; an unknown id 404; an OTP verification is no flow of ours (403)', async () => {
    const started = await f.startWindowAnswer();
    await control.windowV2(person(), started.imp_uid, false);
    expect((await f.http.post('/certifications').send({ imp_uid: started.imp_uid }).expect(409)).body.error.code).toBe('NOT_CERTIFIED');
    const unknown = await f.startWindowAnswer();
    expect((await f.http.post('/certifications').send({ imp_uid: unknown.imp_uid }).expect(404)).body.error.code).toBe('CERTIFICATION_NOT_FOUND');
    const p = person();
    const requested = await f.requestOtp(p).expect(201);
    expect((await f.http.post('/certifications').send({ imp_uid: requested.body.imp_uid }).expect(403)).body.error.code).toBe('FLOW_MISMATCH');
  });

  it('the same person through the OTP API and then the window has one account (409 ALREADY_REGISTERED)', async () => {
    const p = person();
    await f.signup((await f.verifyByOtp(p)).view.verification_token).expect(201);
    const again = await f.verifyByWindowV2({ ...p, phone: freshPhone() });
    expect((await f.signup(again.view.verification_token).expect(409)).body.error.code).toBe('ALREADY_REGISTERED');
  });

  it('the age policy applies on V2 windows: a 15-year-old is refused 403 AGE_RESTRICTED', async () => {
    const year = new Date().getUTCFullYear() - 15;
    const { view } = await f.verifyByWindowV2(person({ birth: `${year}0303`, gender_digit: '4' }));
    expect((await f.signup(view.verification_token).expect(403)).body.error).toMatchObject({ code: 'AGE_RESTRICTED', details: { min_age: 19 } });
  });

  it('no API secret, name, phone or token in any log line', () => {
    const text = logs.lines.join('\n');
    expect(text).not.toContain(SECRET);
    for (const secret of f.secrets) expect(text).not.toContain(secret);
  });
});
