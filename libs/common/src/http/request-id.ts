import { randomUUID } from 'node:crypto';

const VALID = /^[A-Za-z0-9._:-]{1,128}$/;
const KEY = Symbol.for('iamport-backend.request-id');

interface RequestLike {
  id?: unknown;
  headers?: Record<string, string | string[] | undefined>;
  raw?: RequestLike;
  [KEY]?: string;
}

/**
 * The id of this request: the client's `X-Request-Id` when it is a sane token, else a new
 * UUID; computed once and kept on the request. Works on the Express and Fastify adapters
 * (Fastify's own `request.id` is used when the app configured `genReqId` with this function).
 */
export function requestIdOf(request: unknown): string {
  const req = (request ?? {}) as RequestLike;
  const cached = req[KEY] ?? req.raw?.[KEY];
  if (cached) return cached;
  let id: string | undefined;
  if (typeof req.id === 'string' && VALID.test(req.id)) id = req.id;
  if (!id) {
    const header = req.headers?.['x-request-id'];
    const value = Array.isArray(header) ? header[0] : header;
    id = value && VALID.test(value) ? value : randomUUID();
  }
  req[KEY] = id;
  return id;
}
