import { Controller, Get, Post, type INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { DomainError } from '../domain-error';
import { API_JSON_BODY_ERRORS, ApiErrorResponses, apiRateLimited, apiValidationFailed } from './api-error-responses';
import { UnauthorizedError } from './error-codes';

class GoneError extends DomainError {
  readonly code = 'THING_GONE';
  readonly status = 410;
  constructor() {
    super('The thing is gone', { since: '2026-01-01' });
  }
}
class OtherBadRequestError extends DomainError {
  readonly code = 'OTHER_BAD';
  readonly status = 400;
}

@ApiErrorResponses(new UnauthorizedError())
@Controller('things')
class ThingsController {
  @Get()
  @ApiErrorResponses(new GoneError())
  @ApiErrorResponses(apiValidationFailed([{ field: 'q', message: 'q is bad' }]), { error: new OtherBadRequestError('other'), description: 'when other' })
  list(): void {}

  @Post()
  @ApiErrorResponses(apiRateLimited(), ...API_JSON_BODY_ERRORS)
  create(): void {}
}

describe('ApiErrorResponses', () => {
  let app: INestApplication;
  let doc: OpenAPIObject;
  type Response = { description: string; 'x-error-codes'?: string[]; content?: Record<string, { schema: unknown; examples: Record<string, { value: unknown }> }>; headers?: Record<string, unknown> };
  const responses = (path: string, method: 'get' | 'post') => (doc.paths[path] as Record<string, { responses: Record<string, Response> }>)[method].responses;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [ThingsController] }).compile();
    app = moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    await app.init();
    doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
  });

  afterAll(async () => {
    await app?.close();
  });

  it('groups the codes by status, adding up several decorators on one method, and adds 500 INTERNAL_ERROR', () => {
    const get = responses('/things', 'get');
    expect(Object.fromEntries(Object.entries(get).map(([status, r]) => [status, r['x-error-codes']]))).toEqual({
      400: ['VALIDATION_FAILED', 'OTHER_BAD'],
      401: ['UNAUTHORIZED'],
      410: ['THING_GONE'],
      500: ['INTERNAL_ERROR'],
    });
    expect(get['400'].description).toContain('- `OTHER_BAD`: when other');
    expect(get['400'].description).toContain('- `VALIDATION_FAILED`: ');
    expect(get['410'].description).toContain('- `THING_GONE`: The thing is gone');
  });

  it('documents the envelope: ErrorEnvelope schema with the codes as enum, one example per code, the headers', () => {
    const r = responses('/things', 'get')['400'];
    const json = r.content!['application/json'];
    expect(json.schema).toEqual({
      allOf: [
        { $ref: '#/components/schemas/ErrorEnvelope' },
        { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: ['VALIDATION_FAILED', 'OTHER_BAD'] } } } } },
      ],
    });
    expect(json.examples.VALIDATION_FAILED.value).toEqual({
      error: { code: 'VALIDATION_FAILED', message: 'Invalid request: q', details: { fields: [{ field: 'q', message: 'q is bad' }] } },
      request_id: expect.any(String),
    });
    expect(json.examples.OTHER_BAD.value).toEqual({ error: { code: 'OTHER_BAD', message: 'other' }, request_id: expect.any(String) });
    expect(Object.keys(r.headers ?? {})).toEqual(['x-request-id']);
    expect(Object.keys(responses('/things', 'post')['429'].headers ?? {}).sort()).toEqual(['Retry-After', 'x-request-id']);
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(expect.arrayContaining(['ErrorEnvelope', 'ErrorInfo']));
  });

  it('applies class-level cases to every route, the method ones winning per status', () => {
    const post = responses('/things', 'post');
    expect(Object.fromEntries(Object.entries(post).map(([status, r]) => [status, r['x-error-codes']]))).toEqual({
      401: ['UNAUTHORIZED'],
      413: ['PAYLOAD_TOO_LARGE'],
      415: ['UNSUPPORTED_MEDIA_TYPE'],
      429: ['RATE_LIMITED'],
      500: ['INTERNAL_ERROR'],
    });
  });

  it('refuses a case that is not a DomainError', () => {
    expect(() => ApiErrorResponses({ error: new Error('x') as unknown as DomainError })).toThrow(TypeError);
  });
});
