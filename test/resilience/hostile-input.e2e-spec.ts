/**
 * Property-based tests (fast-check) of every public endpoint with generated hostile input:
 * well over 5,000 bodies, paths and query strings in all, against the real api (in process,
 * Fastify, global guard, pipe and filter; a real database and the sandbox; rate limits raised).
 *
 * Two kinds of samples per endpoint:
 * - a valid body with one or more fields corrupted by construction (wrong types, hostile
 *   strings, near misses, unknown and poisonous keys): the answer must be 400 VALIDATION_FAILED
 *   whose `details.fields` names only fields that were corrupted (a form-valid but impossible
 *   birth may also name gender_digit, the century's other half);
 * - arbitrary JSON as a whole body or as field values: the answer must be a success or an error
 *   of the endpoint's contract with its status, and a 400 must be VALIDATION_FAILED naming at
 *   least one field.
 * Always: no 5xx, the error envelope with a request id, and no submitted string echoed back.
 */
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { startTestApp, type TestApp } from '../support/app';
import {
  isValidName,
  normalizeCarrier,
  normalizeGenderDigit,
  normalizeOtp,
  normalizePhone,
} from '../../libs/certification/src/input/normalize';
import { NO_RATE_LIMITS } from '../support/limits';
import { contractViolation, ENDPOINT_CONTRACT } from '../support/contract';

jest.setTimeout(240_000);

let t: TestApp;
let base: string;
let requests = 0;
const perEndpoint: Record<string, number> = {};

beforeAll(async () => {
  t = await startTestApp({ env: NO_RATE_LIMITS });
  await t.app.listen(0, '127.0.0.1');
  base = await t.app.getUrl();
  base = base.replace('[::1]', '127.0.0.1');
});
afterAll(async () => {
  process.stdout.write(`\n[resilience] hostile input: ${requests} requests ${JSON.stringify(perEndpoint)}\n`);
  await t?.close();
});

interface Answer {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

async function send(endpoint: string, method: string, path: string, raw?: string): Promise<Answer> {
  requests++;
  perEndpoint[endpoint] = (perEndpoint[endpoint] ?? 0) + 1;
  const res = await fetch(`${base}${path}`, {
    method,
    headers: raw !== undefined ? { 'content-type': 'application/json' } : {},
    body: raw,
    redirect: 'manual',
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body, text, headers: res.headers };
}

// ------------------------------------------------------------------ generators

const roundTrip = (v: unknown): unknown => {
  const text = JSON.stringify({ v });
  return (JSON.parse(text) as { v?: unknown }).v;
};

/** Strings people and attackers type: unicode, controls, injections, look-alikes, long runs. */
const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ minLength: 200, maxLength: 3000 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e01012345678',
    '０１０－１２３４－５６７８',
    '٠١٠١٢٣٤٥٦٧٨',
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    '../../etc/passwd',
    '%00',
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    '\uFEFF',
    '\u200b',
    'NaN',
    'undefined',
    'null',
    '[object Object]',
    '9'.repeat(5000),
  ),
);

