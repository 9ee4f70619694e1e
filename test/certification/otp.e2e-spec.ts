/**
 * The OTP flow's rules against the real api and the sandbox: attempt limit (sequential and
 * parallel), expiry (ours and the upstream's), upstream refusals and failures, and recovery of
 * a confirmation whose answer was lost.
 */
import { CertificationService } from '@app/certification';
import { CapturingLogger } from '../support/capturing-logger';
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';

const logs = new CapturingLogger();
let f: Flows;

beforeAll(async () => {
  f = await Flows.start({ logger: logs, env: { IAMPORT_TIMEOUT_MS: '1000' } });
});

afterAll(async () => {
  await f?.close();
});

afterEach(async () => {
  await f.clearFaults();
});

let seq = 0;
function person(overrides: Partial<Person> = {}): Person {
  seq += 1;
  const names = ['강민호', '송지아', '임하준', '서윤아', '권도윤', '황서준', '안지민', '배수아', '조예준', '문채원', '노하은', '유시우'];
  return { name: names[seq % names.length], phone: freshPhone(), birth: `9${seq % 10}0${(seq % 9) + 1}15`, gender_digit: '1', carrier: 'SKT', ...overrides };
}

async function pending(p: Person = person()): Promise<{ impUid: string; otp: string; p: Person }> {
  const res = await f.requestOtp(p).expect(201);
  const otp = await f.latestOtp(p.phone, res.body.imp_uid);
  return { impUid: res.body.imp_uid, otp, p };
}

function wrong(otp: string): string {
  return otp === '000000' ? '111111' : '000000';
}

async function row(impUid: string): Promise<{ status: string; otp_attempts: number; tokens: number }> {
  const [r] = await f.t.query<{ status: string; otp_attempts: number; tokens: string }>(
    `SELECT status, otp_attempts, (SELECT count(*) FROM verification_tokens t WHERE t.certification_id = c.id)::text AS tokens
       FROM certifications c WHERE imp_uid = $1`,
    [impUid],
  );
  return { status: r.status, otp_attempts: r.otp_attempts, tokens: Number(r.tokens) };
}

describe('attempt limit', () => {
  it('counts wrong OTPs down in attempts_left and still accepts the right one', async () => {
    const { impUid, otp } = await pending();
    const res = await f.confirm(impUid, wrong(otp)).expect(400);
    expect(res.body.error).toEqual({ code: 'OTP_MISMATCH', message: expect.any(String), details: { attempts_left: 4 } });
    await f.confirm(impUid, otp).expect(200);
    expect(await row(impUid)).toEqual({ status: 'verified', otp_attempts: 2, tokens: 1 });
  });

  it('locks after 5 wrong OTPs: the right one then gets 429 without asking the upstream', async () => {
    const { impUid, otp } = await pending();
    const left: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await f.confirm(impUid, wrong(otp)).expect(400);
      left.push(res.body.error.details.attempts_left);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    expect(await row(impUid)).toEqual({ status: 'locked', otp_attempts: 5, tokens: 0 });

    const before = await f.stats();
    const refused = await f.confirm(impUid, otp).expect(429);
    expect(refused.body.error.code).toBe('OTP_ATTEMPTS_EXCEEDED');
    const after = await f.stats();
    expect(after.calls.confirmOtp).toBe(before.calls.confirmOtp);
    expect(after.calls.getCertification).toBe(before.calls.getCertification);
  });

  it('never lets parallel wrong guesses exceed the cap', async () => {
    const { impUid, otp } = await pending();
    const before = await f.stats();
    const answers = await Promise.all(Array.from({ length: 20 }, () => f.confirm(impUid, wrong(otp))));
    const codes = answers.map((a) => `${a.status} ${a.body.error?.code}`).sort();
    expect(codes.filter((c) => c === '400 OTP_MISMATCH')).toHaveLength(5);
    expect(codes.filter((c) => c === '429 OTP_ATTEMPTS_EXCEEDED')).toHaveLength(15);
    const after = await f.stats();
    expect(after.calls.confirmOtp - before.calls.confirmOtp).toBe(5);
    expect(await row(impUid)).toEqual({ status: 'locked', otp_attempts: 5, tokens: 0 });
    await f.confirm(impUid, otp).expect(429);
  });
});

