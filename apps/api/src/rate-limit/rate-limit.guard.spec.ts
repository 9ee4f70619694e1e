import { Body, Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DomainExceptionFilter, RateLimit } from '@app/common';
import { normalizePhone } from '@app/certification';
import { BlindIndex, PiiModule, generateKeyMaterial } from '@app/pii';
import { loadAppConfig } from '../config/app-config';
import { RedisModule } from '../redis/redis.module';
import { RateLimitModule } from './rate-limit.module';
import { SubjectRateLimiter } from './subject-rate-limiter';

// Paths unlike the real routes: the limit follows the declaration, not the path.
@Controller('v2/accounts')
class RenamedController {
  constructor(
    private readonly limiter: SubjectRateLimiter,
    private readonly blindIndex: BlindIndex,
  ) {}

  @Post('open')
  @RateLimit('signup')
  signup(): { ok: true } {
    return { ok: true };
  }

  // the phone is counted as the OTP flow does: through the limiter port, once the body is valid
  @Post('codes/send')
  @RateLimit('otp-request')
  async otp(@Body() body: { phone?: unknown }): Promise<{ ok: true }> {
    const phone = normalizePhone(body?.phone);
    if (phone !== null) await this.limiter.beforeOtpRequest({ phoneBidx: this.blindIndex.compute('phone', phone) });
    return { ok: true };
  }

  @Post('users')
  undeclared(): { ok: true } {
    return { ok: true };
  }
}

@Controller('v2/verify')
@RateLimit('confirm')
class ClassLevelController {
  @Post('a') a(): { ok: true } {
    return { ok: true };
  }

  @Get('b') b(): { ok: true } {
    return { ok: true };
  }
}

describe('RateLimitGuard', () => {
  let app: INestApplication;
  const inject = (method: 'GET' | 'POST', url: string, body?: object, ip = '192.0.2.1') => {
    const call = method === 'GET' ? request(app.getHttpServer()).get(url) : request(app.getHttpServer()).post(url).send(body);
    return call.set('X-Forwarded-For', ip);
  };

  beforeAll(async () => {
    const config = loadAppConfig({
      NODE_ENV: 'test',
      TRUST_PROXY: 'true',
      SIGNUP_LIMIT_PER_IP: '2',
      OTP_SEND_LIMIT_PER_IP: '3',
      OTP_SEND_LIMIT_PER_PHONE: '1',
      OTP_CONFIRM_LIMIT_PER_IP: '2',
    });
    const keys = generateKeyMaterial();
    @Module({
      imports: [PiiModule.forRoot({ ...keys, isGlobal: true }), RedisModule.forRoot(null), RateLimitModule.forRoot(config)],
      controllers: [RenamedController, ClassLevelController],
      providers: [{ provide: APP_FILTER, useClass: DomainExceptionFilter }],
    })
    class TestModule {}
    app = await NestFactory.create(TestModule, new FastifyAdapter({ trustProxy: true }), { logger: false });
    await app.init();
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  });
  afterAll(async () => app?.close());

  it('keeps a renamed route on the limit it declares', async () => {
    expect((await inject('POST', '/v2/accounts/open', {})).status).toBe(201);
    const second = await inject('POST', '/v2/accounts/open', {});
    expect(second.status).toBe(201);
    expect(second.headers['x-ratelimit-limit-signup-ip']).toBe('2');
    expect(second.headers['x-ratelimit-remaining-signup-ip']).toBe('0');
    const refused = await inject('POST', '/v2/accounts/open', {});
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'ip', limit: 2, window_seconds: 600 } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('checks the IP before the phone, per the rules of the declared limit', async () => {
    const ip = '192.0.2.2';
    expect((await inject('POST', '/v2/accounts/codes/send', { phone: '010-1111-2222' }, ip)).status).toBe(201);
    const phone = await inject('POST', '/v2/accounts/codes/send', { phone: '01011112222' }, ip);
    expect(phone.status).toBe(429);
    expect(phone.body.error.details.scope).toBe('phone');
    // the phone refusal still counted against the IP (limit 3): the third is the last one in
    expect((await inject('POST', '/v2/accounts/codes/send', { phone: '01033334444' }, ip)).status).toBe(201);
    const byIp = await inject('POST', '/v2/accounts/codes/send', { phone: '01055556666' }, ip);
    expect(byIp.status).toBe(429);
    expect(byIp.body.error.details.scope).toBe('ip');
    // refused for its IP, it did not use up that phone's quota
    expect((await inject('POST', '/v2/accounts/codes/send', { phone: '01055556666' }, '192.0.2.9')).status).toBe(201);
  });

  it('limits every route of a class-level declaration, and no route without one', async () => {
    const ip = '192.0.2.3';
    expect((await inject('POST', '/v2/verify/a', {}, ip)).status).toBe(201);
    expect((await inject('GET', '/v2/verify/b', undefined, ip)).status).toBe(200);
    expect((await inject('POST', '/v2/verify/a', {}, ip)).status).toBe(429);
    for (let i = 0; i < 10; i++) {
      const res = await inject('POST', '/v2/accounts/users', {}, ip);
      expect(res.status).toBe(201);
      expect(Object.keys(res.headers).some((h) => h.startsWith('x-ratelimit'))).toBe(false);
    }
  });
});
