import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { pino, stdSerializers, type DestinationStream, type Logger as PinoInstance, type LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';
import { requestIdOf } from '@app/common';
import { buildPiiRedactPaths, isSensitiveKey, PII_REDACTED, redactObject, redactUrl } from '@app/pii';
import { LOG_LEVELS } from '../config/env.schema';

export { LOG_LEVELS };

export interface LoggingSettings {
  /** LOG_LEVEL. */
  level: string;
  /** LOG_FORMAT: human-readable lines (pino-pretty) or JSON lines. */
  format: 'pretty' | 'json';
  /** Where the lines go instead of stdout (tests capture them). */
  destination?: DestinationStream;
}

/** Key under which every log line written while handling a request carries its id. */
export const REQUEST_ID_LOG_KEY = 'request_id';

/** Paths that request logs never write: scraped and probed endpoints (their failures are logged by terminus). */
const QUIET_PATHS = /^\/(?:health(?:\/|$|\?)|metrics(?:$|\?))/;

/** Keys whose values pino serializers own (they are built to carry no personal data). */
const SERIALIZED_KEYS = new Set(['req', 'res', 'err']);

/**
 * Deep redaction of a log object's own values: every key
 * `isSensitiveKey` names, at any depth and in any spelling (`phone`, `phoneNumber`,
 * `Phone-Number`, `csrf_token`), becomes `[REDACTED]`. The serialized keys (req, res, err)
 * are left to their serializers.
 */
function scrub(object: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(object)) {
    if (SERIALIZED_KEYS.has(key)) continue;
    const value = object[key];
    let clean = value;
    if (isSensitiveKey(key)) clean = PII_REDACTED;
    else if (value !== null && typeof value === 'object') clean = redactObject(value);
    if (clean !== value) {
      out ??= { ...object };
      out[key] = clean;
    }
  }
  return out ?? object;
}

/**
 * Redaction, and its cost (pino 10 on this machine, one request-completed line; see also the
 * comment in libs/pii/src/redaction.ts): no redaction ~2.3 µs per line; `redact` with
 * `buildPiiRedactPaths(0)` (44 paths: every sensitive key at the top level plus the credential
 * headers) ~5 µs; depth 1 (83 paths, `*.key`) ~30 µs; depth 2 (`PII_LOG_REDACT_PATHS`,
 * `*.*.key`) ~64-75 µs. Wildcard paths are what costs. So: the depth-0 paths (cheap; they also
 * apply to the top-level keys of child-logger bindings, e.g. `PinoLogger.assign`) plus a
 * `formatters.log` pass that runs `redactObject` over every object value of each logged object
 * (any depth, any spelling of the key), ~+1 µs on the small objects logged here: more coverage
 * than depth 2 for about the price of depth 0. (pino applies `formatters.bindings` to the root's
 * own bindings only, not to children's: an object nested in child bindings is covered at its top
 * level only, so bind plain values.)
 * Errors go through the `err` serializer, which runs `redactObject` over pino's serialized
 * error (its own properties, e.g. `details`, at any depth).
 * Strings cannot be redacted by key: a URL goes through `redactUrl` in the `req` serializer,
 * and messages must not carry personal data in the first place (CONVENTIONS.md).
 */
export function createRootPino(settings: LoggingSettings): PinoInstance {
  const level = settings.level.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const options: LoggerOptions = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: buildPiiRedactPaths(0), censor: PII_REDACTED },
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => scrub(object),
    },
    serializers: {
      req: serializeRequest,
      res: serializeResponse,
      err: serializeError,
    },
  };
  return pino(options, destinationOf(settings));
}

/**
 * pino-pretty as an in-process stream (no worker thread), after pino's redaction and
 * serializers: a pretty line carries exactly what the JSON line would.
 */
function destinationOf({ format, destination }: LoggingSettings): DestinationStream {
  if (format === 'pretty') {
    return pinoPretty({
      sync: true,
      destination: destination ?? 1,
      colorize: destination === undefined && Boolean(process.stdout.isTTY),
      translateTime: 'SYS:HH:MM:ss.l',
      // `[Context] message (request id)`; a request line as `POST /users -> 201 in 12 ms`
      ignore: 'pid,hostname,context,request_id,req,res,responseTime',
      messageFormat: (log, messageKey) => {
        const context = typeof log.context === 'string' ? `[${log.context}] ` : '';
        const id = typeof log.request_id === 'string' ? ` (${log.request_id})` : '';
        const req = log.req as { method?: string; url?: string } | undefined;
        const res = log.res as { statusCode?: number } | undefined;
        const text = req && res ? `${req.method} ${req.url} -> ${res.statusCode} in ${String(log.responseTime)} ms` : String(log[messageKey] ?? '');
        return `${context}${text}${id}`;
      },
    });
  }
  // Synchronous writes: a line written right before process.exit (a failed boot) is not lost.
  return destination ?? pino.destination({ dest: 1, sync: true });
}

interface RawRequest extends IncomingMessage {
  originalUrl?: string;
}

/** `?imp_uid=` (the redirect's): an imp_uid identifies a person's verification. */
const IMP_UID_PARAM = /([?&]imp_?uid=)[^&]*/gi;

/** `redactUrl`, and the value of an `imp_uid` query parameter. */
function redactLoggedUrl(url: string): string {
  return redactUrl(url).replace(IMP_UID_PARAM, `$1${PII_REDACTED}`);
}