const anyJson = fc.oneof(
  { depthSize: 'small' },
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Values of `arb` that `invalid` rejects once sent as JSON (undefined = the field left out). */
const invalidBy = (invalid: (sent: unknown) => boolean, extra: fc.Arbitrary<unknown>[] = []) =>
  fc.oneof(anyJson, ...extra).filter((v) => invalid(roundTrip(v)));

const BIRTH_FORM = (v: unknown) =>
  typeof v === 'string' && /^[0-9./ -]{6,14}$/.test(v.trim()) && [6, 8].includes(v.replace(/[^0-9]/g, '').length);

const FIELD_RULES = {
  name: invalidBy((v) => !isValidName(v), [fc.constantFrom('홍길동1', 'ㅎㄱㄷ', '洪吉童', 'a'.repeat(51), 'O\'Brien', '홍\n길동', '😀')]),
  phone: invalidBy((v) => normalizePhone(v) === null, [
    fc.constantFrom('01012345678 ', '0101234567', '02-123-4567', '+1 010 1234 5678', '0082 10 1234 5678', '010-1234-56789', '+82+10 1234 5678'),
  ]),
  birth: invalidBy((v) => !BIRTH_FORM(v), [fc.constantFrom('1990-01-0', '1990.01.011', '19900101x', 'today')]),
  gender_digit: invalidBy((v) => normalizeGenderDigit(v) === null, [fc.constantFrom('0', '9', 9, 0, '11', 1.5, '１')]),
  carrier: invalidBy((v) => normalizeCarrier(v) === null, [fc.constantFrom('SKT_MVNO', 'LG U+', 'KT ', 'skt1', 'LGU')]),
  is_mvno: invalidBy((v) => v !== undefined && v !== null && typeof v !== 'boolean', [fc.constantFrom('true', 'false', 1, 0)]),
  company: invalidBy(
    (v) => v !== undefined && v !== null && (typeof v !== 'string' || v.length < 1 || v.length > 50 || /\p{Cc}/u.test(v)),
  ),
  merchant_uid: invalidBy(
    (v) => v !== undefined && v !== null && (typeof v !== 'string' || v.length < 1 || v.length > 80 || /\p{Cc}/u.test(v)),
  ),
  otp: invalidBy((v) => normalizeOtp(v) === null, [fc.constantFrom('12345', '1234567', '12345a', '１２３４５６', 123456)]),
  imp_uid: invalidBy((v) => !(typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v)), [fc.constantFrom('imp_1 ', 'imp/1', 'a'.repeat(65), 'imp.1')]),
  verification_token: invalidBy((v) => !(typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v)), [
    fc.constantFrom('a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}+`),
  ]),
  nickname: invalidBy((v) => {
    if (v === undefined || v === null) return false;
    if (typeof v !== 'string') return true;
    const text = v.normalize('NFC').trim();
    const n = Array.from(text).length;
    return n < 1 || n > 40 || /[\p{Cc}\p{Cf}]/u.test(text);
  }),
  marketing_opt_in: invalidBy((v) => v !== undefined && v !== null && typeof v !== 'boolean'),
} satisfies Record<string, fc.Arbitrary<unknown>>;

/**
 * Names of Object.prototype members (`valueOf`, `toString`, `constructor`, ...): class-transformer
 * drops such keys silently, so the validation pipe checks the raw body for them (the test at the
 * end); left out of the other properties.
 */
const PROTOTYPE_NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];

/** A key that is no field of the body (forbidden): the api must name it. */
const unknownKey = (fields: string[]) =>
  fc
    .oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('', ' ', 'id', 'ci', 'unique_key', 'status', 'is_admin', 'phone_number', 'otp_code', '__proto__x'),
    )
    .filter((k) => !fields.includes(k) && !PROTOTYPE_NAMES.includes(k));

let phoneSeq = 0;
const VALID = {
  // a new number each time: every body that names a phone counts against it (the guard runs first)
  otpRequest: () => ({ name: '홍길동', phone: `010-3${String(++phoneSeq % 1000).padStart(3, '0')}-${String(1000 + Math.floor(phoneSeq / 1000))}`, birth: '19900101', gender_digit: '1', carrier: 'SKT' }),
  otpConfirm: () => ({ otp: '123456' }),
  popup: () => ({ imp_uid: 'imp_000000000001' }),
  signup: () => ({ verification_token: 'A'.repeat(43) }),
};

const FIELDS: Record<keyof typeof VALID, Array<keyof typeof FIELD_RULES>> = {
  otpRequest: ['name', 'phone', 'birth', 'gender_digit', 'carrier', 'is_mvno', 'company', 'merchant_uid'],
  otpConfirm: ['otp'],
  popup: ['imp_uid'],
  signup: ['verification_token', 'nickname', 'marketing_opt_in'],
};

interface Corrupted {
  body: Record<string, unknown>;
  broken: Set<string>;
  strings: string[];
}

/** A valid body with 1-3 fields corrupted and 0-2 unknown keys (at least one defect). */
function corruptedBody(endpoint: keyof typeof VALID): fc.Arbitrary<Corrupted> {
  const fields = FIELDS[endpoint];
  return fc
    .record({
      corrupt: fc.subarray(fields, { minLength: 0, maxLength: Math.min(3, fields.length) }),
      values: fc.record(Object.fromEntries(fields.map((f) => [f, FIELD_RULES[f]])) as Record<string, fc.Arbitrary<unknown>>),
      extra: fc.array(fc.tuple(unknownKey(fields), anyJson), { maxLength: 2 }),
    })
    .filter(({ corrupt, extra }) => corrupt.length + extra.length > 0)
    .map(({ corrupt, values, extra }) => {
      const body: Record<string, unknown> = VALID[endpoint]();
      const broken = new Set<string>();
      const strings: string[] = [];
      for (const f of corrupt) {
        body[f] = values[f];
        broken.add(f);
        if (f === 'birth') broken.add('gender_digit'); // the century check names both
        collectStrings(values[f], strings);
      }
      for (const [key, value] of extra) {
        body[key] = value;
        broken.add(key === '' ? '""' : key);
        collectStrings(value, strings);
      }
      return { body, broken, strings };
    });
}

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => collectStrings(v, out));
}

