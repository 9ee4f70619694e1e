import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnsupportedMediaTypeError } from './error-codes';

const NO_BODY = 'identity:no-body';

/** A POST handler that takes no body (e.g. starting a flow): a request without one passes the guard. */
export const NoBody = (): MethodDecorator => SetMetadata(NO_BODY, true);

/** Methods whose routes take a body. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Whether a `Content-Type` value is `application/json` (any parameters, any case). */
export function isJsonContentType(value: string | string[] | undefined): boolean {
  const header = Array.isArray(value) ? value[0] : value;
  if (typeof header !== 'string') return false;
  return header.split(';')[0].trim().toLowerCase() === 'application/json';
}

/**
 * Refuses a POST, PUT or PATCH whose body is not declared `application/json` (form-urlencoded,
 * text/plain, multipart or no Content-Type): 415 UNSUPPORTED_MEDIA_TYPE. A web page can send
 * those cross-site without a CORS preflight; `application/json` it cannot. Lives on the libs'
 * controllers, so it holds on any host adapter (Fastify or Express).
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector = new Reflector()) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<{ method?: string; headers?: Record<string, string | string[] | undefined> }>();
    if (!BODY_METHODS.has(String(request.method).toUpperCase())) return true;
    if (this.reflector.get<boolean>(NO_BODY, context.getHandler()) && !hasBody(request.headers)) return true;
    if (!isJsonContentType(request.headers?.['content-type'])) {
      throw new UnsupportedMediaTypeError('Unsupported content type; send application/json');
    }
    return true;
  }
}

function hasBody(headers: Record<string, string | string[] | undefined> | undefined): boolean {
  const length = headers?.['content-length'];
  return headers?.['transfer-encoding'] !== undefined || (length !== undefined && String(length) !== '0');
}
