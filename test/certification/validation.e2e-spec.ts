/**
 * Bad inputs of every person-facing endpoint: each one answered 400 VALIDATION_FAILED naming
 * exactly the failing fields (as in the body), without echoing the value, and without a call
 * to the upstream.
 */
import { todayInSeoul } from '@app/age-policy';
import { Flows } from '../support/flows';
import { addDays, birthOf } from '../support/people';

let f: Flows;

beforeAll(async () => {
  f = await Flows.start();
});

afterAll(async () => {
  await f?.close();
});

const VALID = { name: '홍길동', phone: '010-2345-6789', birth: '900101', gender_digit: '1', carrier: 'SKT' };
const TOKEN = 'A'.repeat(43);

interface Case {
  what: string;
  method: 'post' | 'get';
  path: string;
  body?: unknown;
  raw?: string;
  fields: string[];
}

function otpRequest(what: string, change: Record<string, unknown>, fields: string[], omit: string[] = []): Case {
  const body: Record<string, unknown> = { ...VALID, ...change };
  for (const key of omit) delete body[key];
  return { what, method: 'post', path: '/certifications/otp/request', body, fields };
}

const tomorrow = birthOf(addDays(todayInSeoul(), 1));
const today = birthOf(todayInSeoul());

const CASES: Case[] = [
  // OTP request
  otpRequest('unknown field', { ci: 'x' }, ['ci']),
  otpRequest('two unknown fields', { unique_key: 'x', admin: true }, ['admin', 'unique_key']),
  otpRequest('name missing', {}, ['name'], ['name']),
  otpRequest('name with digits', { name: '홍길동1' }, ['name']),
  otpRequest('name with a lone jamo', { name: '홍길ㄷ' }, ['name']),
  otpRequest('name as a number', { name: 12345 }, ['name']),
  otpRequest('name too long', { name: '가'.repeat(51) }, ['name']),
  otpRequest('phone missing', {}, ['phone'], ['phone']),
  otpRequest('landline', { phone: '02-345-6789' }, ['phone']),
  otpRequest('foreign number', { phone: '+1 202 555 0100' }, ['phone']),
  otpRequest('010 with 10 digits', { phone: '010-234-5678' }, ['phone']),
  otpRequest('phone as a number', { phone: 1023456789 }, ['phone']),
  otpRequest('phone with letters', { phone: '010-2345-678O' }, ['phone']),
  otpRequest('birth missing', {}, ['birth'], ['birth']),
  otpRequest('birth not a date', { birth: 'abcdef' }, ['birth']),
  otpRequest('birth with 7 digits', { birth: '1990011' }, ['birth']),
  otpRequest('birth month 13', { birth: '1990-13-01' }, ['birth']),
  otpRequest('birth 30 February', { birth: '19900230' }, ['birth']),
  otpRequest('birth 29 February 1900 (YYMMDD, gender 1)', { birth: '000229' }, ['birth']),
  otpRequest('birth tomorrow', { birth: tomorrow, gender_digit: Number(tomorrow.slice(0, 4)) >= 2000 ? '3' : '1' }, ['birth']),
  otpRequest('birth today', { birth: today, gender_digit: '3' }, ['birth']),
  otpRequest('birth as a number', { birth: 19900101 }, ['birth']),
  otpRequest('gender_digit 9', { gender_digit: '9' }, ['gender_digit']),
  otpRequest('gender_digit 0', { gender_digit: 0 }, ['gender_digit']),
  otpRequest('gender_digit two digits', { gender_digit: '12' }, ['gender_digit']),
  otpRequest('gender_digit 3 with a 1990 birth', { birth: '19900101', gender_digit: '3' }, ['birth', 'gender_digit']),
  otpRequest('gender_digit 2 with a 2005 birth', { birth: '2005.01.01', gender_digit: 2 }, ['birth', 'gender_digit']),
  otpRequest('gender_digit 7 with a 1980 birth', { birth: '1980-05-05', gender_digit: '7' }, ['birth', 'gender_digit']),
  otpRequest('carrier missing', {}, ['carrier'], ['carrier']),
  otpRequest('carrier with _MVNO', { carrier: 'SKT_MVNO' }, ['carrier']),
  otpRequest('unknown carrier', { carrier: 'LG' }, ['carrier']),
  otpRequest('is_mvno as text', { is_mvno: 'yes' }, ['is_mvno']),
  otpRequest('merchant_uid as a number', { merchant_uid: 12345 }, ['merchant_uid']),
  otpRequest('merchant_uid too long', { merchant_uid: 'm'.repeat(81) }, ['merchant_uid']),
  otpRequest('company too long', { company: 'c'.repeat(51) }, ['company']),
  otpRequest('company of any length (the SMS service name is configuration)', { company: '길동마켓' }, ['company']),
  otpRequest('several bad fields at once', { name: '', phone: '999', carrier: 'X' }, ['carrier', 'name', 'phone']),
  { what: 'body not JSON', method: 'post', path: '/certifications/otp/request', raw: '{"name":', fields: ['body'] },

  // OTP confirm
  { what: 'otp with 5 digits', method: 'post', path: '/certifications/otp/confirm/imp_123456789012', body: { otp: '12345' }, fields: ['otp'] },
  { what: 'otp with a letter', method: 'post', path: '/certifications/otp/confirm/imp_123456789012', body: { otp: '12345a' }, fields: ['otp'] },
  { what: 'otp as a number', method: 'post', path: '/certifications/otp/confirm/imp_123456789012', body: { otp: 123456 }, fields: ['otp'] },
  { what: 'otp missing', method: 'post', path: '/certifications/otp/confirm/imp_123456789012', body: {}, fields: ['otp'] },
  {
    what: 'otp with an unknown field',
    method: 'post',
    path: '/certifications/otp/confirm/imp_123456789012',
    body: { otp: '123456', phone: '01012345678' },
    fields: ['phone'],
  },
  { what: 'imp_uid with bad characters', method: 'post', path: '/certifications/otp/confirm/imp%20x%3B', body: { otp: '123456' }, fields: ['imp_uid'] },

  // popup result
  { what: 'imp_uid missing', method: 'post', path: '/certifications', body: {}, fields: ['imp_uid'] },
  { what: 'imp_uid as a number', method: 'post', path: '/certifications', body: { imp_uid: 123 }, fields: ['imp_uid'] },
  { what: 'imp_uid too long', method: 'post', path: '/certifications', body: { imp_uid: 'i'.repeat(65) }, fields: ['imp_uid'] },
  { what: 'popup with an unknown field', method: 'post', path: '/certifications', body: { imp_uid: 'imp_1', success: true }, fields: ['success'] },

  // signup
  { what: 'token missing', method: 'post', path: '/users', body: {}, fields: ['verification_token'] },
  { what: 'token too short', method: 'post', path: '/users', body: { verification_token: 'abc' }, fields: ['verification_token'] },
  { what: 'token with a bad character', method: 'post', path: '/users', body: { verification_token: `${'A'.repeat(42)}=` }, fields: ['verification_token'] },
  { what: 'token as a number', method: 'post', path: '/users', body: { verification_token: 42 }, fields: ['verification_token'] },
  { what: 'empty nickname', method: 'post', path: '/users', body: { verification_token: TOKEN, nickname: '' }, fields: ['nickname'] },
  { what: 'blank nickname', method: 'post', path: '/users', body: { verification_token: TOKEN, nickname: '   ' }, fields: ['nickname'] },
  { what: 'nickname of 41 characters', method: 'post', path: '/users', body: { verification_token: TOKEN, nickname: '닉'.repeat(41) }, fields: ['nickname'] },
  { what: 'nickname as a number', method: 'post', path: '/users', body: { verification_token: TOKEN, nickname: 7 }, fields: ['nickname'] },
  { what: 'marketing_opt_in as text', method: 'post', path: '/users', body: { verification_token: TOKEN, marketing_opt_in: 'true' }, fields: ['marketing_opt_in'] },
  { what: 'signup with an unknown field', method: 'post', path: '/users', body: { verification_token: TOKEN, ci_bidx: 'x' }, fields: ['ci_bidx'] },
];

