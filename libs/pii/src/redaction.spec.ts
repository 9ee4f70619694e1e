import { Writable } from 'node:stream';
import pino from 'pino';
import {
  PII_LOG_REDACT_PATHS,
  PII_REDACTED,
  PII_SENSITIVE_KEYS,
  buildPiiRedactPaths,
  isSensitiveKey,
  redactObject,
  redactUrl,
} from './redaction';

const person = {
  name: '홍길동',
  phone: '01012345678',
  birth: '900101',
  birthday: '1990-01-01',
  gender_digit: '1',
  otp: '123456',
  unique_key: 'CI-VALUE-0000000000000000000000000000000000000000000000000000000000000000000000',
  unique_in_site: 'DI-VALUE-000000000000000000000000000000000000000000000000000',
  ci: 'CI-VALUE-2',
  di: 'DI-VALUE-2',
  verification_token: 'vt_secret_token',
  access_token: 'at_secret_token',
  imp_key: 'imp_key_value',
  imp_secret: 'imp_secret_value',
};
const secrets = Object.values(person).filter((v) => v.length >= 6);

describe('PII_LOG_REDACT_PATHS with a real pino logger', () => {
  function logLine(write: (logger: pino.Logger) => void): string {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = pino({ redact: { paths: [...PII_LOG_REDACT_PATHS], censor: PII_REDACTED } }, sink);
    write(logger);
    // pino writes synchronously to a plain stream
    expect(lines).toHaveLength(1);
    return lines[0];
  }

  it('is accepted by pino', () => {
    expect(() => pino({ redact: [...PII_LOG_REDACT_PATHS] })).not.toThrow();
  });

  it('lists every sensitive key at the top level and two levels down', () => {
    for (const key of ['name', 'phone', 'birth', 'birthday', 'otp', 'unique_key', 'unique_in_site', 'ci', 'di', 'verification_token', 'access_token', 'imp_key', 'imp_secret']) {
      expect(PII_LOG_REDACT_PATHS).toEqual(expect.arrayContaining([key, `*.${key}`, `*.*.${key}`]));
    }
    expect(PII_LOG_REDACT_PATHS).toEqual(expect.arrayContaining(['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.*["x-api-key"]']));
  });

  it('redacts personal data at the top level', () => {
    const line = logLine((l) => l.info(person, 'otp requested'));
    for (const secret of secrets) expect(line).not.toContain(secret);
    const parsed = JSON.parse(line);
    expect(parsed.name).toBe(PII_REDACTED);
    expect(parsed.otp).toBe(PII_REDACTED);
    expect(parsed.msg).toBe('otp requested');
  });

  it('redacts one and two levels down (request bodies, nested objects, arrays)', () => {
    const line = logLine((l) =>
      l.info({ req: { body: person }, certification: person, items: [person], meta: { keep: 'visible' } }, 'nested'),
    );
    for (const secret of secrets) expect(line).not.toContain(secret);
    const parsed = JSON.parse(line);
    expect(parsed.req.body.phone).toBe(PII_REDACTED);
    expect(parsed.certification.unique_key).toBe(PII_REDACTED);
    expect(parsed.items[0].name).toBe(PII_REDACTED);
    expect(parsed.meta.keep).toBe('visible');
  });

  it('redacts credentials in request and response headers', () => {
    const line = logLine((l) =>
      l.info(
        {
          req: {
            method: 'GET',
            url: '/admin/certifications',
            headers: { authorization: 'Bearer adm_secret_key', cookie: 'sid=session_secret', 'x-api-key': 'api_key_secret', accept: 'application/json' },
          },
          res: { statusCode: 200, headers: { 'set-cookie': 'sid=new_session_secret' } },
        },
        'request completed',
      ),
    );
    for (const secret of ['adm_secret_key', 'session_secret', 'api_key_secret', 'new_session_secret']) {
      expect(line).not.toContain(secret);
    }
    const parsed = JSON.parse(line);
    expect(parsed.req.headers.accept).toBe('application/json');
    expect(parsed.req.url).toBe('/admin/certifications');
  });

  it('redacts camelCase spellings too', () => {
    const line = logLine((l) => l.info({ config: { impKey: 'imp_key_value', impSecret: 'imp_secret_value', hmacKey: 'hmac_value_x' } }));
    for (const secret of ['imp_key_value', 'imp_secret_value', 'hmac_value_x']) expect(line).not.toContain(secret);
  });
});

