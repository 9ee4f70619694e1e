import { Writable } from 'node:stream';
import { createRootPino, installRequestLogging, loggerModuleParams, type RequestLogContext } from './logging';

function capture(level = 'trace') {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: createRootPino({ level, format: 'json', destination }), lines };
}

describe('createRootPino', () => {
  it('writes JSON lines with a level label and an ISO time', () => {
    const { logger, lines } = capture();
    logger.info({ context: 'X' }, 'hello');
    expect(lines[0]).toMatchObject({ level: 'info', context: 'X', msg: 'hello' });
    expect(typeof lines[0].time).toBe('string');
  });

  it('redacts personal fields and secrets at any depth and in any spelling in logged objects, and top-level binding keys', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        phone: '01012345678',
        params: { user: { profile: { Phone_Number: '01012345678', birthDate: '1990-01-01', nickname: 'kept' } } },
        list: [{ unique_key: 'CI-VALUE' }],
        headers: { authorization: 'Bearer s3cret', 'x-trace': 'kept' },
        client_secret: 's3cret',
      },
      'm',
    );
    logger.child({ otp: '123456', verification_token: 'tok' }).warn('child');
    const text = JSON.stringify(lines);
    for (const secret of ['01012345678', '1990-01-01', 'CI-VALUE', 's3cret', '123456', 'tok"']) expect(text).not.toContain(secret);
    expect(text).toContain('kept');
    expect(lines[0].phone).toBe('[REDACTED]');
  });

  it('serializes errors without their sensitive own properties', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('boom'), { details: { phone: '01099998888' } });
    logger.error({ err: error }, 'failed');
    expect(JSON.stringify(lines[0])).not.toContain('01099998888');
    expect(lines[0].err).toMatchObject({ type: 'Error', message: 'boom' });
  });

  it('logs only id, method and the redacted URL of a request, and only the status of a response', () => {
    const { logger, lines } = capture();
    const req = {
      id: 'r-1',
      method: 'GET',
      url: '/admin/certifications?phone=01012345678&limit=5',
      headers: { authorization: 'Bearer adm', cookie: 'c=1' },
      socket: { remoteAddress: '203.0.113.9' },
    };
    logger.info({ req, res: { statusCode: 200, getHeaders: () => ({ 'set-cookie': 'x' }) } }, 'request completed');
    expect(lines[0].req).toEqual({ id: 'r-1', method: 'GET', url: '/admin/certifications?phone=[REDACTED]&limit=5' });
    expect(lines[0].res).toEqual({ statusCode: 200 });
  });

  it('refuses an unknown LOG_LEVEL', () => {
    expect(() => createRootPino({ level: 'loud', format: 'json' })).toThrow(/LOG_LEVEL must be one of/);
  });

  it('gives nestjs-pino the root logger and no middleware routes (the api logs requests through Fastify hooks)', () => {
    const { logger } = capture();
    const params = loggerModuleParams(logger);
    expect((params.pinoHttp as { logger: unknown }).logger).toBe(logger);
    expect(params.forRoutes).toBeUndefined();
  });
});

function capturePretty() {
  let text = '';
  const destination = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { logger: createRootPino({ level: 'trace', format: 'pretty', destination }), text: () => text };
}

/** The two Fastify hooks of installRequestLogging, run by hand. */
class FakeFastify {
  readonly hooks: Record<string, (request: any, reply: any, done: () => void) => void> = {};
  addHook(name: string, hook: (request: any, reply: any, done: () => void) => void): void {
    this.hooks[name] = hook;
  }
  answer(request: { method: string; url: string; routeOptions?: { url?: string } }, statusCode: number): void {
    const reply = { statusCode, elapsedTime: 3.2 };
    this.hooks.onRequest(request, reply, () => undefined);
    this.hooks.onResponse(request, reply, () => undefined);
  }
}
class DirectContext implements RequestLogContext {
  runInContext<T>(fn: () => T): T {
    return fn();
  }
}

describe('LOG_FORMAT=pretty', () => {
  it('writes readable lines: [Context] message, a request as METHOD url -> status in ms', async () => {
    const { logger, text } = capturePretty();
    logger.info({ context: 'Main' }, 'api listening');
    logger.info({ req: { id: 'r1', method: 'POST', url: '/users' }, res: { statusCode: 201 }, responseTime: 12, request_id: 'r1' }, 'request completed');
    const out = text();
    expect(out).toMatch(/INFO.*\[Main\] api listening/);
    expect(out).toMatch(/POST \/users -> 201 in 12 ms \(r1\)/);
    expect(out).not.toMatch(/^\{/m);
  });

  it('redacts exactly as the JSON lines do: personal fields, sensitive query values and imp_uids', () => {
    const { logger, text } = capturePretty();
    logger.warn({ context: 'X', phone: '01012345678', params: { user: { birthDate: '1990-01-01' } }, err: Object.assign(new Error('e'), { details: { ci: 'CI-VALUE' } }) }, 'm');
    logger.info({ req: { id: 'r2', method: 'GET', url: '/certifications/redirect?imp_uid=imp_123456789012&imp_success=true' }, res: { statusCode: 302 }, responseTime: 1 }, 'request completed');
    logger.info({ req: { id: 'r3', method: 'GET', url: '/admin/certifications?phone=01099998888&limit=5' }, res: { statusCode: 200 }, responseTime: 1 }, 'request completed');
    const out = text();
    for (const secret of ['01012345678', '1990-01-01', 'CI-VALUE', 'imp_123456789012', '01099998888']) expect(out).not.toContain(secret);
    expect(out).toContain('/certifications/redirect?imp_uid=[REDACTED]&imp_success=true -> 302');
    expect(out).toContain('/admin/certifications?phone=[REDACTED]&limit=5 -> 200');
  });
});

describe('installRequestLogging', () => {
  it('writes the route pattern, not the path parameters (an imp_uid), with the query redacted', () => {
    for (const format of ['json', 'pretty'] as const) {
      let text = '';
      const destination = new Writable({
        write(chunk, _enc, cb) {
          text += chunk.toString();
          cb();
        },
      });
      const root = createRootPino({ level: 'info', format, destination });
      const fastify = new FakeFastify();
      installRequestLogging(fastify, root, new DirectContext());
      fastify.answer({ method: 'POST', url: '/certifications/otp/confirm/imp_987654321098', routeOptions: { url: '/certifications/otp/confirm/:imp_uid' } }, 200);
      fastify.answer({ method: 'GET', url: '/admin/users?ci=CI-X&limit=2', routeOptions: { url: '/admin/users' } }, 200);
      fastify.answer({ method: 'GET', url: '/nowhere', routeOptions: {} }, 404);
      fastify.answer({ method: 'GET', url: '/health/ready', routeOptions: { url: '/health/ready' } }, 200);
      expect(text).not.toContain('imp_987654321098');
      expect(text).not.toContain('CI-X');
      expect(text).toContain('/certifications/otp/confirm/:imp_uid');
      expect(text).toContain('/admin/users?ci=[REDACTED]&limit=2');
      expect(text).toContain('/nowhere');
      expect(text).not.toContain('/health/ready');
    }
  });
});
