/**
 * Whole signups through the real api (Fastify, global pipe and filter) on a fresh database with
 * the in-process sandbox as upstream: OTP flow, popup flow, redirect flow, one account per
 * person, single-use tokens, 50 concurrent signups of one person, and no personal data in
 * clear in any table or in any log line of the run.
 */
import { CapturingLogger } from '../support/capturing-logger';
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';

const logs = new CapturingLogger();
let f: Flows;

beforeAll(async () => {
  f = await Flows.start({ logger: logs });
});

afterAll(async () => {
  await f?.close();
});

function person(overrides: Partial<Person> = {}): Person {
  return { name: '홍길동', phone: freshPhone(), birth: '19900101', gender_digit: '1', carrier: 'SKT', ...overrides };
}

describe('OTP flow signup', () => {
  it('requests an OTP, confirms it and signs up', async () => {
    const p = person({ name: '김민수', birth: '1991-03-04', phone: `+82 10-${freshPhone().slice(3, 7)}-${freshPhone().slice(7)}` });
    const requested = await f.requestOtp(p).expect(201);
    expect(requested.body).toEqual({ imp_uid: expect.stringMatching(/^imp_\d{12}$/), expires_at: expect.any(String) });
    const expiresIn = Date.parse(requested.body.expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(170_000); // OTP_TTL_SECONDS default 180
    expect(expiresIn).toBeLessThanOrEqual(180_000);

    // the pending row: encrypted name and phone, blind index, birthday, no CI yet
    const [pending] = await f.t.query<Record<string, unknown>>(
      `SELECT status, flow, otp_attempts, name_enc, phone_enc, phone_bidx, ci_enc, birthday::text AS birthday FROM certifications WHERE imp_uid = $1`,
      [requested.body.imp_uid],
    );
    expect(pending).toMatchObject({ status: 'pending', flow: 'otp', otp_attempts: 0, ci_enc: null, birthday: '1991-03-04' });
    expect(pending.name_enc).toMatch(/^v2\./);
    expect(pending.phone_enc).toMatch(/^v2\./);
    expect(pending.phone_bidx).toMatch(/^[0-9a-f]{64}$/);

    // the upstream got the birth as YYMMDD
    const upstream = await f.upstreamCertification(requested.body.imp_uid);
    expect(upstream.birthday).toBe('1991-03-04');

    const otp = await f.latestOtp(p.phone.replace(/\D/g, '').replace(/^82/, '0'), requested.body.imp_uid);
    const confirmed = await f.confirm(requested.body.imp_uid, otp).expect(200);
    f.secrets.add(confirmed.body.verification_token);
    expect(confirmed.body).toEqual({
      imp_uid: requested.body.imp_uid,
      status: 'verified',
      certified_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      name: '김*수',
      birthday: '1991-03-04',
      age: expect.any(Number),
      gender: 'male',
      foreigner: false,
      verification_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      verification_expires_at: expect.any(String),
    });
    const tokenLife = Date.parse(confirmed.body.verification_expires_at) - Date.now();
    expect(tokenLife).toBeGreaterThan(1790_000);
    expect(tokenLife).toBeLessThanOrEqual(1800_000);
    for (const key of ['ci', 'di', 'unique_key', 'unique_in_site', 'phone']) expect(confirmed.body).not.toHaveProperty(key);

    const [verified] = await f.t.query<Record<string, unknown>>(
      `SELECT c.status, c.ci_bidx, c.ci_enc, c.di_enc, c.gender, c.foreigner, t.token_hash
         FROM certifications c JOIN verification_tokens t ON t.certification_id = c.id WHERE c.imp_uid = $1`,
      [requested.body.imp_uid],
    );
    expect(verified).toMatchObject({ status: 'verified', gender: 'male', foreigner: false });
    expect(verified.ci_bidx).toMatch(/^[0-9a-f]{64}$/);
    expect(verified.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verified.token_hash).not.toBe(confirmed.body.verification_token);

    const created = await f.signup(confirmed.body.verification_token, { nickname: '민수', marketing_opt_in: true }).expect(201);
    expect(created.body).toEqual({ id: expect.any(String), created_at: expect.any(String) });
    const [user] = await f.t.query<Record<string, unknown>>(
      `SELECT u.nickname, u.marketing_opt_in, u.birthday::text AS birthday, u.ci_bidx, c.status, c.used_at IS NOT NULL AS used
         FROM users u JOIN certifications c ON c.id = u.certification_id WHERE u.id = $1`,
      [created.body.id],
    );
    expect(user).toMatchObject({ nickname: '민수', marketing_opt_in: true, birthday: '1991-03-04', ci_bidx: verified.ci_bidx, status: 'used', used: true });

    // a confirmation of a used verification
    await f.confirm(requested.body.imp_uid, otp).expect(409).expect((r) => expect(r.body.error.code).toBe('ALREADY_CONFIRMED'));
  });

  it('answers 409 ALREADY_CONFIRMED to a second confirmation (the token is issued once)', async () => {
    const p = person({ name: '이서연', birth: '950505', gender_digit: '2' });
    const { impUid, otp } = await f.verifyByOtp(p);
    const before = await f.stats();
    const again = await f.confirm(impUid, otp).expect(409);
    expect(again.body.error.code).toBe('ALREADY_CONFIRMED');
    expect((await f.stats()).calls.confirmOtp).toBe(before.calls.confirmOtp); // not asked upstream
  });

  it('gives the same person through another phone 409 ALREADY_REGISTERED', async () => {
    const p = person({ name: '박지훈', birth: '880808' });
    const first = await f.verifyByOtp(p);
    await f.signup(first.view.verification_token).expect(201);

    const second = await f.verifyByOtp({ ...p, phone: freshPhone(), carrier: 'KT' });
    const res = await f.signup(second.view.verification_token).expect(409);
    expect(res.body).toEqual({
      error: { code: 'ALREADY_REGISTERED', message: expect.any(String) },
      request_id: expect.any(String),
    });
    // the refused signup left its verification and token unused
    const [row] = await f.t.query<{ status: string }>(`SELECT status FROM certifications WHERE imp_uid = $1`, [second.impUid]);
    expect(row.status).toBe('verified');
    expect(await f.count(`users u JOIN certifications c ON c.id = u.certification_id WHERE c.imp_uid = '${second.impUid}'`)).toBe(0);
  });

  it('lets a token sign up once: 409 VERIFICATION_USED afterwards', async () => {
    const { view } = await f.verifyByOtp(person({ name: '최유진', birth: '000229', gender_digit: '4' }));
    await f.signup(view.verification_token).expect(201);
    const again = await f.signup(view.verification_token).expect(409);
    expect(again.body.error.code).toBe('VERIFICATION_USED');
  });
});

describe('popup flow signup', () => {
  it('records the popup result, issues the token once and signs up', async () => {
    const p = person({ name: '정하늘', birth: '19930712', gender_digit: '2', carrier: 'LGT' });
    const { impUid, view } = await f.verifyByPopup(p);
    expect(view).toMatchObject({ imp_uid: impUid, status: 'verified', name: '정*늘', birthday: '1993-07-12', gender: 'female', foreigner: false });
    const [row] = await f.t.query<Record<string, unknown>>(`SELECT flow, status, otp_expires_at FROM certifications WHERE imp_uid = $1`, [impUid]);
    expect(row).toEqual({ flow: 'popup', status: 'verified', otp_expires_at: null });

    const again = await f.http.post('/certifications').send({ imp_uid: impUid }).expect(409);
    expect(again.body.error.code).toBe('ALREADY_CONFIRMED');

    await f.signup(view.verification_token).expect(201);
    // the same person in the OTP flow afterwards: one account per person
    const otp = await f.verifyByOtp({ ...p, phone: freshPhone() });
    expect((await f.signup(otp.view.verification_token).expect(409)).body.error.code).toBe('ALREADY_REGISTERED');
  });

  it('answers 409 NOT_CERTIFIED for an unfinished popup and 404 for an unknown imp_uid', async () => {
    const p = person({ name: '한가람' });
    f.remember(p);
    const unfinished = await f.popup(p, false);
    expect((await f.http.post('/certifications').send({ imp_uid: unfinished }).expect(409)).body.error.code).toBe('NOT_CERTIFIED');
    expect((await f.http.post('/certifications').send({ imp_uid: 'imp_000000000001' }).expect(404)).body.error.code).toBe(
      'CERTIFICATION_NOT_FOUND',
    );
    expect(await f.count(`certifications WHERE imp_uid IN ('${unfinished}', 'imp_000000000001')`)).toBe(0);
  });

  it('issues one token for concurrent posts of one imp_uid: the unique index on imp_uid decides', async () => {
    const p = person({ name: '오세훈', birth: '870303' });
    f.remember(p);
    const impUid = await f.popup(p);
    const answers = await Promise.all(Array.from({ length: 10 }, () => f.http.post('/certifications').send({ imp_uid: impUid })));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('ALREADY_CONFIRMED');
    f.secrets.add(answers.find((a) => a.status === 200)!.body.verification_token);
    expect(await f.count(`verification_tokens t JOIN certifications c ON c.id = t.certification_id WHERE c.imp_uid = '${impUid}'`)).toBe(1);
  });
});

describe('redirect flow', () => {
  it('records the certification, redirects with the imp_uid only, and POST /certifications then issues the token', async () => {
    const p = person({ name: '윤도현', birth: '920202' });
    f.remember(p);
    const impUid = await f.popup(p);
    const res = await f.http.get(`/certifications/redirect?imp_uid=${impUid}&merchant_uid=order-1&success=true`).expect(302);
    expect(res.headers.location).toBe(`/certification/success?imp_uid=${impUid}`);
    const [row] = await f.t.query<{ status: string; tokens: string }>(
      `SELECT status, (SELECT count(*)::text FROM verification_tokens t WHERE t.certification_id = c.id) AS tokens FROM certifications c WHERE imp_uid = $1`,
      [impUid],
    );
    expect(row).toEqual({ status: 'verified', tokens: '0' });
    // a reload of the landing page is harmless
    await f.http.get(`/certifications/redirect?imp_uid=${impUid}&success=true`).expect(302).expect('location', `/certification/success?imp_uid=${impUid}`);

    const view = await f.http.post('/certifications').send({ imp_uid: impUid }).expect(200);
    f.secrets.add(view.body.verification_token);
    expect(view.body).toMatchObject({ imp_uid: impUid, status: 'verified', name: '윤*현' });
    await f.http.post('/certifications').send({ imp_uid: impUid }).expect(409);
    await f.signup(view.body.verification_token).expect(201);
  });

  it('redirects failures to the failure URL with an error code and no personal data', async () => {
    const p = person({ name: '장미란' });
    f.remember(p);
    const unfinished = await f.popup(p, false);
    const cases: Array<[string, string]> = [
      [`/certifications/redirect?imp_uid=${unfinished}&success=false`, `/certification/failure?imp_uid=${unfinished}&error_code=NOT_CERTIFIED`],
      [`/certifications/redirect?imp_uid=${unfinished}&success=true`, `/certification/failure?imp_uid=${unfinished}&error_code=NOT_CERTIFIED`],
      ['/certifications/redirect?imp_uid=imp_999999999999&success=true', '/certification/failure?imp_uid=imp_999999999999&error_code=CERTIFICATION_NOT_FOUND'],
      ['/certifications/redirect?success=true', '/certification/failure?error_code=VALIDATION_FAILED'],
      ['/certifications/redirect?imp_uid=%3Cscript%3E&success=true', '/certification/failure?error_code=VALIDATION_FAILED'],
    ];
    for (const [path, location] of cases) {
      const res = await f.http.get(path).expect(302);
      expect(res.headers.location).toBe(location);
    }
    const faultId = await f.fault({ path_prefix: '/certifications/', method: 'GET', status: 500, times: 3 });
    const impUid = await f.popup(person({ name: '고은비' }));
    const failed = await f.http.get(`/certifications/redirect?imp_uid=${impUid}&success=true`).expect(302);
    expect(failed.headers.location).toBe(`/certification/failure?imp_uid=${impUid}&error_code=UPSTREAM_ERROR`);
    await f.sandbox('DELETE', `/__sandbox/faults/${faultId}`);
  });
});

describe('one account per person under concurrency', () => {
  it('50 concurrent signups of one person holding 50 valid tokens: exactly one 201, 49 409 ALREADY_REGISTERED, no 5xx', async () => {
    const p = person({ name: '동시성', birth: '19850615' });
    f.remember(p);
    const tokens: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const views = await Promise.all(Array.from({ length: 10 }, () => f.verifyByPopup({ ...p, phone: freshPhone() })));
      tokens.push(...views.map((v) => v.view.verification_token as string));
    }
    expect(new Set(tokens).size).toBe(50);

    const answers = await Promise.all(tokens.map((token) => f.signup(token)));
    const byStatus = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    expect(byStatus).toEqual({ 201: 1, 409: 49 });
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('ALREADY_REGISTERED');
    const winner = answers.find((a) => a.status === 201)!;
    const [{ n }] = await f.t.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM users WHERE ci_bidx = (SELECT ci_bidx FROM users WHERE id = $1)`,
      [winner.body.id],
    );
    expect(n).toBe('1');
    // exactly one verification and one token were consumed
    expect(await f.count(`verification_tokens WHERE used_at IS NOT NULL AND certification_id IN (SELECT certification_id FROM users WHERE id = '${winner.body.id}')`)).toBe(1);
  });
});

describe('personal data at rest and in logs', () => {
  it('keeps no name, phone, CI or DI in clear in any table', async () => {
    const { impUid, view } = await f.verifyByOtp(person({ name: '평문없음', birth: '010101', gender_digit: '3' }));
    await f.signup(view.verification_token).expect(201);
    const upstream = await f.upstreamCertification(impUid);
    expect(upstream.unique_key).toHaveLength(88);
    // CIs and DIs of every verification of this run
    const impUids = (await f.t.query<{ imp_uid: string }>(`SELECT imp_uid FROM certifications WHERE ci_enc IS NOT NULL`)).map((r) => r.imp_uid);
    for (const id of impUids) await f.upstreamCertification(id);

    const { tables, text } = await f.dumpAllTables();
    expect(tables).toEqual(expect.arrayContaining(['certifications', 'verification_tokens', 'users']));
    expect(text).toContain(impUid); // the dump is real
    expect(f.leaked(text, { otps: false })).toEqual([]);
  });

  it('writes none of them, nor any OTP or token, to the logs of the whole run', async () => {
    expect(logs.lines.length).toBeGreaterThan(10);
    expect(f.otps.size).toBeGreaterThan(5);
    // the detector itself works: an OTP or a token in a line is found
    expect(f.leaked(`code ${[...f.otps][0]}.`)).toHaveLength(1);
    expect(f.leaked(`imp_1${[...f.otps][0]}00000`)).toEqual([]); // not inside a longer number
    expect(f.leaked(logs.lines.join('\n'))).toEqual([]);
  });
});