describe('expiry', () => {
  it('answers 410 OTP_EXPIRED past otp_expires_at without asking the upstream, and marks the row expired', async () => {
    const { impUid, otp } = await pending();
    await f.t.query(`UPDATE certifications SET otp_expires_at = now() - interval '1 second' WHERE imp_uid = $1`, [impUid]);
    const before = await f.stats();
    expect((await f.confirm(impUid, otp).expect(410)).body.error.code).toBe('OTP_EXPIRED');
    expect((await f.stats()).calls.confirmOtp).toBe(before.calls.confirmOtp);
    expect(await row(impUid)).toEqual({ status: 'expired', otp_attempts: 0, tokens: 0 });
    await f.confirm(impUid, otp).expect(410);
  });

  it('tells an OTP the upstream expired from a wrong one (410, no attempt counted as a mismatch)', async () => {
    const { impUid, otp } = await pending();
    await f.sandbox('POST', '/__sandbox/clock', { advance_seconds: 181 }); // past the sandbox's 180 s
    const res = await f.confirm(impUid, otp).expect(410);
    expect(res.body.error.code).toBe('OTP_EXPIRED');
    expect((await row(impUid)).status).toBe('expired');
  });
});

describe('unknown and refused', () => {
  it('answers 404 CERTIFICATION_NOT_FOUND for an unknown imp_uid and for a popup verification', async () => {
    expect((await f.confirm('imp_123456789012', '123456').expect(404)).body.error.code).toBe('CERTIFICATION_NOT_FOUND');
    const p = person();
    f.remember(p);
    const { impUid } = await f.verifyByPopup(p);
    expect((await f.confirm(impUid, '123456').expect(404)).body.error.code).toBe('CERTIFICATION_NOT_FOUND');
  });

  it('answers 422 IDENTITY_REJECTED when the carrier refuses the person, and writes nothing', async () => {
    const before = await f.count('certifications');
    const res = await f.requestOtp(person({ phone: '010-9876-0000' })).expect(422);
    expect(res.body.error).toEqual({
      code: 'IDENTITY_REJECTED',
      message: expect.any(String),
      details: { upstream_message: '본인인증 대상자 정보가 올바르지 않습니다.' },
    });
    expect(await f.count('certifications')).toBe(before);
  });
});

describe('upstream failures', () => {
  it('maps an upstream 500 on the OTP request to 502 UPSTREAM_ERROR and writes nothing', async () => {
    await f.fault({ path_prefix: '/certifications/otp/request', status: 500, times: 1 });
    const before = await f.count('certifications');
    const stats = await f.stats();
    const res = await f.requestOtp(person()).expect(502);
    expect(res.body.error).toEqual({
      code: 'UPSTREAM_ERROR',
      message: expect.any(String),
      details: { upstream_status: 500, upstream_code: -1, upstream_message: '처리 중 다날서버 응답오류 등 오류가 발생하였습니다.' },
    });
    expect(await f.count('certifications')).toBe(before);
    expect((await f.stats()).calls.requestOtp - stats.calls.requestOtp).toBe(1); // never retried
  });

  it('maps a 200 with a non-zero code to 502 UPSTREAM_ERROR', async () => {
    await f.fault({ path_prefix: '/certifications/otp/request', status: 200, code: 1, message: '처리 실패', times: 1 });
    const res = await f.requestOtp(person()).expect(502);
    expect(res.body.error.code).toBe('UPSTREAM_ERROR');
    expect(res.body.error.details).toMatchObject({ upstream_code: 1, upstream_message: '처리 실패' });
  });

  it('maps an upstream slower than IAMPORT_TIMEOUT_MS to 503 UPSTREAM_UNAVAILABLE with Retry-After, and writes nothing', async () => {
    await f.fault({ path_prefix: '/certifications/otp/request', latency_ms: 3000, times: 1 });
    const before = await f.count('certifications');
    const started = Date.now();
    const res = await f.requestOtp(person()).expect(503);
    expect(Date.now() - started).toBeLessThan(2500); // cut at IAMPORT_TIMEOUT_MS (1000), not the 3 s answer
    expect(res.body.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { reason: 'timeout' } });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await f.count('certifications')).toBe(before);
  });

  it('gives the attempt back when the upstream fails a confirmation (502, 503)', async () => {
    const { impUid, otp } = await pending();
    await f.fault({ path_prefix: '/certifications/otp/confirm', status: 503, times: 1 });
    expect((await f.confirm(impUid, otp).expect(502)).body.error.code).toBe('UPSTREAM_ERROR');
    await f.fault({ path_prefix: '/certifications/otp/confirm', latency_ms: 1600, times: 1 });
    const slow = await f.confirm(impUid, wrong(otp)).expect(503);
    expect(slow.headers['retry-after']).toBeDefined();
    expect(await row(impUid)).toEqual({ status: 'pending', otp_attempts: 0, tokens: 0 });
    await f.confirm(impUid, otp).expect(200);
  });
});

