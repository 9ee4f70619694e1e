import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseBody, readRawBody, type RequestBody } from './body';
import { SandboxClock } from './clock';
import type { SandboxContext, SandboxRequest } from './context';
import { errorReply, SandboxHttpError, type SandboxReply } from './envelope';
import { FaultRegistry, type FaultDecision } from './faults';
import { logPathOf, silentLogger, type SandboxLogger } from './logger';
import { MESSAGES } from './messages';
import { matchControl } from './routes/control';
import { matchUpstream } from './routes/upstream';
import { SandboxStore } from './store';
import { TokenStore } from './tokens';
import { handleWindow, isWindowPath, type WindowReply } from './window/window-routes';
import { WindowSessions } from './window/window-session';
import { isV2Path, v2ErrorBody } from './v2/errors';
import { matchV2 } from './v2/routes';
import { DEFAULT_V2_SETTINGS, V2State } from './v2/state';

export interface SandboxOptions {
  /** REST API key accepted by POST /users/getToken */
  impKey: string;
  /** REST API secret accepted by POST /users/getToken */
  impSecret: string;
  /** how long an OTP can be confirmed after it was sent (default 180) */
  otpTtlSeconds: number;
  /** the merchant id the DI (unique_in_site) is derived for (default imp00000000) */
  merchantId: string;
  /** PortOne V2: the API secret (`Authorization: PortOne <secret>`, /login/api-secret), store id and channel key. */
  portoneApiSecret?: string;
  portoneStoreId?: string;
  portoneChannelKey?: string;
  /** receives one line per request: method, path (no query string), status. Silent by default. */
  logger?: SandboxLogger;
}

export const DEFAULT_SANDBOX_OPTIONS: Readonly<Omit<SandboxOptions, 'logger'>> = {
  impKey: 'sandbox_imp_key',
  impSecret: 'sandbox_imp_secret',
  otpTtlSeconds: 180,
  merchantId: 'imp00000000',
};

/**
 * Reads SANDBOX_IMP_KEY, SANDBOX_IMP_SECRET, SANDBOX_OTP_TTL_SECONDS and SANDBOX_MERCHANT_ID,
 * with the defaults of DEFAULT_SANDBOX_OPTIONS. Throws on a malformed TTL.
 */
export function sandboxOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Omit<SandboxOptions, 'logger'> {
  const nonEmpty = (value: string | undefined) => (value !== undefined && value.trim() !== '' ? value.trim() : undefined);
  let otpTtlSeconds = DEFAULT_SANDBOX_OPTIONS.otpTtlSeconds;
  const ttl = nonEmpty(env.SANDBOX_OTP_TTL_SECONDS);
  if (ttl !== undefined) {
    otpTtlSeconds = Number(ttl);
    if (!Number.isInteger(otpTtlSeconds) || otpTtlSeconds <= 0) {
      throw new Error('SANDBOX_OTP_TTL_SECONDS must be a positive integer');
    }
  }
  return {
    impKey: nonEmpty(env.SANDBOX_IMP_KEY) ?? DEFAULT_SANDBOX_OPTIONS.impKey,
    impSecret: nonEmpty(env.SANDBOX_IMP_SECRET) ?? DEFAULT_SANDBOX_OPTIONS.impSecret,
    otpTtlSeconds,
    merchantId: nonEmpty(env.SANDBOX_MERCHANT_ID) ?? DEFAULT_SANDBOX_OPTIONS.merchantId,
  };
}

function normalizePath(rawPath: string): string {
  let path = rawPath === '' ? '/' : rawPath;
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}

function isControlPath(path: string): boolean {
  return path === '/__sandbox' || path.startsWith('/__sandbox/');
}

/**
 * A standalone emulator of the i'mport (PortOne V1) certification API on plain node:http, with
 * control paths under /__sandbox/ (SMS inbox, popup-flow certifications, faults, clock, stats,
 * reset). See apps/iamport-sandbox/README.md.
 */
