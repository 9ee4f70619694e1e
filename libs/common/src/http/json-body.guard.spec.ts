import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnsupportedMediaTypeError } from './error-codes';
import { JsonBodyGuard, isJsonContentType } from './json-body.guard';
import { NoBody } from './no-body.decorator';

class Routes {
  withBody(): void {}
  @NoBody()
  withoutBody(): void {}
}

function http(method: string, headers: Record<string, string | undefined>, handler: () => void = Routes.prototype.withBody): ExecutionContext {
  const request = { method, headers };
  return { getType: () => 'http', getHandler: () => handler, getClass: () => Routes, switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

describe('JsonBodyGuard', () => {
  const guard = new JsonBodyGuard(new Reflector());

  it('lets application/json through, with parameters and in any case', () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON ;charset=UTF-8']) {
      expect(guard.canActivate(http('POST', { 'content-type': type }))).toBe(true);
    }
  });

  it.each([
    ['form-urlencoded', 'application/x-www-form-urlencoded'],
    ['text/plain', 'text/plain'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['a look-alike', 'application/jsonp'],
    ['a +json type', 'application/merge-patch+json'],
    ['no content type', undefined],
  ])('refuses %s on a POST, PUT or PATCH with 415 UNSUPPORTED_MEDIA_TYPE', (_what, type) => {
    for (const method of ['POST', 'PUT', 'PATCH']) {
      expect(() => guard.canActivate(http(method, { 'content-type': type }))).toThrow(UnsupportedMediaTypeError);
    }
    try {
      guard.canActivate(http('POST', { 'content-type': type }));
    } catch (error) {
      expect(error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 });
    }
  });

  it('leaves methods without a body alone (GET, DELETE, HEAD)', () => {
    for (const method of ['GET', 'DELETE', 'HEAD']) expect(guard.canActivate(http(method, {}))).toBe(true);
  });

  it('lets a @NoBody() route take a request without Content-Type and body; a body there must still be JSON', () => {
    const bare = Routes.prototype.withoutBody;
    expect(guard.canActivate(http('POST', {}, bare))).toBe(true);
    expect(guard.canActivate(http('POST', { 'content-length': '0' }, bare))).toBe(true);
    expect(guard.canActivate(http('POST', { 'content-type': 'application/json', 'content-length': '2' }, bare))).toBe(true);
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-length': '12' }, { 'transfer-encoding': 'chunked' }]) {
      expect(() => guard.canActivate(http('POST', headers, bare))).toThrow(UnsupportedMediaTypeError);
    }
    expect(() => guard.canActivate(http('POST', {}))).toThrow(UnsupportedMediaTypeError);
  });

  it('reads the first of repeated headers', () => {
    expect(isJsonContentType(['application/json', 'text/plain'])).toBe(true);
    expect(isJsonContentType(['text/plain', 'application/json'])).toBe(false);
  });
});