describe('400 VALIDATION_FAILED naming the field', () => {
  it.each(CASES.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    let req = f.http[c.method](c.path);
    if (c.raw !== undefined) req = req.set('content-type', 'application/json').send(c.raw);
    else if (c.body !== undefined) req = req.send(c.body as object);
    const res = await req;
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const fields = (res.body.error.details.fields as Array<{ field: string; message: string }>).map((x) => x.field);
    expect([...new Set(fields)].sort()).toEqual(c.fields);
    // the answer names the rule, never the value
    const body = c.body as Record<string, unknown> | undefined;
    for (const value of Object.values(body ?? {})) {
      if (typeof value === 'string' && value.length >= 3 && !['SKT', 'KT', 'LGT'].includes(value)) {
        // the error, not the envelope: a random request_id may contain a short value such as '999'
        expect(JSON.stringify(res.body.error)).not.toContain(value);
      }
    }
  });

  it('never asked the upstream for any of them', async () => {
    const stats = await f.stats();
    expect(stats.calls.requestOtp ?? 0).toBe(0);
    expect(stats.calls.confirmOtp ?? 0).toBe(0);
    expect(stats.calls.getCertification ?? 0).toBe(0);
    expect(await f.count('certifications')).toBe(0);
  });
});

describe('accepted forms', () => {
  it.each([
    ['+82 and spaces, YYYY-MM-DD, numeric gender digit, lowercase carrier', { phone: '+82 10 2345 6789', birth: '1990-01-01', gender_digit: 1, carrier: 'skt' }],
    ['dots and YY.MM.DD', { phone: '010.2345.6789', birth: '90.01.01' }],
    ['MVNO and merchant_uid', { is_mvno: true, merchant_uid: 'order-2024-0001' }],
    ['a 2000s birth with gender digit 4', { birth: '050505', gender_digit: '4', name: 'Kim Minji' }],
  ])('%s', async (_what, change) => {
    const res = await f.requestOtp({ ...VALID, ...change, phone: (change as { phone?: string }).phone ?? VALID.phone }).expect(201);
    expect(res.body.imp_uid).toMatch(/^imp_\d{12}$/);
  });
});