describe('recovery of a confirmation whose answer was lost', () => {
  it('recovers on the next confirmation: the upstream says "already confirmed", the certification is fetched and recorded', async () => {
    const { impUid, otp } = await pending();
    await f.fault({ path_prefix: '/certifications/otp/confirm', process_request: true, drop: true, times: 1 });
    const lost = await f.confirm(impUid, otp).expect(503);
    expect(lost.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(await row(impUid)).toEqual({ status: 'pending', otp_attempts: 0, tokens: 0 });
    const upstream = await f.upstreamCertification(impUid);
    expect(upstream.certified).toBe(true); // it did go through upstream

    const before = await f.stats();
    const recovered = await f.confirm(impUid, otp).expect(200);
    f.secrets.add(recovered.body.verification_token);
    expect(recovered.body).toMatchObject({ imp_uid: impUid, status: 'verified', verification_token: expect.any(String) });
    const after = await f.stats();
    expect(after.calls.confirmOtp - before.calls.confirmOtp).toBe(1);
    expect(after.calls.getCertification - before.calls.getCertification).toBe(1);
    expect(await row(impUid)).toMatchObject({ status: 'verified', tokens: 1 });
    await f.signup(recovered.body.verification_token).expect(201);
  });

  it('recoverPending records it without a token; the next confirmation then issues the token once', async () => {
    const { impUid, otp } = await pending();
    const stale = await pending(); // never confirmed, then past its window
    await f.t.query(`UPDATE certifications SET otp_expires_at = now() - interval '1 second' WHERE imp_uid = $1`, [stale.impUid]);
    await f.fault({ path_prefix: '/certifications/otp/confirm', process_request: true, drop: true, times: 1 });
    await f.confirm(impUid, otp).expect(503);

    const service = f.t.app.get(CertificationService);
    const report = await service.recoverPending({ minAgeSeconds: 0, limit: 1000 });
    expect(report.recovered).toBeGreaterThanOrEqual(1);
    expect(report.expired).toBeGreaterThanOrEqual(1);
    expect(await row(impUid)).toEqual({ status: 'verified', otp_attempts: 0, tokens: 0 });
    expect((await row(stale.impUid)).status).toBe('expired');

    const before = await f.stats();
    const view = await f.confirm(impUid, otp).expect(200);
    f.secrets.add(view.body.verification_token);
    expect((await f.stats()).calls.confirmOtp).toBe(before.calls.confirmOtp); // answered from our record
    expect(await row(impUid)).toMatchObject({ status: 'verified', tokens: 1 });
    expect((await f.confirm(impUid, otp).expect(409)).body.error.code).toBe('ALREADY_CONFIRMED');
  });
});

describe('circuit breaker', () => {
  // Last in this file: the breaker stays open for its reset timeout (2 s).
  it('fails fast with 503 and Retry-After once the upstream keeps failing', async () => {
    await f.fault({ path_prefix: '/certifications/otp/request', status: 500 });
    // 10 consecutive failures open it (the default failureThreshold)
    for (let i = 0; i < 10; i++) await f.requestOtp(person()).expect(502);
    const before = await f.stats();
    const res = await f.requestOtp(person()).expect(503);
    expect(res.body.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { reason: 'circuit_open' } });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await f.stats()).calls.requestOtp).toBe(before.calls.requestOtp); // not sent
  });
});

describe('logs', () => {
  it('carry no name, phone, OTP, CI, DI or token', () => {
    expect(f.otps.size).toBeGreaterThan(5);
    expect(f.leaked(logs.lines.join('\n'))).toEqual([]);
    if (process.env.SHOW_LOGS) process.stdout.write(logs.lines.filter((l) => /^(warn|error)/.test(l)).join('\n') + '\n');
  });
});
