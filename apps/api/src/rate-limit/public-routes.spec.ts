import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { CertificationModule } from '@app/certification';
import { RATE_LIMIT_METADATA } from '@app/common';
import { UserModule } from '@app/user';

/** `METHOD /path` -> the limit its handler declares ('none' without one). */
function declaredLimits(controllers: Type[]): Record<string, string> {
  const reflector = new Reflector();
  const routes: Record<string, string> = {};
  for (const controller of controllers) {
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const path = `/${Reflect.getMetadata(PATH_METADATA, controller)}/${Reflect.getMetadata(PATH_METADATA, handler)}`
        .replace(/\/+/g, '/')
        .replace(/(.)\/$/, '$1');
      routes[`${RequestMethod[method]} ${path}`] =
        reflector.getAllAndOverride<string | undefined>(RATE_LIMIT_METADATA, [handler, controller]) ?? 'none';
    }
  }
  return routes;
}

describe('the public routes of the libs', () => {
  it('declare the limits the api enforces (the redirect its own: over it, a 302 to the failure URL)', () => {
    const controllers = [CertificationModule.forRoot({}), UserModule.forRoot({})].flatMap((m) => m.controllers ?? []);
    expect(declaredLimits(controllers)).toEqual({
      'POST /certifications/otp/request': 'otp-request',
      'POST /certifications/otp/resend/:imp_uid': 'otp-request',
      'POST /certifications/otp/confirm/:imp_uid': 'confirm',
      'POST /certifications': 'confirm',
      'POST /certifications/window': 'window-start',
      'GET /certifications/redirect': 'redirect',
      'POST /users': 'signup',
    });
  });
});