export class IamportSandbox {
  private readonly clock = new SandboxClock();
  private readonly store = new SandboxStore();
  private readonly tokens = new TokenStore(this.clock);
  private readonly faults = new FaultRegistry();
  private readonly windows = new WindowSessions();
  private readonly v2: V2State;
  private readonly logger: SandboxLogger;
  private readonly context: SandboxContext;
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: (elapsed: boolean) => void }>();
  private server: Server | null = null;
  private baseUrl: string | null = null;

  constructor(options: Partial<SandboxOptions> = {}) {
    const settings = {
      impKey: options.impKey ?? DEFAULT_SANDBOX_OPTIONS.impKey,
      impSecret: options.impSecret ?? DEFAULT_SANDBOX_OPTIONS.impSecret,
      otpTtlSeconds: options.otpTtlSeconds ?? DEFAULT_SANDBOX_OPTIONS.otpTtlSeconds,
      merchantId: options.merchantId ?? DEFAULT_SANDBOX_OPTIONS.merchantId,
    };
    if (!Number.isFinite(settings.otpTtlSeconds) || settings.otpTtlSeconds <= 0) {
      throw new Error('otpTtlSeconds must be a positive number');
    }
    this.logger = options.logger ?? silentLogger;
    this.v2 = new V2State({
      apiSecret: options.portoneApiSecret ?? DEFAULT_V2_SETTINGS.apiSecret,
      storeId: options.portoneStoreId ?? DEFAULT_V2_SETTINGS.storeId,
      channelKey: options.portoneChannelKey ?? DEFAULT_V2_SETTINGS.channelKey,
    });
    this.context = {
      v2: this.v2,
      store: this.store,
      tokens: this.tokens,
      faults: this.faults,
      clock: this.clock,
      settings,
      reset: () => this.reset(),
    };
  }

  /** Starts listening; resolves to the base URL, e.g. `http://127.0.0.1:4010`. */
  listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server !== null) return Promise.reject(new Error('the sandbox is already listening'));
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        // handle() answers every error itself; this only guards against a socket gone mid-write
        if (!res.headersSent && !res.destroyed) this.send(req, res, errorReply(500, MESSAGES.faultServerError));
      });
    });
    this.server = server;
    return new Promise<string>((resolve, reject) => {
      const onError = (err: Error) => {
        this.server = null;
        reject(err);
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        const address = server.address() as AddressInfo;
        const shown =
          host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
        this.baseUrl = `http://${shown}:${address.port}`;
        resolve(this.baseUrl);
      });
    });
  }

  /** The base URL; throws when not listening. */
  get url(): string {
    if (this.baseUrl === null) throw new Error('the sandbox is not listening');
    return this.baseUrl;
  }

  /** Stops listening and closes every connection (keep-alive ones too) and pending delayed answer. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    this.baseUrl = null;
    for (const pending of this.timers) {
      clearTimeout(pending.timer);
      pending.resolve(false);
    }
    this.timers.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Clears certifications, SMS inboxes, faults, stats, tokens and the clock offset. */
  reset(): void {
    this.store.reset();
    this.tokens.reset();
    this.faults.reset();
    this.clock.reset();
    this.windows.reset();
    this.v2.reset();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = normalizePath(q === -1 ? rawUrl : rawUrl.slice(0, q));
    const query = new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1));
    if (isControlPath(path)) {
      await this.handleControl(req, res, method, path, query);
    } else if (isWindowPath(path)) {
      await this.handleBrowser(req, res, method, path);
    } else {
      await this.handleUpstream(req, res, method, path, query);
    }
  }

  private async handleControl(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    let reply: SandboxReply;
    try {
      const raw = await readRawBody(req);
      const route = matchControl(method, path);
      if (route === null) {
        reply = errorReply(404, MESSAGES.notFoundPath);
      } else {
        const body = method === 'POST' ? parseBody(raw, req.headers['content-type']) : {};
        reply = route.handler(this.context, { method, path, params: route.params, query, headers: req.headers, body });
      }
    } catch (err) {
      reply = this.errorToReply(err);
    }
    this.send(req, res, reply);
  }

  /** The browser SDK's script and the certification window (HTML and its JSON calls); never faulted nor counted. */
  private async handleBrowser(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    let reply: WindowReply | null;
    try {
      const raw = await readRawBody(req);
      const body = method === 'POST' ? parseBody(raw, req.headers['content-type']) : {};
      reply = handleWindow(this.context, this.windows, method, path, body);
    } catch (err) {
      const error = this.errorToReply(err);
      reply = { status: error.status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(error.body) };
    }
    if (reply === null) {
      this.send(req, res, errorReply(404, MESSAGES.notFoundPath));
      return;
    }
    if (res.headersSent || res.destroyed || res.writableEnded) return;
    res.writeHead(reply.status, {
      'content-type': reply.contentType,
      'content-length': Buffer.byteLength(reply.body),
      'cache-control': 'no-store',
    });
    res.end(reply.body);
    this.logger.log(`${req.method ?? '?'} ${this.logPath(req)} ${reply.status}`);
  }

  private async handleUpstream(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const v1 = matchUpstream(method, path);
    if (v1 !== null) this.store.countCall(v1.operation);
    const route = v1 ?? matchV2(method, path);
    const fault = this.faults.take(method, path);
    const replaces = fault !== null && (fault.drop || fault.status !== null);

    if (fault !== null && replaces && !fault.processRequest) {
      // answered without processing: no state change, no SMS
      if (!fault.drop) await readRawBody(req).catch(() => undefined);
      if (!(await this.delay(fault.latencyMs))) return;
      this.answerFault(req, res, fault);
      return;
    }

    let reply: SandboxReply;
    try {
      const raw = await readRawBody(req);
      if (route === null) {
        reply = errorReply(404, MESSAGES.notFoundPath);
      } else {
        const body: RequestBody = route.readsBody ? parseBody(raw, req.headers['content-type']) : {};
        const request: SandboxRequest = { method, path, params: route.params, query, headers: req.headers, body };
        reply = route.handler(this.context, request);
      }
    } catch (err) {
      reply = this.errorToReply(err);
      if (v1 === null && isV2Path(path)) reply = v2ErrorBody(reply);
    }

    if (fault !== null) {
      if (!(await this.delay(fault.latencyMs))) return;
      if (replaces) {
        this.answerFault(req, res, fault);
        return;
      }
    }
    this.send(req, res, reply);
  }

  private answerFault(req: IncomingMessage, res: ServerResponse, fault: FaultDecision): void {
    if (fault.drop) {
      req.socket.destroy();
      this.logger.log(`${req.method ?? '?'} ${this.logPath(req)} dropped`);
      return;
    }
    const status = fault.status ?? 500;
    const path = this.logPath(req);
    this.send(req, res, isV2Path(path) ? { status, body: { type: 'INTERNAL_SERVER_ERROR', message: fault.message } } : errorReply(status, fault.message, fault.code));
  }

  private errorToReply(err: unknown): SandboxReply {
    if (err instanceof SandboxHttpError) return err.toReply();
    return errorReply(500, MESSAGES.faultServerError);
  }

  /** Waits `ms`; resolves false when the sandbox closed meanwhile. */
  private delay(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const pending = {
        timer: setTimeout(() => {
          this.timers.delete(pending);
          resolve(true);
        }, ms),
        resolve,
      };
      this.timers.add(pending);
    });
  }

  private send(req: IncomingMessage, res: ServerResponse, reply: SandboxReply): void {
    if (res.headersSent || res.destroyed || res.writableEnded) return;
    const payload = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
    this.logger.log(`${req.method ?? '?'} ${this.logPath(req)} ${reply.status}`);
  }

  /** The path as logged: no query string, no verification id (logger.ts). */
  private logPath(req: IncomingMessage): string {
    return logPathOf(req.url ?? '/');
  }
}