/**
 * Only the id, method and URL (path plus query string with every sensitive parameter value
 * replaced: the admin routes take `?phone=` and `?ci=`). No headers (Authorization, cookies),
 * no body, no client address.
 */
function serializeRequest(req: RawRequest): Record<string, unknown> {
  if (!req || typeof req !== 'object') return {};
  const url = typeof req.originalUrl === 'string' ? req.originalUrl : req.url;
  return { id: req.id, method: req.method, url: typeof url === 'string' ? redactLoggedUrl(url) : undefined };
}

/** Only the status code: no headers (Set-Cookie), no body. */
function serializeResponse(res: ServerResponse): Record<string, unknown> {
  if (!res || typeof res !== 'object') return {};
  return { statusCode: res.statusCode };
}

function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return redactObject(error);
  return redactObject(stdSerializers.err(error));
}

/**
 * nestjs-pino parameters: the root logger only. nestjs-pino's `Logger` / `PinoLogger` write
 * through it, and through the request's child logger (`request_id` bound) while a request is
 * handled; the per-request part is `installRequestLogging`, not nestjs-pino's pino-http
 * middleware (see there why). `quietReqLogger` and `customAttributeKeys` keep the params
 * describing the same line shape should the middleware ever be mounted.
 */
export function loggerModuleParams(root: PinoInstance): Params {
  return {
    pinoHttp: {
      logger: root,
      // Serializers live on the root logger (also used outside requests); no wrapping.
      wrapSerializers: false,
      quietReqLogger: true,
      customAttributeKeys: { reqId: REQUEST_ID_LOG_KEY },
    },
  };
}

/** What `installRequestLogging` needs of a nestjs-pino `PinoLogger`. */
export interface RequestLogContext {
  runInContext<T>(fn: () => T, options?: { bindings?: Record<string, unknown> }): T;
}

/** The parts of a Fastify request and reply the request logging reads. */
interface LoggedRequest {
  method: string;
  url: string;
  /** The matched route's pattern (`/certifications/otp/confirm/:imp_uid`); unset when none matched. */
  routeOptions?: { url?: string };
}

/**
 * The URL a request line shows: the route's pattern with the raw query string, so path
 * parameters (an imp_uid) are never written; the raw path when no route matched.
 */
function requestLineUrl(request: LoggedRequest): string {
  const pattern = request.routeOptions?.url;
  if (!pattern) return request.url;
  const query = request.url.indexOf('?');
  return query === -1 ? pattern : pattern + request.url.slice(query);
}
interface LoggedReply {
  statusCode: number;
  elapsedTime: number;
}
interface HookHost {
  addHook(name: 'onRequest', hook: (request: LoggedRequest, reply: unknown, done: () => void) => void): unknown;
  addHook(name: 'onResponse', hook: (request: LoggedRequest, reply: LoggedReply, done: () => void) => void): unknown;
}

/**
 * Per-request logging of the api, as two Fastify hooks:
 * - `onRequest`: the rest of the request runs in nestjs-pino's logging context with a child
 *   logger that binds `request_id` (the id Fastify gives the request: the `x-request-id` header
 *   and the error body's `request_id`), so every Nest `Logger` line written while handling it
 *   carries that id;
 * - `onResponse`: one line per answer, `request completed` (info) or `request failed` (error,
 *   for a 5xx), with `request_id`, `req` (id, method, the route pattern and the query with its
 *   sensitive values redacted), `res` (status code) and `responseTime` (ms); skipped when the level is disabled
 *   (LOG_LEVEL=warn: only the 5xx lines) and for /health and /metrics.
 * This replaces nestjs-pino's pino-http middleware, which runs through @fastify/middie and the
 * Nest middleware chain on every request: head-to-head in the signup bench (npm run bench),
 * dropping it gave 1.07x the signups per second (docs/performance.md).
 */
export function installRequestLogging(fastify: HookHost, root: PinoInstance, context: RequestLogContext): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    context.runInContext(done, { bindings: { [REQUEST_ID_LOG_KEY]: requestIdOf(request) } });
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const failed = reply.statusCode >= 500;
    const level = failed ? 'error' : 'info';
    if (root.isLevelEnabled(level) && !QUIET_PATHS.test(request.url)) {
      const id = requestIdOf(request);
      root[level](
        {
          [REQUEST_ID_LOG_KEY]: id,
          req: { id, method: request.method, url: requestLineUrl(request) },
          res: { statusCode: reply.statusCode },
          responseTime: Math.round(reply.elapsedTime),
        },
        failed ? 'request failed' : 'request completed',
      );
    }
    done();
  });
}

/**
 * A Nest LoggerService over a pino logger, for the lines main.ts writes before the application
 * (and its nestjs-pino Logger) exists: configuration of the runtime, the embedded database.
 */
export class BootLogger implements LoggerService {
  constructor(private readonly pino: PinoInstance) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, params: unknown[]): void {
    // Nest passes the context (a class name) as the last parameter.
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? params[params.length - 1] : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (message instanceof Error) this.pino[level]({ ...fields, err: message });
    else if (message !== null && typeof message === 'object') this.pino[level]({ ...fields, ...message });
    else this.pino[level](fields, String(message));
  }
}
