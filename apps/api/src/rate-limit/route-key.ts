import { RequestMethod, type ExecutionContext } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';

/**
 * `METHOD /path` of the route a request was routed to, read from the controller's and the
 * handler's Nest metadata (`@Controller('certifications')` + `@Post('otp/confirm/:imp_uid')`
 * -> `POST /certifications/otp/confirm/:param`), so it works the same on Express and Fastify
 * and needs nothing from the controllers themselves. Route parameters are normalized to
 * `:param` (their names do not matter); a global prefix or URI versioning is not part of it.
 * Computed once per handler.
 */
const cache = new WeakMap<object, string[]>();

export function routeKeysOf(context: ExecutionContext): string[] {
  const handler = context.getHandler();
  let keys = cache.get(handler);
  if (!keys) {
    keys = computeRouteKeys(context.getClass(), handler);
    cache.set(handler, keys);
  }
  return keys;
}

export function computeRouteKeys(controller: object, handler: object): string[] {
  const methodValue = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  if (methodValue === undefined) return [];
  const method = RequestMethod[methodValue] ?? String(methodValue);
  const controllerPaths = asList(Reflect.getMetadata(PATH_METADATA, controller));
  const handlerPaths = asList(Reflect.getMetadata(PATH_METADATA, handler));
  const keys: string[] = [];
  for (const c of controllerPaths) {
    for (const h of handlerPaths) keys.push(`${method} ${normalizeRoutePath(`${c}/${h}`)}`);
  }
  return keys;
}

/** `/certifications//otp/confirm/:impUid/` -> `/certifications/otp/confirm/:param`. */
export function normalizeRoutePath(path: string): string {
  const joined = `/${path}`
    .replace(/\/{2,}/g, '/')
    .replace(/\/$/, '')
    .replace(/:[A-Za-z0-9_]+(\([^)]*\))?\??/g, ':param');
  return joined === '' ? '/' : joined;
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [''];
  if (Array.isArray(value)) return value.length ? value.map((v) => String(v)) : [''];
  return [String(value)];
}
