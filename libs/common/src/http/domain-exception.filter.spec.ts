import {
  BadRequestException,
  ConflictException,
  GoneException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
} from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { DomainExceptionFilter } from './domain-exception.filter';
import { ValidationFailedError } from '../domain-error';

describe('DomainExceptionFilter.toDomainError', () => {
  const filter = new DomainExceptionFilter({} as HttpAdapterHost);
  const map = (e: unknown) => {
    const d = filter.toDomainError(e);
    return { code: d.code, status: d.status, message: d.message, details: d.details };
  };

  it('keeps domain errors as they are', () => {
    const e = new ValidationFailedError([{ field: 'phone', message: 'bad' }]);
    expect(filter.toDomainError(e)).toBe(e);
  });

  it("keeps a host's 4xx status and names its code after the status", () => {
    expect(map(new ConflictException('Nickname taken'))).toMatchObject({ code: 'CONFLICT', status: 409, message: 'Nickname taken' });
    expect(map(new GoneException())).toMatchObject({ code: 'GONE', status: 410 });
  });

  it("maps Nest's unknown-route 404 to NOT_FOUND 'No such route' and keeps a host's own 404 message", () => {
    expect(map(new NotFoundException('Cannot GET /nope'))).toMatchObject({ code: 'NOT_FOUND', status: 404, message: 'No such route' });
    expect(map(new NotFoundException('Order not found'))).toMatchObject({ code: 'NOT_FOUND', status: 404, message: 'Order not found' });
  });

  it('answers a BadRequestException as VALIDATION_FAILED naming the request', () => {
    expect(map(new BadRequestException('Validation failed (numeric string is expected)'))).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      details: { fields: [{ field: 'request', message: 'Validation failed (numeric string is expected)' }] },
    });
  });

  it('maps body-parser errors of Express and Fastify to VALIDATION_FAILED on the body', () => {
    const express = Object.assign(new Error('Unexpected token'), { status: 400, type: 'entity.parse.failed' });
    const fastify = Object.assign(new Error('Body is not valid JSON'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    for (const e of [express, fastify]) {
      expect(map(e)).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, details: { fields: [{ field: 'body' }] } });
    }
    // As the adapters hand them to filters: wrapped into an HttpException with the parser error as cause.
    const wrapped = new HttpException('Body is not valid JSON', 400, { cause: fastify });
    expect(map(wrapped)).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'body' }] } });
    expect(map(new BadRequestException('Object contains forbidden prototype property'))).toMatchObject({
      details: { fields: [{ field: 'body' }] },
    });
    const tooLarge = Object.assign(new Error('too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(map(tooLarge)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(map(new PayloadTooLargeException())).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
  });

  it('answers 401 UNAUTHORIZED and hides unexpected errors behind INTERNAL_ERROR', () => {
    expect(map(new UnauthorizedException())).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    const internal = map(new TypeError('secret detail 01012345678'));
    expect(internal).toMatchObject({ code: 'INTERNAL_ERROR', status: 500, message: 'Internal error' });
  });
});
