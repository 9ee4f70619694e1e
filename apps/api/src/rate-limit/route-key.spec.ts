import { Controller, Get, Post, Delete } from '@nestjs/common';
import { computeRouteKeys, normalizeRoutePath } from './route-key';

@Controller('certifications')
class CertificationsController {
  @Post('otp/request') request(): void {}
  @Post('otp/confirm/:impUid') confirm(): void {}
  @Post() popup(): void {}
  @Get('redirect') redirect(): void {}
  helper(): void {}
}

@Controller(['users', '/v1/users/'])
class UsersController {
  @Post() signup(): void {}
  @Delete(':id') remove(): void {}
}

@Controller()
class RootController {
  @Get() index(): void {}
}

describe('route keys from Nest metadata', () => {
  const keys = (c: { prototype: object }, name: string) =>
    computeRouteKeys(c, (c.prototype as Record<string, object>)[name]);

  it('joins controller and handler paths, with parameters as :param', () => {
    expect(keys(CertificationsController, 'request')).toEqual(['POST /certifications/otp/request']);
    expect(keys(CertificationsController, 'confirm')).toEqual(['POST /certifications/otp/confirm/:param']);
    expect(keys(CertificationsController, 'popup')).toEqual(['POST /certifications']);
    expect(keys(CertificationsController, 'redirect')).toEqual(['GET /certifications/redirect']);
  });

  it('handles several controller paths, root paths and methods that are not routes', () => {
    expect(keys(UsersController, 'signup')).toEqual(['POST /users', 'POST /v1/users']);
    expect(keys(UsersController, 'remove')).toEqual(['DELETE /users/:param', 'DELETE /v1/users/:param']);
    expect(keys(RootController, 'index')).toEqual(['GET /']);
    expect(keys(CertificationsController, 'helper')).toEqual([]);
  });

  it('normalizes slashes and parameter syntax', () => {
    expect(normalizeRoutePath('//a//b/')).toBe('/a/b');
    expect(normalizeRoutePath('/a/:id(\\d+)/b/:opt?')).toBe('/a/:param/b/:param');
  });
});
