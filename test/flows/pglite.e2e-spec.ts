/**
 * The main flows again on the embedded database: PGlite behind pglite-socket, reached with the
 * pg driver through a pool of ONE connection (as `npm start` runs without DATABASE_URL). Every
 * transaction then runs alone, so this checks that nothing waits on a second connection while
 * holding the first, and that the unique index still decides under 50 concurrent signups.
 */
import { startPgliteChild, type TestDatabase } from '../support/test-db';
import { CapturingLogger } from '../support/capturing-logger';
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';

const logs = new CapturingLogger();
let db: TestDatabase;
let f: Flows;

beforeAll(async () => {
  db = await startPgliteChild();
  f = await Flows.start({ db, logger: logs });
}, 120_000);

afterAll(async () => {
  await f?.close();
  await db?.drop();
});

function person(name: string, overrides: Partial<Person> = {}): Person {
  return { name, phone: freshPhone(), birth: '19870707', gender_digit: '1', carrier: 'SKT', ...overrides };
}

it('runs on a pool of one connection', () => {
  expect(db.kind).toBe('pglite');
  expect(f.t.config.database.poolSize).toBe(1);
});

it('OTP signup, then the same person through another phone gets 409 ALREADY_REGISTERED', async () => {
  const p = person('임베드');
  const { view } = await f.verifyByOtp(p);
  await f.signup(view.verification_token).expect(201);
  expect((await f.signup(view.verification_token).expect(409)).body.error.code).toBe('VERIFICATION_USED');
  const again = await f.verifyByOtp({ ...p, phone: freshPhone() });
  expect((await f.signup(again.view.verification_token).expect(409)).body.error.code).toBe('ALREADY_REGISTERED');
});

it('popup signup, token issued once under concurrent posts', async () => {
  const p = person('팝업임', { birth: '930303', gender_digit: '2' });
  f.remember(p);
  const impUid = await f.popup(p);
  const answers = await Promise.all(Array.from({ length: 5 }, () => f.http.post('/certifications').send({ imp_uid: impUid })));
  expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409]);
  const token = answers.find((a) => a.status === 200)!.body.verification_token;
  f.secrets.add(token);
  await f.signup(token).expect(201);
});

it('50 concurrent signups of one person with 50 valid tokens: one 201, 49 409, no 5xx', async () => {
  const p = person('동시가입', { birth: '19791111' });
  f.remember(p);
  const tokens: string[] = [];
  for (let batch = 0; batch < 5; batch++) {
    const views = await Promise.all(Array.from({ length: 10 }, () => f.verifyByPopup({ ...p, phone: freshPhone() })));
    tokens.push(...views.map((v) => v.view.verification_token as string));
  }
  const answers = await Promise.all(tokens.map((token) => f.signup(token)));
  const byStatus = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
  expect(byStatus).toEqual({ 201: 1, 409: 49 });
  for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('ALREADY_REGISTERED');
});

it('parallel wrong guesses never exceed the cap', async () => {
  const p = person('추측왕');
  const res = await f.requestOtp(p).expect(201);
  const otp = await f.latestOtp(p.phone, res.body.imp_uid);
  const bad = otp === '000000' ? '111111' : '000000';
  const answers = await Promise.all(Array.from({ length: 12 }, () => f.confirm(res.body.imp_uid, bad)));
  expect(answers.filter((a) => a.status === 400)).toHaveLength(5);
  expect(answers.filter((a) => a.status === 429)).toHaveLength(7);
  await f.confirm(res.body.imp_uid, otp).expect(429);
  const [row] = await f.t.query<{ status: string; otp_attempts: number }>(
    `SELECT status, otp_attempts FROM certifications WHERE imp_uid = $1`,
    [res.body.imp_uid],
  );
  expect(row).toEqual({ status: 'locked', otp_attempts: 5 });
});

it('recovers a confirmation whose answer was lost', async () => {
  const p = person('복구됨');
  const res = await f.requestOtp(p).expect(201);
  const otp = await f.latestOtp(p.phone, res.body.imp_uid);
  await f.fault({ path_prefix: '/certifications/otp/confirm', process_request: true, drop: true, times: 1 });
  await f.confirm(res.body.imp_uid, otp).expect(503);
  const view = await f.confirm(res.body.imp_uid, otp).expect(200);
  f.secrets.add(view.body.verification_token);
  await f.signup(view.body.verification_token).expect(201);
});

it('keeps personal data out of the tables and the logs', async () => {
  const impUids = (await f.t.query<{ imp_uid: string }>(`SELECT imp_uid FROM certifications WHERE ci_enc IS NOT NULL LIMIT 5`)).map((r) => r.imp_uid);
  for (const id of impUids) await f.upstreamCertification(id);
  const { text } = await f.dumpAllTables();
  expect(f.leaked(text, { otps: false })).toEqual([]);
  expect(f.leaked(logs.lines.join('\n'))).toEqual([]);
});
