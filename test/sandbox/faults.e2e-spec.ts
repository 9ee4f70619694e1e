import { MESSAGES } from '../../apps/iamport-sandbox/src/messages';
import { HONG, IMP_KEY, IMP_SECRET, SandboxHarness, type Certification, type TokenResponse } from '../support/sandbox-harness';

/** Fault injection (/__sandbox/faults) and call statistics (/__sandbox/stats). */
describe('iamport sandbox: faults and stats', () => {
  const h = new SandboxHarness();

  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(async () => {
    await h.reset();
  });

  it('status: answers the status with the error envelope without processing (no SMS)', async () => {
    const token = await h.token();
    await h.addFault({ path_prefix: '/certifications/otp/request', status: 500 });
    const res = await h.requestOtp(token);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: -1, message: MESSAGES.faultServerError, response: null });
    expect(await h.inbox(HONG.phone)).toEqual([]);
    const stats = await h.stats();
    expect(stats.calls.requestOtp).toBe(1);
    expect(stats.sms_sent).toBe(0);
  });

  it('status answers before authentication and validation (the request is not processed)', async () => {
    await h.addFault({ path_prefix: '/certifications', status: 503 });
    const res = await h.upstream('POST', '/certifications/otp/request', { json: {} });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe(-1);
  });

  it('times: applies to the next N matching calls, then expires', async () => {
    const token = await h.token();
    await h.addFault({ path_prefix: '/certifications/otp/request', status: 502, times: 2 });
    expect((await h.requestOtp(token)).status).toBe(502);
    const listed = await h.call<{ faults: Array<{ times: number }> }>('GET', '/__sandbox/faults');
    expect(listed.body.faults).toHaveLength(1);
    expect(listed.body.faults[0].times).toBe(1);
    expect((await h.requestOtp(token)).status).toBe(502);
    expect((await h.requestOtp(token)).status).toBe(200);
    expect((await h.call<{ faults: unknown[] }>('GET', '/__sandbox/faults')).body.faults).toEqual([]);
    const stats = await h.stats();
    expect(stats.calls.requestOtp).toBe(3);
    expect(stats.sms_sent).toBe(1);
  });

  it('matches by path prefix and, when given, by method', async () => {
    const token = await h.token();
    const cert = await h.certify(token);
    await h.addFault({ path_prefix: '/certifications/', method: 'delete', status: 500 });
    expect((await h.upstream('GET', `/certifications/${cert.imp_uid}`, { token })).status).toBe(200);
    expect((await h.upstream('DELETE', `/certifications/${cert.imp_uid}`, { token })).status).toBe(500);
    // not processed: still there
    expect((await h.upstream('GET', `/certifications/${cert.imp_uid}`, { token })).status).toBe(200);
    // another prefix is untouched
    expect((await h.upstream('POST', '/users/getToken', { json: { imp_key: IMP_KEY, imp_secret: IMP_SECRET } })).status).toBe(200);
  });

  it('latency: delays the answer, then answers normally', async () => {
    const token = await h.token();
    await h.addFault({ path_prefix: '/certifications/otp/request', latency_ms: 150, times: 1 });
    const started = Date.now();
    const res = await h.requestOtp(token);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(await h.inbox(HONG.phone)).toHaveLength(1);
    const quick = Date.now();
    expect((await h.requestOtp(token)).status).toBe(200);
    expect(Date.now() - quick).toBeLessThan(140);
  });

  it('latency with status: delays, then answers the status', async () => {
    const token = await h.token();
    await h.addFault({ path_prefix: '/certifications/', latency_ms: 120, status: 504 });
    const started = Date.now();
    const res = await h.upstream('GET', '/certifications/imp_000000000000', { token });
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(res.status).toBe(504);
    expect(res.body).toEqual({ code: -1, message: MESSAGES.faultServerError, response: null });
  });

  it('drop: destroys the connection without an answer and without processing', async () => {
    const token = await h.token();
    await h.addFault({ path_prefix: '/certifications/otp/request', drop: true, times: 1 });
    await expect(h.requestOtp(token)).rejects.toThrow();
    expect(await h.inbox(HONG.phone)).toEqual([]);
    expect((await h.stats()).calls.requestOtp).toBe(1);
    // the next call works on a fresh connection
    expect((await h.requestOtp(token)).status).toBe(200);
  });

  it('drop with process_request: the upstream did the work, the caller never hears of it', async () => {
    const token = await h.token();
    const impUid = (await h.requestOtp(token)).body.response!.imp_uid;
    const [sms] = await h.inbox(HONG.phone);
    await h.addFault({ path_prefix: '/certifications/otp/confirm/', drop: true, process_request: true, times: 1 });
    await expect(
      h.upstream('POST', `/certifications/otp/confirm/${impUid}`, { token, json: { otp: sms.otp } }),
    ).rejects.toThrow();
    const res = await h.upstream<Certification>('GET', `/certifications/${impUid}`, { token });
    expect(res.body.response!.certified).toBe(true);
  });

  it('a status 200 with a non-zero code can be injected', async () => {
    const token = await h.token();
    await h.addFault({ path_prefix: '/certifications/', status: 200, code: 1, message: '존재하지 않는 결제정보입니다' });
    const res = await h.upstream('GET', '/certifications/imp_000000000000', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 1, message: '존재하지 않는 결제정보입니다', response: null });
  });

  it('probability 0 never fires, probability 1 always fires', async () => {
    const token = await h.token();
    const id = await h.addFault({ path_prefix: '/certifications/', status: 500, probability: 0 });
    for (let i = 0; i < 20; i++) {
      expect((await h.upstream('GET', '/certifications/imp_000000000000', { token })).status).toBe(404);
    }
    expect((await h.call('DELETE', `/__sandbox/faults/${id}`)).status).toBe(200);
    await h.addFault({ path_prefix: '/certifications/', status: 500, probability: 1 });
    for (let i = 0; i < 20; i++) {
      expect((await h.upstream('GET', '/certifications/imp_000000000000', { token })).status).toBe(500);
    }
  });

  it('probability between 0 and 1 fires on some calls only', async () => {
    const token = await h.token();
    await h.addFault({ path_prefix: '/certifications/', status: 500, probability: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await h.upstream('GET', '/certifications/imp_000000000000', { token })).status);
    // P(all 60 equal) = 2^-59: both outcomes show up
    expect(statuses).toContain(500);
    expect(statuses).toContain(404);
  });

  it('faults never touch the control paths', async () => {
    await h.addFault({ path_prefix: '/', status: 500 });
    await h.addFault({ path_prefix: '/', drop: true });
    expect((await h.call('GET', '/__sandbox/stats')).status).toBe(200);
    expect((await h.call('GET', '/__sandbox/inbox?phone=01012345678')).status).toBe(200);
    expect((await h.call('GET', '/__sandbox/clock')).status).toBe(200);
    await expect(h.upstream('POST', '/users/getToken', { json: {} })).rejects.toThrow();
    expect((await h.call('DELETE', '/__sandbox/faults')).status).toBe(200);
    expect((await h.upstream('POST', '/users/getToken', { json: { imp_key: IMP_KEY, imp_secret: IMP_SECRET } })).status).toBe(200);
  });

  it('lists rules; DELETE /__sandbox/faults clears them', async () => {
    const id = await h.addFault({ path_prefix: '/users/getToken', method: 'post', status: 429, times: 3, probability: 0.25 });
    const listed = await h.call<{ faults: unknown[] }>('GET', '/__sandbox/faults');
    expect(listed.body.faults).toEqual([
      {
        id,
        path_prefix: '/users/getToken',
        method: 'POST',
        status: 429,
        code: -1,
        message: null,
        latency_ms: 0,
        drop: false,
        times: 3,
        probability: 0.25,
        process_request: false,
      },
    ]);
    await h.call('DELETE', '/__sandbox/faults');
    expect((await h.call<{ faults: unknown[] }>('GET', '/__sandbox/faults')).body.faults).toEqual([]);
    expect((await h.call('DELETE', `/__sandbox/faults/${id}`)).status).toBe(404);
  });

  it.each([
    ['no path_prefix', { status: 500 }],
    ['a relative path_prefix', { path_prefix: 'certifications', status: 500 }],
    ['a control path_prefix', { path_prefix: '/__sandbox', status: 500 }],
    ['no effect', { path_prefix: '/certifications' }],
    ['a status out of range', { path_prefix: '/certifications', status: 99 }],
    ['a probability above 1', { path_prefix: '/certifications', status: 500, probability: 2 }],
    ['times 0', { path_prefix: '/certifications', status: 500, times: 0 }],
    ['drop not a boolean', { path_prefix: '/certifications', drop: 'yes' }],
  ])('refuses a rule with %s (400)', async (_label, rule) => {
    const res = await h.call<{ code: number; message: string }>('POST', '/__sandbox/faults', { json: rule });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(-1);
    expect(res.body.message.startsWith(MESSAGES.controlInvalid)).toBe(true);
  });

  it('a 401 fault on a path makes a valid token fail there', async () => {
    const token = await h.token();
    await h.addFault({ path_prefix: '/certifications/', status: 401, times: 1 });
    const res = await h.upstream('GET', '/certifications/imp_000000000000', { token });
    expect(res.status).toBe(401);
    expect(res.body.message).toBe(MESSAGES.invalidToken);
    expect((await h.upstream('GET', '/certifications/imp_000000000000', { token })).status).toBe(404);
  });

  it('stats count every upstream call that reached the sandbox, faulted and refused ones too', async () => {
    const token = await h.token();
    const cert = await h.certify(token);
    await h.upstream('GET', `/certifications/${cert.imp_uid}`, { token });
    await h.upstream('GET', '/certifications/imp_000000000000');
    await h.upstream('DELETE', `/certifications/${cert.imp_uid}`, { token });
    await h.requestOtp(token, { ...HONG, phone: '010-1111-0000' });
    await h.addFault({ path_prefix: '/users/getToken', status: 500, times: 1 });
    await h.upstream('POST', '/users/getToken', { json: { imp_key: IMP_KEY, imp_secret: IMP_SECRET } });
    await h.upstream('GET', '/not/a/path', { token });
    expect(await h.stats()).toEqual({
      calls: { getToken: 2, requestOtp: 2, confirmOtp: 1, getCertification: 2, deleteCertification: 1 },
      sms_sent: 1,
      v2_calls: 0,
    });
  });

  it('POST /__sandbox/reset clears state, inbox, faults, stats, tokens and the clock', async () => {
    const token = await h.token();
    const cert = await h.certify(token);
    await h.addFault({ path_prefix: '/certifications/', latency_ms: 1 });
    await h.advanceClock(3600);
    const reset = await h.call('POST', '/__sandbox/reset');
    expect(reset.status).toBe(200);
    expect(await h.inbox(HONG.phone)).toEqual([]);
    expect((await h.call<{ faults: unknown[] }>('GET', '/__sandbox/faults')).body.faults).toEqual([]);
    const clock = await h.call<{ now: number }>('GET', '/__sandbox/clock');
    expect(Math.abs(clock.body.now - Date.now() / 1000)).toBeLessThan(5);
    expect(await h.stats()).toEqual({
      calls: { getToken: 0, requestOtp: 0, confirmOtp: 0, getCertification: 0, deleteCertification: 0 },
      sms_sent: 0,
      v2_calls: 0,
    });
    expect((await h.upstream('GET', `/certifications/${cert.imp_uid}`, { token })).status).toBe(401);
    const fresh = await h.upstream<TokenResponse>('POST', '/users/getToken', { json: { imp_key: IMP_KEY, imp_secret: IMP_SECRET } });
    expect(fresh.body.response!.access_token).not.toBe(token);
    expect((await h.upstream('GET', `/certifications/${cert.imp_uid}`, { token: fresh.body.response!.access_token })).status).toBe(404);
  });
});
