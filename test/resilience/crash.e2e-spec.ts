/**
 * SIGKILL of the api during a burst of confirmations and signups, restart, re-confirmations and
 * recovery: no verification used twice, no user without it, every upstream confirmation recorded.
 */
import { jest } from '@jest/globals';
import { CertificationService } from '@app/certification';
import { startTestApp } from '../support/app';
import { describeIf, processTestsUnavailable } from '../support/availability';
import { call, Deployment } from '../support/cluster';
import { NO_RATE_LIMITS } from '../support/limits';
import { freshPhone } from '../support/people';
import { contractViolation } from '../support/contract';

jest.setTimeout(180_000);

const PEOPLE = 60;
const NAMES = '가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후';

interface Person {
  i: number;
  form: Record<string, string>;
  impUid: string;
  otp: string;
  token?: string;
  confirmedBeforeCrash: boolean;
  signedUpBeforeCrash: boolean;
}

let d: Deployment;

describeIf('crash', processTestsUnavailable())('crash safety', () => {
  beforeAll(async () => {
    d = await Deployment.create();
  });
  afterAll(async () => {
    await d?.close();
  });

  it('keeps its invariants through a SIGKILL during confirmations and signups, a restart, re-confirmations and recovery', async () => {
    const api1 = await d.startApi(NO_RATE_LIMITS, 'before-crash');

    // PEOPLE pending OTP verifications (distinct people: distinct CIs)
    const people: Person[] = await Promise.all(
      Array.from({ length: PEOPLE }, async (_, i) => {
        const phone = freshPhone();
        const form = { name: `최${NAMES[i % NAMES.length]}${NAMES[(i * 7) % NAMES.length]}`, phone, birth: `19${70 + (i % 25)}0${1 + (i % 9)}2${i % 8}`, gender_digit: String(1 + (i % 2)), carrier: 'SKT' };
        const requested = await call<{ imp_uid: string }>(api1.url, 'POST', '/certifications/otp/request', form);
        expect(requested.status).toBe(201);
        const otp = await d!.latestOtp(phone, requested.body.imp_uid);
        return { i, form, impUid: requested.body.imp_uid, otp, confirmedBeforeCrash: false, signedUpBeforeCrash: false };
      }),
    );

    // the burst: confirmations spread over ~1 s, each followed at once by a signup; killed at 700 ms
    await d.fault({ path_prefix: '/certifications/otp/confirm/', latency_ms: 400 });
    const burst = people.map(async (p) => {
      await new Promise((r) => setTimeout(r, (p.i / PEOPLE) * 1000));
      const confirmed = await call<{ verification_token: string }>(api1.url, 'POST', `/certifications/otp/confirm/${p.impUid}`, { otp: p.otp });
      if (confirmed.status !== 200) return;
      p.confirmedBeforeCrash = true;
      p.token = confirmed.body.verification_token;
      const signup = await call(api1.url, 'POST', '/users', { verification_token: p.token });
      if (signup.status === 201) p.signedUpBeforeCrash = true;
    });
    await new Promise((r) => setTimeout(r, 700));
    api1.kill('SIGKILL');
    expect(await api1.proc.exited).toBe('SIGKILL');
    await Promise.all(burst);
    await d.clearFaults();

    const upstreamConfirmedAtCrash = (await Promise.all(people.map((p) => d!.upstreamCertification(p.impUid)))).filter((c) => c?.certified).length;
    const recordedAtCrash = await d.sql<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM certifications GROUP BY status ORDER BY status`);
    process.stdout.write(
      `\n[resilience] at the SIGKILL: ${people.filter((p) => p.confirmedBeforeCrash).length} confirmations answered, ` +
        `${people.filter((p) => p.signedUpBeforeCrash).length} signups answered, ${upstreamConfirmedAtCrash} confirmed upstream; ` +
        `rows ${JSON.stringify(recordedAtCrash)}\n`,
    );
    // the kill did land between "confirmed upstream" and "answered here" for some
    expect(upstreamConfirmedAtCrash).toBeGreaterThan(people.filter((p) => p.confirmedBeforeCrash).length);

    // restart on the same database
    const api2 = await d.startApi(NO_RATE_LIMITS, 'after-crash');

    // half of those without an answer confirm again (as the person would), then sign up
    const unanswered = people.filter((p) => !p.confirmedBeforeCrash);
    const retrying = unanswered.filter((_, k) => k % 2 === 0);
    for (const p of retrying) {
      const again = await call<{ verification_token: string }>(api2.url, 'POST', `/certifications/otp/confirm/${p.impUid}`, { otp: p.otp });
      expect(contractViolation('otpConfirm', again)).toBeNull();
      // recovered (200 with the token), or the token had been issued before the crash (409)
      expect([200, 409]).toContain(again.status);
      if (again.status === 200) p.token = again.body.verification_token;
    }
    // everyone holding a token signs up (again): 201, or 409 VERIFICATION_USED if the lost answer was a 201
    for (const p of people.filter((x) => x.token && !x.signedUpBeforeCrash)) {
      const signup = await call(api2.url, 'POST', '/users', { verification_token: p.token });
      expect(contractViolation('signup', signup)).toBeNull();
      expect([201, 409]).toContain(signup.status);
      if (signup.status === 409) expect((signup.body as { error: { code: string } }).error.code).toBe('VERIFICATION_USED');
    }
    api2.kill('SIGTERM');
    expect(await api2.proc.exited).toBe(0);

    // the recovery routine for the others (an instance of the same deployment, in process)
    const t = await startTestApp({
      db: d.db,
      sandbox: d.sandbox,
      env: { ...NO_RATE_LIMITS, PII_ENCRYPTION_KEYS: d.keys.encryptionKeys, PII_HMAC_KEY: d.keys.hmacKey },
    });
    try {
      const report = await t.app.get(CertificationService).recoverPending({ minAgeSeconds: 0, limit: 1000 });
      process.stdout.write(`[resilience] recovery after the restart: ${JSON.stringify(report)}\n`);
      expect(report.failed).toBe(0);
    } finally {
      await t.close();
    }

    // ---- invariants
    const [inv] = await d.sql<Record<string, number>>(`
      SELECT
        (SELECT count(*) FROM (SELECT certification_id FROM users GROUP BY 1 HAVING count(*) > 1) x)::int AS verification_with_two_users,
        (SELECT count(*) FROM (SELECT certification_id FROM verification_tokens WHERE used_at IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x)::int AS verification_with_two_used_tokens,
        (SELECT count(*) FROM (SELECT certification_id FROM verification_tokens GROUP BY 1 HAVING count(*) > 1) x)::int AS verification_with_two_tokens,
        (SELECT count(*) FROM users u JOIN certifications c ON c.id = u.certification_id WHERE c.status <> 'used' OR c.used_at IS NULL)::int AS user_on_unused_verification,
        (SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM verification_tokens t WHERE t.certification_id = u.certification_id AND t.used_at IS NOT NULL))::int AS user_without_used_token,
        (SELECT count(*) FROM certifications c WHERE c.status = 'used' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.certification_id = c.id))::int AS used_without_user,
        (SELECT count(*) FROM (SELECT ci_bidx FROM users GROUP BY 1 HAVING count(*) > 1) x)::int AS person_with_two_accounts`);
    expect(inv).toEqual({
      verification_with_two_users: 0,
      verification_with_two_used_tokens: 0,
      verification_with_two_tokens: 0,
      user_on_unused_verification: 0,
      user_without_used_token: 0,
      used_without_user: 0,
      person_with_two_accounts: 0,
    });

    // every verification the upstream confirmed is recorded here, once
    const rows = await d.sql<{ imp_uid: string; status: string; has_ci: boolean }>(
      // a used verification's own copy is erased by its signup: its CI is then the account's
      `SELECT c.imp_uid, c.status, coalesce(c.ci_bidx, u.ci_bidx) IS NOT NULL AS has_ci
         FROM certifications c LEFT JOIN users u ON u.certification_id = c.id`,
    );
    const byImpUid = new Map(rows.map((r) => [r.imp_uid, r]));
    expect(rows.length).toBe(PEOPLE);
    let confirmedUpstream = 0;
    for (const p of people) {
      const upstream = await d.upstreamCertification(p.impUid);
      const row = byImpUid.get(p.impUid);
      if (upstream?.certified) {
        confirmedUpstream++;
        expect({ impUid: p.impUid, status: row?.status, hasCi: row?.has_ci }).toEqual({
          impUid: p.impUid,
          status: expect.stringMatching(/^(verified|used)$/),
          hasCi: true,
        });
      } else {
        expect(row?.status).toBe('pending');
      }
    }
    expect(confirmedUpstream).toBeGreaterThan(0);
    const [{ users }] = await d.sql<{ users: number }>('SELECT count(*)::int AS users FROM users');
    process.stdout.write(
      `[resilience] after restart + re-confirmations + recovery: ${confirmedUpstream} confirmed upstream, all recorded; ${users} accounts\n`,
    );
  });
});
