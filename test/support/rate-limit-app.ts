import { Body, Controller, Get, HttpCode, Module, Param, Post, type INestApplication } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DomainExceptionFilter, RateLimit } from '@app/common';
import { normalizePhone } from '@app/certification';
import { BlindIndex, PiiModule, generateKeyMaterial } from '@app/pii';
import { loadAppConfig } from '../../apps/api/src/config/app-config';
import { RateLimitModule } from '../../apps/api/src/rate-limit/rate-limit.module';
import { createRedisConnection } from '../../apps/api/src/redis/redis-connection';
import { RedisModule } from '../../apps/api/src/redis/redis.module';
import { SubjectRateLimiter } from '../../apps/api/src/rate-limit/subject-rate-limiter';

/**
 * Stand-ins for the public routes (same methods, paths and `@RateLimit` declarations as the real
 * controllers), so the limiter is tested on its own, on both adapters, without the flows, the
 * database or the upstream. They count what reaches them. The OTP request's stand-in counts the
 * phone as the OTP flow does (the limiter port, once the phone is readable).
 */
export const reached = { otpRequest: 0, confirm: 0, popup: 0, redirect: 0, signup: 0, other: 0 };

@Controller('certifications')
class StandInCertificationsController {
  constructor(
    private readonly limiter: SubjectRateLimiter,
    private readonly blindIndex: BlindIndex,
  ) {}

  @Post('otp/request')
  @RateLimit('otp-request')
  async request(@Body() body: { phone?: unknown }): Promise<{ imp_uid: string }> {
    const phone = normalizePhone(body?.phone);
    if (phone !== null) await this.limiter.beforeOtpRequest({ phoneBidx: this.blindIndex.compute('phone', phone) });
    reached.otpRequest++;
    return { imp_uid: 'imp_000000000000' };
  }

  @Post('otp/confirm/:imp_uid')
  @RateLimit('confirm')
  @HttpCode(200)
  confirm(@Param('imp_uid') _impUid: string): { ok: true } {
    reached.confirm++;
    return { ok: true };
  }

  @Post()
  @RateLimit('confirm')
  @HttpCode(200)
  popup(): { ok: true } {
    reached.popup++;
    return { ok: true };
  }

  @Get('redirect')
  redirect(): { ok: true } {
    reached.redirect++;
    return { ok: true };
  }

  @Get('other')
  other(): { ok: true } {
    reached.other++;
    return { ok: true };
  }
}

@Controller('users')
class StandInUsersController {
  @Post()
  @RateLimit('signup')
  signup(): { id: string } {
    reached.signup++;
    return { id: 'u' };
  }
}

export interface LimiterAppOptions {
  adapter: 'fastify' | 'express';
  env?: Record<string, string>;
  /** Shared between apps that stand for instances of one deployment. */
  hmacKey?: string;
}

export const SHARED_KEYS = generateKeyMaterial();

/** An app with the real RateLimitModule and RedisModule (REDIS_URL from env), TRUST_PROXY on. */
export async function startLimiterApp(options: LimiterAppOptions): Promise<INestApplication> {
  const config = loadAppConfig({ NODE_ENV: 'test', TRUST_PROXY: 'true', ...options.env });
  const redis = config.redisUrl ? createRedisConnection({ url: config.redisUrl, prefix: config.redisKeyPrefix }) : null;

  @Module({
    imports: [
      PiiModule.forRoot({ encryptionKeys: SHARED_KEYS.encryptionKeys, hmacKey: options.hmacKey ?? SHARED_KEYS.hmacKey, isGlobal: true }),
      RedisModule.forRoot(redis),
      RateLimitModule.forRoot(config),
    ],
    controllers: [StandInCertificationsController, StandInUsersController],
    providers: [{ provide: APP_FILTER, useClass: DomainExceptionFilter }],
  })
  class LimiterTestModule {}

  let app: INestApplication;
  if (options.adapter === 'fastify') {
    app = await NestFactory.create(LimiterTestModule, new FastifyAdapter({ trustProxy: true }), { logger: false });
    await app.init();
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  } else {
    const express = await NestFactory.create<NestExpressApplication>(LimiterTestModule, new ExpressAdapter(), { logger: false });
    express.set('trust proxy', true);
    app = express;
    await app.init();
  }
  return app;
}
