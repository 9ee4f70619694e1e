import { createHash } from 'node:crypto';
import { Logger, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminKeyService } from './admin-key.service';
import { adminRequestContext } from './admin-request';
import { resolveAdminOptions } from './admin.options';
import { RequireScope } from './require-scope.decorator';

const sha = (key: string) => createHash('sha256').update(key).digest('hex');

@RequireScope('audit:read')
class Routes {
  classScoped(): void {}
  @RequireScope('verifications:read', 'pii:reveal')
  methodScoped(): void {}
}

class Unscoped {
  open(): void {}
}

function context(cls: new () => object, handler: string, request: object): ExecutionContext {
  return {
    getClass: () => cls,
    getHandler: () => (cls.prototype as Record<string, unknown>)[handler],
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('AdminAuthGuard', () => {
  beforeAll(() => Logger.overrideLogger(false));

  const keys = new AdminKeyService(
    resolveAdminOptions({
      apiKeys: `auditor:${sha('adm_a')}:audit:read,revealer:${sha('adm_r')}:verifications:read+pii:reveal`,
    }),
  );
  const guard = new AdminAuthGuard(new Reflector(), keys);

  it('uses the class scope, and the method scope instead of it where set', () => {
    const req = { headers: { authorization: 'Bearer adm_a' }, ip: '10.0.0.1' };
    expect(guard.canActivate(context(Routes, 'classScoped', req))).toBe(true);
    expect(adminRequestContext(req)).toMatchObject({ principal: { keyId: 'auditor' }, clientIp: '10.0.0.1' });
    expect(() => guard.canActivate(context(Routes, 'methodScoped', req))).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', details: { required_scopes: ['verifications:read', 'pii:reveal'] } }),
    );
    expect(guard.canActivate(context(Routes, 'methodScoped', { headers: { authorization: 'Bearer adm_r' } }))).toBe(true);
  });

  it('401 before looking at scopes; a non-IP request.ip is recorded as null', () => {
    expect(() => guard.canActivate(context(Routes, 'classScoped', { headers: {} }))).toThrow(
      expect.objectContaining({ code: 'UNAUTHORIZED' }),
    );
    const req = { headers: { authorization: 'Bearer adm_a' }, ip: 'not an ip' };
    guard.canActivate(context(Routes, 'classScoped', req));
    expect(adminRequestContext(req).clientIp).toBeNull();
  });

  it('fails closed on a guarded route without @RequireScope', () => {
    expect(() => guard.canActivate(context(Unscoped, 'open', { headers: { authorization: 'Bearer adm_a' } }))).toThrow(
      /has no @RequireScope/,
    );
  });

  it('@RequireScope rejects unknown scopes when the class loads', () => {
    expect(() => RequireScope('admin:all' as never)).toThrow(/unknown scope/);
    expect(() => RequireScope()).toThrow(/at least one scope/);
  });
});

describe('AdminAuthGuard with an ADMIN_REQUEST_LIMITER', () => {
  class CountingLimiter {
    readonly seen: string[] = [];
    constructor(private readonly limit: number) {}
    async beforeAdminRequest({ keyId }: { keyId: string }): Promise<void> {
      if (this.seen.filter((k) => k === keyId).length >= this.limit) throw Object.assign(new Error('limited'), { code: 'RATE_LIMITED' });
      this.seen.push(keyId);
    }
  }

  it('counts every authenticated request by its key id, and refuses what the limiter refuses', async () => {
    Logger.overrideLogger(false);
    const keys = new AdminKeyService(resolveAdminOptions({ apiKeys: `auditor:${sha('adm_a')}:audit:read,other:${sha('adm_o')}:audit:read` }));
    const limiter = new CountingLimiter(2);
    const guard = new AdminAuthGuard(new Reflector(), keys, limiter);
    const req = () => ({ headers: { authorization: 'Bearer adm_a' } });
    await expect(guard.canActivate(context(Routes, 'classScoped', req()))).resolves.toBe(true);
    await expect(guard.canActivate(context(Routes, 'classScoped', req()))).resolves.toBe(true);
    await expect(guard.canActivate(context(Routes, 'classScoped', req()))).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(guard.canActivate(context(Routes, 'classScoped', { headers: { authorization: 'Bearer adm_o' } }))).resolves.toBe(true);
    // an unknown key is refused before it is counted
    expect(() => guard.canActivate(context(Routes, 'classScoped', { headers: { authorization: 'Bearer nope' } }))).toThrow(
      expect.objectContaining({ code: 'UNAUTHORIZED' }),
    );
    expect(limiter.seen).toEqual(['auditor', 'auditor', 'other']);
  });
});