// ------------------------------------------------------------------ checks

function envelopeProblems(endpoint: keyof typeof ENDPOINT_CONTRACT, a: Answer): string | null {
  if (a.status >= 500) return `status ${a.status}: ${a.text.slice(0, 300)}`;
  const violation = contractViolation(endpoint, a);
  if (violation) return violation;
  if (a.status === 400) {
    const error = (a.body as { error: { code: string; details?: { fields?: Array<{ field?: unknown; message?: unknown }> } } }).error;
    if (error.code !== 'VALIDATION_FAILED') return `400 with ${error.code}`;
    const fields = error.details?.fields;
    if (!Array.isArray(fields) || fields.length === 0) return '400 VALIDATION_FAILED naming no field';
    for (const f of fields) {
      if (typeof f.field !== 'string' || f.field.length === 0) return `400 naming a field without a name: ${JSON.stringify(f)}`;
      if (typeof f.message !== 'string' || f.message.length === 0) return `400 without a message for ${f.field}`;
    }
  }
  return null;
}

/** Submitted strings of 8+ characters must not come back (messages name fields, not values). */
function echoed(a: Answer, strings: string[]): string | null {
  const hit = strings.find((s) => s.trim().length >= 8 && a.text.includes(s) && !/^[a-z_ ]+$/i.test(s));
  return hit === undefined ? null : `echoed ${JSON.stringify(hit.slice(0, 40))}`;
}

function namedFieldProblems(a: Answer, broken: Set<string>): string | null {
  if (a.status !== 400) return `expected 400 VALIDATION_FAILED, got ${a.status} ${a.text.slice(0, 200)}`;
  const fields = (a.body as { error: { details: { fields: Array<{ field: string }> } } }).error.details.fields;
  const stray = fields.map((f) => f.field).filter((f) => !broken.has(f) && f !== 'body');
  return stray.length ? `names ${stray.join(', ')} although only ${[...broken].join(', ')} were broken` : null;
}

function bodyText(body: unknown): string {
  return JSON.stringify(body);
}

// ------------------------------------------------------------------ properties

const ENDPOINTS = {
  otpRequest: { method: 'POST', path: () => '/certifications/otp/request' },
  otpConfirm: { method: 'POST', path: () => '/certifications/otp/confirm/imp_000000000001' },
  popup: { method: 'POST', path: () => '/certifications' },
  signup: { method: 'POST', path: () => '/users' },
} as const;

