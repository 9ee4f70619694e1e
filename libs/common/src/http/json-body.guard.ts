import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnsupportedMediaTypeError } from './error-codes';
import { NO_BODY } from './no-body.decorator';
import { PerHandler } from './per-handler';

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
 * controllers, so it holds on any host adapter (Fastify or Express). A `@NoBody()` route also
 * takes a request without Content-Type and without a body.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  private readonly noBody = new PerHandler((handler) => this.reflector.get<boolean>(NO_BODY, handler) === true);

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<{ method?: string; headers?: Record<string, string | string[] | undefined> }>();
    if (!BODY_METHODS.has(String(request.method).toUpperCase())) return true;
    if (this.noBody.of(context) && !announcesBody(request.headers ?? {})) return true;
    if (!isJsonContentType(request.headers?.['content-type'])) {
      throw new UnsupportedMediaTypeError('Unsupported content type; send application/json');
    }
    return true;
  }
}

/** Whether the request says it carries a body: a Content-Type, a non-zero Content-Length or a Transfer-Encoding. */
function announcesBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers['content-type'] !== undefined || headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && String(length).trim() !== '0';
}
