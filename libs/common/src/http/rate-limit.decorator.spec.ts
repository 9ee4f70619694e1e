import { Controller, Post } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RATE_LIMIT_METADATA, RateLimit, type RateLimitName } from './rate-limit.decorator';

@Controller('a')
@RateLimit('signup')
class Limited {
  @Post() inherited(): void {}
  @Post('b') @RateLimit('confirm') own(): void {}
}

@Controller('c')
class Unlimited {
  @Post() plain(): void {}
}

describe('@RateLimit', () => {
  const reflector = new Reflector();
  const limitOf = (target: { prototype: object }, method: string) =>
    reflector.getAllAndOverride<RateLimitName | undefined>(RATE_LIMIT_METADATA, [
      (target.prototype as Record<string, () => void>)[method],
      target as unknown as () => void,
    ]);

  it('is read through Reflector, the method overriding the class', () => {
    expect(limitOf(Limited, 'inherited')).toBe('signup');
    expect(limitOf(Limited, 'own')).toBe('confirm');
    expect(limitOf(Unlimited, 'plain')).toBeUndefined();
  });

  it('refuses an unknown limit when the class loads', () => {
    expect(() => RateLimit('otp' as RateLimitName)).toThrow(TypeError);
  });
});