describe.each(Object.keys(ENDPOINTS) as Array<keyof typeof ENDPOINTS>)('%s', (endpoint) => {
  const { method, path } = ENDPOINTS[endpoint];

  it('refuses corrupted bodies with 400 VALIDATION_FAILED naming only corrupted fields', async () => {
    await fc.assert(
      fc.asyncProperty(corruptedBody(endpoint), async ({ body, broken, strings }) => {
        const a = await send(endpoint, method, path(), bodyText(body));
        const problem = envelopeProblems(endpoint, a) ?? namedFieldProblems(a, broken) ?? echoed(a, strings);
        if (problem) throw new Error(`${problem}\nbody: ${bodyText(body).slice(0, 400)}`);
      }),
      { numRuns: endpoint === 'otpRequest' ? 1200 : 700 },
    );
  });

  it('answers arbitrary JSON bodies within its contract, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyJson.map((v) => ({ body: v as unknown })),
          fc
            .dictionary(fc.constantFrom(...FIELDS[endpoint], 'x', ''), anyJson, { maxKeys: 6 })
            .map((v) => ({ body: { ...VALID[endpoint](), ...v } as unknown })),
        ),
        async ({ body }) => {
          const strings: string[] = [];
          collectStrings(body, strings);
          const raw = JSON.stringify(body) ?? 'null';
          const a = await send(endpoint, method, path(), raw);
          const problem = envelopeProblems(endpoint, a) ?? echoed(a, strings);
          if (problem) throw new Error(`${problem}\nbody: ${raw.slice(0, 400)}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('paths and query strings', () => {
  it('POST /certifications/otp/confirm/:imp_uid refuses a hostile imp_uid with 400 naming imp_uid (or the path)', async () => {
    // encoded path segments up to 4,000 characters (Node itself answers 431 past 16 KiB of headers)
    const segment = fc.oneof(
      { weight: 9, arbitrary: FIELD_RULES.imp_uid.filter((v) => typeof v === 'string' && v.length > 0).map((v) => encodeURIComponent(v as string)) },
      { weight: 1, arbitrary: fc.constantFrom('%E0%A4%A', '%zz', '%', 'imp_1%', '%C0%AF', '%00') },
    ).filter((v) => v.length <= 4000);
    await fc.assert(
      fc.asyncProperty(segment, fc.boolean(), async (encoded, badOtp) => {
        let id = encoded;
        try {
          id = decodeURIComponent(encoded);
        } catch {
          /* malformed on purpose */
        }
        const a = await send('otpConfirm', 'POST', `/certifications/otp/confirm/${encoded}`, bodyText({ otp: badOtp ? 'x' : '123456' }));
        const broken = new Set(['imp_uid', 'path', ...(badOtp ? ['otp'] : [])]);
        // a path that no longer routes (e.g. '.' or '..' segments) is a 404 NOT_FOUND, also a contract answer
        if (a.status === 404 && (a.body as { error?: { code?: string } })?.error?.code === 'NOT_FOUND') return;
        const problem = envelopeProblems('otpConfirm', a) ?? namedFieldProblems(a, broken) ?? echoed(a, [id]);
        if (problem) throw new Error(`${problem}\nimp_uid: ${JSON.stringify(id).slice(0, 200)}`);
      }),
      { numRuns: 500 },
    );
  });

  it('GET /certifications/redirect always answers a 302 to the success or failure page, whatever the query', async () => {
    const value = fc.oneof(hostileString, fc.constantFrom('true', 'false', 'TRUE', 'imp_000000000001', 'imp_999999999999'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('imp_uid', 'success', 'imp_success', 'merchant_uid', 'error_msg', 'x'), value), { maxLength: 5 }),
        async (pairs) => {
          const query = new URLSearchParams(pairs).toString();
          const a = await send('redirect', 'GET', `/certifications/redirect${query ? `?${query}` : ''}`);
          if (a.status !== 302) throw new Error(`status ${a.status} ${a.text.slice(0, 200)} for ?${query.slice(0, 200)}`);
          const location = a.headers.get('location') ?? '';
          if (!/^(https?:\/\/|\/)/.test(location)) throw new Error(`location ${location}`);
          // nothing of the query travels on but a well-formed imp_uid (and the api's own error code)
          const echoedValue = pairs
            .map(([, v]) => v)
            .find((v) => v.length >= 8 && !/^[A-Za-z0-9_-]{1,64}$/.test(v) && location.includes(encodeURIComponent(v)));
          if (echoedValue) throw new Error(`redirect echoes ${echoedValue}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('raw bodies that are not JSON objects are refused as 400 VALIDATION_FAILED naming the body', async () => {
    const raws = fc.oneof(
      fc.string({ maxLength: 50 }).filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
      fc.constantFrom('{', '{"a":', '[', '{"__proto__": {"x": 1}}', '{"constructor": {"prototype": {"x": 1}}}', '\u0000', '{"otp": "123456",}', "{'otp': '123456'}"),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...(Object.keys(ENDPOINTS) as Array<keyof typeof ENDPOINTS>)), raws, async (endpoint, raw) => {
        const { method, path } = ENDPOINTS[endpoint];
        const a = await send(endpoint, method, path(), raw);
        const problem = envelopeProblems(endpoint, a) ?? (a.status === 400 ? null : `expected 400, got ${a.status}`);
        if (problem) throw new Error(`${problem}\nraw: ${JSON.stringify(raw).slice(0, 200)}`);
      }),
      { numRuns: 300 },
    );
  });

  // class-transformer's plainToInstance silently drops a key named after an Object.prototype
  // member or `prototype`; createValidationPipe checks the raw body's own keys so such a key is
  // refused like any unknown field.
  it('refuses body keys named after Object.prototype members as unknown fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(ENDPOINTS) as Array<keyof typeof ENDPOINTS>)),
        fc.constantFrom(...PROTOTYPE_NAMES.filter((k) => k !== '__proto__')),
        fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 5 })),
        async (endpoint, key, value) => {
          const { method, path } = ENDPOINTS[endpoint];
          const a = await send(endpoint, method, path(), JSON.stringify({ ...VALID[endpoint](), [key]: value }));
          const problem = envelopeProblems(endpoint, a) ?? namedFieldProblems(a, new Set([key]));
          if (problem) throw new Error(`${problem}\nkey: ${key}`);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('sent at least 5,000 generated requests in all', () => {
    expect(requests).toBeGreaterThanOrEqual(5000);
  });
});
