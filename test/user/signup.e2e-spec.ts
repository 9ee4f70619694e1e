/**
 * POST /users: the verification token's life (unknown, expired, used, erased verification)
 * and what a signup writes.
 */
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';

let f: Flows;

beforeAll(async () => {
  f = await Flows.start();
});

afterAll(async () => {
  await f?.close();
});

let seq = 0;
function person(overrides: Partial<Person> = {}): Person {
  seq += 1;
  return { name: ['가나다', '라마바', '사아자', '차카타', '파하가'][seq % 5], phone: freshPhone(), birth: `8${seq}0${seq}0${seq}`, gender_digit: '2', carrier: 'KT', ...overrides };
}

it('answers 404 VERIFICATION_NOT_FOUND for a well-formed token that was never issued', async () => {
  const res = await f.signup('x'.repeat(43)).expect(404);
  expect(res.body.error.code).toBe('VERIFICATION_NOT_FOUND');
});

it('answers 410 VERIFICATION_EXPIRED for an expired token, and writes nothing', async () => {
  const { impUid, view } = await f.verifyByOtp(person());
  await f.t.query(
    `UPDATE verification_tokens SET expires_at = now() - interval '1 second'
      WHERE certification_id = (SELECT id FROM certifications WHERE imp_uid = $1)`,
    [impUid],
  );
  const res = await f.signup(view.verification_token).expect(410);
  expect(res.body.error.code).toBe('VERIFICATION_EXPIRED');
  expect(await f.count('users')).toBe(0);
  const [row] = await f.t.query<{ status: string }>(`SELECT status FROM certifications WHERE imp_uid = $1`, [impUid]);
  expect(row.status).toBe('verified');
});

it('answers 404 for the token of an erased verification', async () => {
  const { impUid, view } = await f.verifyByPopup(person());
  await f.t.query(`UPDATE certifications SET pii_erased_at = now() WHERE imp_uid = $1`, [impUid]);
  expect((await f.signup(view.verification_token).expect(404)).body.error.code).toBe('VERIFICATION_NOT_FOUND');
});

it('signs up once per token and stores the profile fields, trimmed', async () => {
  const { view } = await f.verifyByPopup(person());
  const created = await f.signup(view.verification_token, { nickname: '  별명  ', marketing_opt_in: false }).expect(201);
  expect(Date.parse(created.body.created_at)).not.toBeNaN();
  const [user] = await f.t.query<Record<string, unknown>>(`SELECT nickname, marketing_opt_in, foreigner, gender FROM users WHERE id = $1`, [
    created.body.id,
  ]);
  expect(user).toEqual({ nickname: '별명', marketing_opt_in: false, foreigner: false, gender: 'female' });
  expect((await f.signup(view.verification_token).expect(409)).body.error.code).toBe('VERIFICATION_USED');
});

it('copies a foreign resident verification (gender digit 6) to the account', async () => {
  const { view } = await f.verifyByOtp(person({ name: 'Anna Kim', gender_digit: '6', birth: '19891212' }));
  expect(view).toMatchObject({ foreigner: true, gender: 'female', name: 'A******m' });
  const created = await f.signup(view.verification_token).expect(201);
  const [user] = await f.t.query<{ foreigner: boolean }>(`SELECT foreigner FROM users WHERE id = $1`, [created.body.id]);
  expect(user.foreigner).toBe(true);
});

it('lets only one of 20 concurrent signups with the same token through: the others wait for its lock, then 409 VERIFICATION_USED', async () => {
  const { view } = await f.verifyByOtp(person());
  const answers = await Promise.all(Array.from({ length: 20 }, () => f.signup(view.verification_token)));
  expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
  const refused = answers.filter((a) => a.status !== 201);
  expect(refused.map((a) => [a.status, a.body.error.code])).toEqual(Array.from({ length: 19 }, () => [409, 'VERIFICATION_USED']));
  const [{ users }] = await f.t.query<{ users: string }>(`SELECT count(*) AS users FROM users WHERE id = $1`, [answers.find((a) => a.status === 201)!.body.id]);
  expect(Number(users)).toBe(1);
});
