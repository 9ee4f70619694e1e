/**
 * The api with DATABASE_PREPARED_STATEMENTS=off (e.g. behind PgBouncer in transaction mode):
 * the whole OTP flow, a second signup of the same person, and the audited CI lookup still work,
 * and the api's DataSource is marked so its hot statements run unnamed.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../../apps/api/src/config/app-config';
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';

let f: Flows;

beforeAll(async () => {
  f = await Flows.start({ env: { DATABASE_PREPARED_STATEMENTS: 'off' } });
});

afterAll(async () => {
  await f?.close();
});

it('verifies, signs up once per person and refuses the second signup with 409 ALREADY_REGISTERED', async () => {
  const person: Person = { name: '홍길동', phone: freshPhone(), birth: '19900101', gender_digit: '1', carrier: 'SKT' };
  const first = await f.verifyByOtp(person);
  await f.signup(first.view.verification_token).expect(201);
  const again = await f.verifyByOtp({ ...person, phone: freshPhone() });
  const refused = await f.signup(again.view.verification_token).expect(409);
  expect(refused.body.error.code).toBe('ALREADY_REGISTERED');
  // nothing was prepared on the api's own connections
  const api = f.t.app.get(DataSource);
  const prepared = (await api.query('SELECT count(*)::int AS n FROM pg_prepared_statements')) as Array<{ n: number }>;
  expect(prepared[0].n).toBe(0);
});

it('reads DATABASE_PREPARED_STATEMENTS as a boolean, on by default, and refuses anything else at boot', () => {
  const base = { NODE_ENV: 'test' };
  expect(loadAppConfig(base).database.preparedStatements).toBe(true);
  expect(loadAppConfig({ ...base, DATABASE_PREPARED_STATEMENTS: 'off' }).database.preparedStatements).toBe(false);
  expect(() => loadAppConfig({ ...base, DATABASE_PREPARED_STATEMENTS: 'sometimes' })).toThrow(/DATABASE_PREPARED_STATEMENTS must be true or false/);
});