describe('buildPiiRedactPaths', () => {
  it('builds the default list at depth 2', () => {
    expect(buildPiiRedactPaths()).toEqual([...PII_LOG_REDACT_PATHS]);
  });

  it.each([0, 1, 2] as const)('depth %i is accepted by pino and keeps header paths', (depth) => {
    const paths = buildPiiRedactPaths(depth);
    expect(() => pino({ redact: paths })).not.toThrow();
    expect(paths).toEqual(expect.arrayContaining(['req.headers.authorization', 'name', 'otp']));
    expect(paths.some((p) => p.startsWith('*.') && !p.startsWith('*.*'))).toBe(depth >= 1);
    expect(paths.some((p) => p.startsWith('*.*'))).toBe(depth >= 2);
  });

  it('rejects other depths', () => {
    expect(() => buildPiiRedactPaths(3 as 2)).toThrow(RangeError);
  });
});

describe('redactUrl', () => {
  it.each([
    ['/admin/certifications?phone=01012345678&limit=5', '/admin/certifications?phone=[REDACTED]&limit=5'],
    ['/x?limit=5&name=%ED%99%8D&status=done', '/x?limit=5&name=[REDACTED]&status=done'],
    ['/x?Phone=010&PHONE_NUMBER=010', '/x?Phone=[REDACTED]&PHONE_NUMBER=[REDACTED]'],
    ['/x?unique%5Fkey=abc', '/x?unique%5Fkey=[REDACTED]'],
    ['/x?phone[]=1&phone[]=2&user[name]=a&user[id]=7', '/x?phone[]=[REDACTED]&phone[]=[REDACTED]&user[name]=[REDACTED]&user[id]=7'],
    ['/x?otp', '/x?otp=[REDACTED]'],
    ['/x?verification_token=vt_1#frag', '/x?verification_token=[REDACTED]'],
    ['/x?bad=%E0%A4%A&ci=1', '/x?bad=%E0%A4%A&ci=[REDACTED]'],
    ['/certifications/imp_123', '/certifications/imp_123'],
    ['/x?imp_uid=imp_1&merchant_uid=m_1', '/x?imp_uid=imp_1&merchant_uid=m_1'],
    ['/x?', '/x?'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('isSensitiveKey', () => {
  it.each(['name', 'Name', 'phone', 'unique_key', 'uniqueKey', 'Unique-Key', 'AUTHORIZATION', 'set-cookie', 'csrf_token', 'clientSecret', 'db_password', 'x-api-key', ...PII_SENSITIVE_KEYS])(
    '%s is sensitive',
    (key) => expect(isSensitiveKey(key)).toBe(true),
  );

  it.each(['imp_uid', 'merchant_uid', 'status', 'certified_at', 'gender', 'carrier', 'token_type', 'expires_at', 'msg', 'level'])(
    '%s is not',
    (key) => expect(isSensitiveKey(key)).toBe(false),
  );
});

describe('redactObject', () => {
  it('redacts sensitive keys at any depth, in objects and arrays', () => {
    const input = {
      imp_uid: 'imp_123',
      level1: { level2: { level3: { level4: { ...person, keep: 1 } } } },
      list: [person, [{ phone: '01099998888' }], 'plain string'],
      headers: { Authorization: 'Bearer x_secret_x', 'Set-Cookie': ['a=b_secret'] },
    };
    const out = redactObject(input);
    const text = JSON.stringify(out);
    for (const secret of [...secrets, '01099998888', 'x_secret_x', 'b_secret']) expect(text).not.toContain(secret);
    expect(out.imp_uid).toBe('imp_123');
    expect(out.level1.level2.level3.level4.keep).toBe(1);
    expect(out.level1.level2.level3.level4.name).toBe(PII_REDACTED);
    expect(out.list[2]).toBe('plain string');
    expect((out.list[1] as Array<{ phone: string }>)[0].phone).toBe(PII_REDACTED);
    expect(out.headers['Set-Cookie']).toBe(PII_REDACTED);
  });

  it('replaces whole values, whatever their type', () => {
    const out = redactObject({ name: { first: '길동', last: '홍' }, otp: 123456, ci: null, di: undefined });
    expect(out).toEqual({ name: PII_REDACTED, otp: PII_REDACTED, ci: PII_REDACTED, di: PII_REDACTED });
  });

  it('does not modify its input', () => {
    const input = { user: { name: '홍길동', tags: [{ phone: '01012345678' }] } };
    const before = structuredClone(input);
    redactObject(input);
    expect(input).toEqual(before);
  });

  it('passes primitives through', () => {
    expect(redactObject('홍길동')).toBe('홍길동');
    expect(redactObject(42)).toBe(42);
    expect(redactObject(null)).toBeNull();
    expect(redactObject(undefined)).toBeUndefined();
  });

  it('handles cycles', () => {
    const a: Record<string, unknown> = { phone: '01012345678', id: 1 };
    a.self = a;
    a.list = [a];
    const out = redactObject(a);
    expect(out.self).toBe('[Circular]');
    expect((out.list as unknown[])[0]).toBe('[Circular]');
    expect(out.phone).toBe(PII_REDACTED);
  });

  it('keeps shared (non-cyclic) references', () => {
    const shared = { phone: '01012345678', n: 1 };
    const out = redactObject({ a: shared, b: shared });
    expect(out.a).toEqual({ phone: PII_REDACTED, n: 1 });
    expect(out.b).toEqual({ phone: PII_REDACTED, n: 1 });
  });

  it('truncates very deep structures', () => {
    let deep: Record<string, unknown> = { phone: '01012345678' };
    for (let i = 0; i < 100; i++) deep = { next: deep };
    expect(JSON.stringify(redactObject(deep))).toContain('[Truncated]');
    expect(JSON.stringify(redactObject(deep))).not.toContain('01012345678');
  });

  it('copies errors with their name, message and own fields', () => {
    const error = Object.assign(new TypeError('bad input'), { details: { phone: '01012345678', field: 'phone' } });
    const out = redactObject({ err: error }) as unknown as { err: Record<string, unknown> };
    expect(out.err.name).toBe('TypeError');
    expect(out.err.message).toBe('bad input');
    expect(out.err.stack).toEqual(expect.stringContaining('bad input'));
    expect(out.err.details).toEqual({ phone: PII_REDACTED, field: 'phone' });
  });

  it('keeps the class name of errors that assign this.name', () => {
    class CustomError extends Error {
      constructor() {
        super('x');
        this.name = 'CustomError';
      }
    }
    expect((redactObject({ e: new CustomError() }) as unknown as { e: { name: string } }).e.name).toBe('CustomError');
  });

  it('converts maps and class instances, keeps dates and buffers', () => {
    class Certification {
      constructor(
        readonly imp_uid: string,
        readonly name: string,
      ) {}
    }
    const date = new Date('2026-01-01T00:00:00Z');
    const buffer = Buffer.from('abc');
    const out = redactObject({
      map: new Map<unknown, unknown>([
        ['phone', '01012345678'],
        ['ok', 'yes'],
      ]),
      cert: new Certification('imp_1', '홍길동'),
      date,
      buffer,
    }) as unknown as Record<string, unknown>;
    expect(out.map).toEqual({ phone: PII_REDACTED, ok: 'yes' });
    expect(out.cert).toEqual({ imp_uid: 'imp_1', name: PII_REDACTED });
    expect(out.date).toBe(date);
    expect(out.buffer).toBe(buffer);
  });

  it('keeps an own __proto__ key as a key', () => {
    const input = JSON.parse('{"__proto__": {"phone": "01012345678"}, "a": 1}');
    const out = redactObject(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).not.toContain('01012345678');
  });
});
