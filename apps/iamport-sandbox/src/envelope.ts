import { MESSAGES } from './messages';

/** The upstream's envelope: every body is `{code, message, response}`. */
export interface Envelope<T = unknown> {
  code: number;
  message: string | null;
  response: T | null;
}

/** What a route handler produces; the server writes it (possibly later, or never: faults). */
export interface SandboxReply {
  status: number;
  body: unknown;
}

export function ok<T>(response: T): SandboxReply {
  const body: Envelope<T> = { code: 0, message: null, response };
  return { status: 200, body };
}

export function errorReply(status: number, message: string, code = -1): SandboxReply {
  const body: Envelope<null> = { code, message, response: null };
  return { status, body };
}

/** Plain JSON (control paths answer without the envelope on success). */
export function plain(body: unknown, status = 200): SandboxReply {
  return { status, body };
}

/** Thrown by handlers; turned into an error envelope by the server. */
export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = -1,
  ) {
    super(message);
    this.name = 'SandboxHttpError';
  }

  toReply(): SandboxReply {
    return errorReply(this.status, this.message, this.code);
  }
}

export const badRequest = (message: string) => new SandboxHttpError(400, message);
export const unauthorized = (message: string = MESSAGES.invalidToken) => new SandboxHttpError(401, message);
export const notFound = (message: string) => new SandboxHttpError(404, message);
