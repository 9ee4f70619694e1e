import type { IncomingMessage } from 'node:http';
import { SandboxHttpError, badRequest } from './envelope';
import { MESSAGES } from './messages';

export type RequestBody = Record<string, unknown>;

/** Bodies above this size are refused with 413 (the upstream's bodies are tiny). */
export const MAX_BODY_BYTES = 64 * 1024;

export function readRawBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new SandboxHttpError(413, MESSAGES.bodyTooLarge));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
  });
}

/**
 * Parses a body as the upstream accepts it: `application/x-www-form-urlencoded` or JSON.
 * An empty body is `{}`. A body that is not a JSON object is a 400.
 */
export function parseBody(raw: Buffer, contentType: string | undefined): RequestBody {
  const type = (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
  const text = raw.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    const out: RequestBody = {};
    for (const [key, value] of new URLSearchParams(text)) {
      if (!(key in out)) out[key] = value;
    }
    return out;
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest(MESSAGES.badJson);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest(MESSAGES.badBody);
  }
  return parsed as RequestBody;
}
