/** Accounts from before migration PersonKeys get their DI blind index, so a CI-less V2 verification still finds them. */
import { UserDiBackfill } from '@app/user';
import { IamportSandbox } from '../../apps/iamport-sandbox/src/sandbox';
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';

let sandbox: IamportSandbox;
let f: Flows;

beforeAll(async () => {
  sandbox = new IamportSandbox();
  const url = await sandbox.listen(0);
  f = await Flows.start({ sandbox, env: { IDENTITY_PROVIDER: 'portone', PORTONE_BASE_URL: url } });
}, 60_000);
afterAll(async () => {
  await f?.close();
  await sandbox?.close();
});

it('fills di_bidx from di_enc; the same person verified later without a CI is then the same account', async () => {
  const p: Person = { name: '백필', phone: freshPhone(), birth: '19750505', gender_digit: '2', carrier: 'KT' };
  const first = await f.verifyByOtp(p);
  await f.signup(first.view.verification_token).expect(201);
  // as a row written before the migration: a DI, encrypted, but no blind index of it
  await f.t.query(`UPDATE users SET di_bidx = NULL`);
  const backfill = f.t.app.get(UserDiBackfill);
  expect(await backfill.run()).toBe(1);
  expect(await backfill.run()).toBe(0);
  const [{ n }] = await f.t.query<{ n: string }>(`SELECT count(*)::text AS n FROM users WHERE di_bidx IS NOT NULL`);
  expect(n).toBe('1');
  await f.sandbox('POST', '/__sandbox/v2/switches', { omit_ci: true });
  const again = await f.verifyByOtp({ ...p, phone: freshPhone() });
  expect((await f.signup(again.view.verification_token).expect(409)).body.error.code).toBe('ALREADY_REGISTERED');
});
