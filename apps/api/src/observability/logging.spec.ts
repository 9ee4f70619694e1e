import { Writable } from 'node:stream';
import { createRootPino, loggerModuleParams } from './logging';

function capture(level = 'trace') {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: createRootPino({ level, pretty: false, destination }), lines };
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
    expect(() => createRootPino({ level: 'loud', pretty: false })).toThrow(/LOG_LEVEL must be one of/);
  });

  it('gives nestjs-pino the root logger and no middleware routes (the api logs requests through Fastify hooks)', () => {
    const { logger } = capture();
    const params = loggerModuleParams(logger);
    expect((params.pinoHttp as { logger: unknown }).logger).toBe(logger);
    expect(params.forRoutes).toBeUndefined();
  });
});
