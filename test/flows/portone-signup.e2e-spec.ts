/**
 * The OTP signup on PortOne V2 (IDENTITY_PROVIDER=portone), against the sandbox's V2 through
 * @portone/server-sdk, on PostgreSQL and on PGlite: one account per person keyed by CI or DI.
 */
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';
import { CapturingLogger } from '../support/capturing-logger';
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';
import { createTestDatabase, startPgliteChild, type TestDatabase } from '../support/test-db';

const SECRET = 'e2e_portone_secret';

const databases: Array<[string, () => Promise<TestDatabase>]> = [
  ['PostgreSQL (or the configured test database)', createTestDatabase],
  ['PGlite (pool of one)', () => startPgliteChild()],
];

describe.each(databases)('PortOne V2 OTP signup on %s', (_name, makeDb) => {
  const logs = new CapturingLogger();
  let sandbox: IamportSandbox;
  let db: TestDatabase;
  let f: Flows;
  let seq = 0;
  const person = (overrides: Partial<Person> = {}): Person => ({
    name: `브이투${String.fromCharCode(0xac00 + (++seq % 2000) + Math.floor(Math.random() * 8000))}`,
    phone: freshPhone(),
    birth: '19870707',
    gender_digit: '1',
    carrier: 'SKT',
    ...overrides,
  });
  const switches = (body: { omit_ci?: boolean; omit_di?: boolean }) => f.sandbox('POST', '/__sandbox/v2/switches', body);
  const userRow = async (impUid: string) =>
    (await f.t.query<{ provider: string; has_ci: boolean; has_di: boolean }>(
      `SELECT u.provider, u.ci_bidx IS NOT NULL AS has_ci, u.di_bidx IS NOT NULL AS has_di
         FROM users u JOIN certifications c ON c.id = u.certification_id WHERE c.imp_uid = $1`,
      [impUid],
    ))[0];

  beforeAll(async () => {
    sandbox = new IamportSandbox({ portoneApiSecret: SECRET });
    const url = await sandbox.listen(0);
    db = await makeDb();
    f = await Flows.start({
      db,
      sandbox,
      logger: logs,
      env: { IDENTITY_PROVIDER: 'portone', PORTONE_BASE_URL: url, PORTONE_API_SECRET: SECRET, PORTONE_CHANNEL_KEY: 'channel-key-sandbox', AGE_POLICY_MIN_AGE: '19' },
    });
  }, 120_000);

  afterAll(async () => {
    await f?.close();
    await db?.drop();
    await sandbox?.close();
  });

  afterEach(async () => {
    await switches({ omit_ci: false, omit_di: false });
    await f.clearFaults();
  });

  it('request, confirm and signup: answers name the provider, imp_uid is the V2 id, CI and DI both stored', async () => {
    const p = person();
    const requested = await f.requestOtp(p).expect(201);
    expect(requested.body).toEqual({ imp_uid: expect.stringMatching(/^identity-verification-[0-9a-f-]{36}$/), expires_at: expect.any(String), provider: 'portone' });
    const otp = await f.latestOtp(p.phone, requested.body.imp_uid);
    const confirmed = await f.confirm(requested.body.imp_uid, otp).expect(200);
    f.secrets.add(confirmed.body.verification_token);
    expect(confirmed.body).toMatchObject({ imp_uid: requested.body.imp_uid, status: 'verified', birthday: '1987-07-07', gender: 'male', provider: 'portone' });
    await f.signup(confirmed.body.verification_token).expect(201);
    expect(await userRow(requested.body.imp_uid)).toEqual({ provider: 'portone', has_ci: true, has_di: true });
    const [row] = await f.t.query<{ provider: string; carrier: string }>(`SELECT provider, carrier FROM certifications WHERE imp_uid = $1`, [requested.body.imp_uid]);
    expect(row).toEqual({ provider: 'portone', carrier: 'SKT' });
  });

  it('resend: a new OTP for the same imp_uid, the old one no longer matches', async () => {
    const p = person({ carrier: 'LGT' });
    const requested = await f.requestOtp(p).expect(201);
    const impUid = requested.body.imp_uid as string;
    const first = await f.latestOtp(p.phone, impUid);
    const resent = await f.http.post(`/certifications/otp/resend/${impUid}`).expect(201);
    expect(resent.body).toMatchObject({ imp_uid: impUid, provider: 'portone' });
    const second = await f.latestOtp(p.phone, impUid);
    if (first !== second) expect((await f.confirm(impUid, first).expect(400)).body.error.code).toBe('OTP_MISMATCH');
    await f.confirm(impUid, second).expect(200);
    expect((await f.http.post(`/certifications/otp/resend/${impUid}`).expect(410)).body.error.code).toBe('OTP_EXPIRED');
    expect((await f.http.post('/certifications/otp/resend/unknown-id').expect(404)).body.error.code).toBe('CERTIFICATION_NOT_FOUND');
  });

  it('50 concurrent signups of one person: one 201, 49 409 ALREADY_REGISTERED', async () => {
    const p = person();
    const tokens: string[] = [];
    for (let i = 0; i < 50; i++) tokens.push((await f.verifyByOtp({ ...p, phone: freshPhone() })).view.verification_token as string);
    const answers = await Promise.all(tokens.map((token) => f.signup(token)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 409);
    expect(refused).toHaveLength(49);
    expect(new Set(refused.map((a) => a.body.error.code))).toEqual(new Set(['ALREADY_REGISTERED']));
  }, 120_000);

  it('CI-less (Danal without the CI contract) and DI-less (Inicis) verifications sign up once', async () => {
    await switches({ omit_ci: true });
    const danal = person();
    const a = await f.verifyByOtp(danal);
    await f.signup(a.view.verification_token).expect(201);
    expect(await userRow(a.impUid)).toEqual({ provider: 'portone', has_ci: false, has_di: true });
    await switches({ omit_ci: false, omit_di: true });
    const inicis = person();
    const b = await f.verifyByOtp(inicis);
    await f.signup(b.view.verification_token).expect(201);
    expect(await userRow(b.impUid)).toEqual({ provider: 'portone', has_ci: true, has_di: false });
    // each is recognised again by the key it has
    const againB = await f.verifyByOtp({ ...inicis, phone: freshPhone() });
    expect((await f.signup(againB.view.verification_token).expect(409)).body.error.code).toBe('ALREADY_REGISTERED');
    await switches({ omit_ci: true, omit_di: false });
    const againA = await f.verifyByOtp({ ...danal, phone: freshPhone() });
    expect((await f.signup(againA.view.verification_token).expect(409)).body.error.code).toBe('ALREADY_REGISTERED');
  });

  it('a person first verified with CI and DI is the same account when a later verification gives only one of them', async () => {
    const p = person();
    await f.signup((await f.verifyByOtp(p)).view.verification_token).expect(201);
    for (const only of [{ omit_ci: true, omit_di: false }, { omit_ci: false, omit_di: true }]) {
      await switches(only);
      const again = await f.verifyByOtp({ ...p, phone: freshPhone() });
      expect((await f.signup(again.view.verification_token).expect(409)).body.error.code).toBe('ALREADY_REGISTERED');
    }
  });

  it('a verification with neither CI nor DI cannot sign up: 422 IDENTITY_KEY_MISSING, the attempt given back', async () => {
    await switches({ omit_ci: true, omit_di: true });
    const p = person();
    const requested = await f.requestOtp(p).expect(201);
    const otp = await f.latestOtp(p.phone, requested.body.imp_uid);
    const res = await f.confirm(requested.body.imp_uid, otp).expect(422);
    expect(res.body.error.code).toBe('IDENTITY_KEY_MISSING');
    const [row] = await f.t.query<{ status: string; otp_attempts: number }>(`SELECT status, otp_attempts FROM certifications WHERE imp_uid = $1`, [requested.body.imp_uid]);
    expect(row).toEqual({ status: 'pending', otp_attempts: 0 });
  });

  it('maps the V2 errors to the stable codes', async () => {
    // the carrier refuses (PgProviderError on send) -> 422
    expect((await f.requestOtp(person({ phone: '010-5555-0000' })).expect(422)).body.error.code).toBe('IDENTITY_REJECTED');
    const p = person({ carrier: 'KT' });
    const requested = await f.requestOtp({ ...p, is_mvno: true }).expect(201);
    const impUid = requested.body.imp_uid as string;
    const otp = await f.latestOtp(p.phone, impUid);
    const wrong = otp === '000000' ? '111111' : '000000';
    // PgProviderError (mismatch) on confirm -> 400 OTP_MISMATCH with the attempts left
    const mismatch = await f.confirm(impUid, wrong).expect(400);
    expect(mismatch.body.error).toMatchObject({ code: 'OTP_MISMATCH', details: { attempts_left: 4 } });
    // a 5xx of the API -> 502, a dropped connection -> 503; the attempt is given back
    await f.fault({ path_prefix: `/identity-verifications/${impUid}/confirm`, status: 500, times: 1 });
    expect((await f.confirm(impUid, otp).expect(502)).body.error.code).toBe('UPSTREAM_ERROR');
    await f.fault({ path_prefix: `/identity-verifications/${impUid}/confirm`, drop: true, times: 1 });
    expect((await f.confirm(impUid, otp).expect(503)).body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    // the confirmation went through upstream but its answer was lost: AlreadyVerified -> recovered
    await f.fault({ path_prefix: `/identity-verifications/${impUid}/confirm`, drop: true, process_request: true, times: 1 });
    await f.confirm(impUid, otp).expect(503);
    const recovered = await f.confirm(impUid, otp).expect(200);
    f.secrets.add(recovered.body.verification_token);
    expect((await f.confirm(impUid, otp).expect(409)).body.error.code).toBe('ALREADY_CONFIRMED');
    const [row] = await f.t.query<{ carrier: string; otp_attempts: number }>(`SELECT carrier, otp_attempts FROM certifications WHERE imp_uid = $1`, [impUid]);
    expect(row).toEqual({ carrier: 'KT_MVNO', otp_attempts: 2 });
    // expired upstream (the sandbox's clock) -> 410
    const late = person();
    const lateId = (await f.requestOtp(late).expect(201)).body.imp_uid as string;
    const lateOtp = await f.latestOtp(late.phone, lateId);
    await f.sandbox('POST', '/__sandbox/clock', { advance_seconds: 200 });
    expect((await f.confirm(lateId, lateOtp).expect(410)).body.error.code).toBe('OTP_EXPIRED');
  });

  it('the age policy applies on V2: a 15-year-old is refused 403 AGE_RESTRICTED', async () => {
    const year = new Date().getUTCFullYear() - 15;
    const young = person({ birth: `${year}0101`, gender_digit: '3' });
    const { view } = await f.verifyByOtp(young);
    expect(view).toMatchObject({ provider: 'portone', age: expect.any(Number) });
    const res = await f.signup(view.verification_token).expect(403);
    expect(res.body.error.code).toBe('AGE_RESTRICTED');
  });

  it('no API secret, OTP, name, phone or token in any log line', () => {
    const text = logs.lines.join('\n');
    expect(text).not.toContain(SECRET);
    for (const secret of f.secrets) expect(text).not.toContain(secret);
  });
});
