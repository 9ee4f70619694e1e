import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { CircuitBreaker, type CircuitPermit, type CircuitState } from './circuit-breaker';
import {
  MalformedResponseError,
  parseCertification,
  parseOtpResponse,
  parseTokenResponse,
  readEnvelope,
} from './envelope';
import {
  IamportApiError,
  IamportAuthError,
  IamportCircuitOpenError,
  IamportError,
  IamportNetworkError,
  IamportTimeoutError,
  type IamportOperation,
} from './iamport.errors';
import { IAMPORT_MODULE_OPTIONS } from './iamport.module-definition';
import {
  resolveIamportOptions,
  type IamportCallOutcome,
  type IamportModuleOptions,
  type ResolvedIamportOptions,
} from './iamport.options';
import type { IamportCertification, IamportOtpRequest, IamportOtpResponse } from './iamport.types';
import {
  IAMPORT_TOKEN_STORE,
  InMemoryIamportTokenStore,
  type IamportStoredToken,
  type IamportTokenStore,
} from './token-store';

interface CallSpec<T> {
  operation: IamportOperation;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  /** Send the access token (everything but getToken). */
  authenticated: boolean;
  /** Total attempts on 5xx / timeouts / network errors (1 = no retry). */
  attempts: number;
  /** Values that must not reach an error message if upstream echoes them. */
  sensitive: string[];
  parse: (response: unknown, attempt: AttemptInfo) => T;
  /** Turn an upstream error answer into a result (DELETE after an uncertain attempt). */
  recover?: (error: IamportApiError, attempt: AttemptInfo) => { value: T } | undefined;
}

/** When a whole public call must be over, on the `performance.now()` clock. */
interface CallDeadline {
  at: number;
}

/** A retry needs at least this much time left (or `timeoutMs`, if smaller) after its backoff. */
const MIN_RETRY_BUDGET_MS = 1000;

interface AttemptInfo {
  /** 1-based attempt number of the retry loop. */
  attempt: number;
  /** An earlier attempt may have been processed upstream (5xx, timeout, network error). */
  earlierAttemptUncertain: boolean;
}

/**
 * Typed client of the i'mport (PortOne V1) REST API: access token and certifications.
 *
 * - Token: `POST /users/getToken`, single-flight, reused until `tokenRefreshMarginSeconds`
 *   before its expiry (computed from upstream `expired_at - now`), kept in an
 *   `IamportTokenStore`. On a 401 the token is dropped (if still the one used), a new one is
 *   fetched and the call is repeated once; a 401 means upstream did not process the call, so
 *   this also holds for the OTP request.
 * - Retries with exponential backoff and jitter, on 5xx / timeouts / network errors, only for
 *   getCertification, deleteCertification and getToken. requestOtp (an SMS may have been sent)
 *   and confirmOtp (the caller recovers through getCertification) are never retried.
 * - A hard per-attempt timeout (an AbortController timer over the whole exchange, so a server
 *   that accepts and stalls is cut off).
 * - A deadline per public call (`callDeadlineMs`) over everything it does: waiting for the
 *   token, the 401 refresh and repeat, every retry and backoff. Each attempt gets
 *   `min(timeoutMs, time left)`; no retry starts without enough time left. The shared token
 *   fetch runs under a deadline of its own: a caller stops waiting for it at its own deadline,
 *   the fetch goes on for the others.
 * - A circuit breaker shared by all operations; 4xx answers count as the upstream being alive.
 * - Errors and logs carry the operation, HTTP status, upstream code and (redacted) upstream
 *   message only; never the credentials, the token or personal data of a request.
 * - Plain node:http(s) with the client's own keep-alive agents (no interceptor of another
 *   library sees the Authorization header or bodies), no redirects followed, answers capped
 *   at 1 MiB.
 */
@Injectable()
export class IamportClient implements OnModuleDestroy {
  private readonly logger = new Logger(IamportClient.name);
  private readonly options: ResolvedIamportOptions;
  private readonly store: IamportTokenStore;
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });
  private readonly breaker: CircuitBreaker;
  private tokenInFlight: Promise<IamportStoredToken> | null = null;
  /** Recent tokens, only to redact them should upstream ever echo one in a message. */
  private readonly recentTokens: string[] = [];

  constructor(
    @Inject(IAMPORT_MODULE_OPTIONS) options: IamportModuleOptions,
    @Optional() @Inject(IAMPORT_TOKEN_STORE) tokenStore?: IamportTokenStore,
  ) {
    this.options = resolveIamportOptions(options);
    this.store = tokenStore ?? options.tokenStore ?? new InMemoryIamportTokenStore();
    this.breaker = new CircuitBreaker({
      failureThreshold: this.options.failureThreshold,
      resetTimeoutMs: this.options.resetTimeoutMs,
      onStateChange: (from, to) => {
        const text = `i'mport circuit breaker ${from} -> ${to}`;
        if (to === 'open') this.logger.warn(text);
        else this.logger.log(text);
      },
    });
  }

  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** State of the circuit breaker (for readiness checks and metrics). */
  breakerState(): 'closed' | 'open' | 'half-open' {
    return this.breaker.state() satisfies CircuitState;
  }

  /**
   * POST /certifications/otp/request: asks upstream to send an SMS OTP. Never retried (an
   * SMS may have been sent), except once after a 401 (token refreshed; upstream did not process
   * the first one). A 5xx or timeout leaves it unknown whether an SMS went out.
   */
  async requestOtp(input: IamportOtpRequest): Promise<IamportOtpResponse> {
    const body: Record<string, unknown> = {
      name: input.name,
      phone: input.phone,
      birth: input.birth,
      gender_digit: input.gender_digit,
      carrier: input.carrier,
    };
    if (input.is_mvno !== undefined) body.is_mvno = input.is_mvno;
    if (input.company !== undefined) body.company = input.company;
    if (input.merchant_uid !== undefined) body.merchant_uid = input.merchant_uid;
    if (input.pg !== undefined) body.pg = input.pg;
    return this.call({
      operation: 'requestOtp',
      method: 'POST',
      path: '/certifications/otp/request',
      body,
      authenticated: true,
      attempts: 1,
      sensitive: [input.name, input.phone, input.birth, String(input.gender_digit)],
      parse: parseOtpResponse,
    });
  }

  /**
   * POST /certifications/otp/confirm/{imp_uid}. Not retried on 5xx / timeouts: the caller can
   * find out through getCertification whether the confirmation went through.
   */
  async confirmOtp(impUid: string, otp: string): Promise<IamportCertification> {
    return this.call({
      operation: 'confirmOtp',
      method: 'POST',
      path: `/certifications/otp/confirm/${encodeImpUid(impUid)}`,
      body: { otp },
      authenticated: true,
      attempts: 1,
      sensitive: [otp],
      parse: parseCertification,
    });
  }

  /** GET /certifications/{imp_uid}; retried with backoff on 5xx / timeouts / network errors. */
  async getCertification(impUid: string): Promise<IamportCertification> {
    return this.call({
      operation: 'getCertification',
      method: 'GET',
      path: `/certifications/${encodeImpUid(impUid)}`,
      authenticated: true,
      attempts: this.options.retryAttempts,
      sensitive: [],
      parse: parseCertification,
    });
  }

  /**
   * DELETE /certifications/{imp_uid}: erases the certification upstream. Retried like GET.
   * Upstream echoes the erased certification; it is discarded on purpose (no PII kept).
   * A 404 on a retry after an attempt whose outcome is unknown (5xx, timeout, network error)
   * counts as success: that earlier attempt erased it. A 404 on the first attempt is thrown
   * (IamportApiError, httpStatus 404); callers erasing idempotently may treat it as done.
   */
  async deleteCertification(impUid: string): Promise<void> {
    await this.call<void>({
      operation: 'deleteCertification',
      method: 'DELETE',
      path: `/certifications/${encodeImpUid(impUid)}`,
      authenticated: true,
      attempts: this.options.retryAttempts,
      sensitive: [],
      parse: () => undefined,
      recover: (error, info) =>
        error.httpStatus === 404 && info.earlierAttemptUncertain ? { value: undefined } : undefined,
    });
  }

  // ---------------------------------------------------------------- pipeline

  /**
   * Retry loop around `attempt` (backoff on transient failures, up to spec.attempts), all of it
   * within `deadline`: a retry starts only if, after its backoff, at least
   * min(timeoutMs, MIN_RETRY_BUDGET_MS) is left; otherwise the last error is thrown. A public
   * call gets a fresh deadline (callDeadlineMs from now); the shared token fetch passes its own.
   */
  private async call<T>(spec: CallSpec<T>, deadline: CallDeadline = this.newDeadline()): Promise<T> {
    const state = { tokenRefreshed: false };
    let earlierAttemptUncertain = false;
    for (let attempt = 1; ; attempt++) {
      const info: AttemptInfo = { attempt, earlierAttemptUncertain };
      try {
        return await this.attemptWithToken(spec, info, state, deadline);
      } catch (error) {
        if (error instanceof IamportApiError && spec.recover) {
          const recovered = spec.recover(error, info);
          if (recovered) return recovered.value;
        }
        // Only failures of this operation's own exchange: a failed getToken was already retried
        // inside its own call, and is not multiplied by this loop.
        if (!shouldRetry(error, spec.operation) || attempt >= spec.attempts) throw error;
        earlierAttemptUncertain = true;
        const delay = this.backoffMs(attempt);
        const left = deadline.at - performance.now();
        if (left - delay < Math.min(this.options.timeoutMs, MIN_RETRY_BUDGET_MS)) {
          this.logger.warn(
            `i'mport ${spec.operation} attempt ${attempt}/${spec.attempts} failed (${describe(error)}); not retrying: ${Math.max(0, Math.round(left))} ms left before the call deadline`,
          );
          throw error;
        }
        this.logger.warn(
          `i'mport ${spec.operation} attempt ${attempt}/${spec.attempts} failed (${describe(error)}); retrying in ${delay} ms`,
        );
        await sleep(delay);
      }
    }
  }

  /** One attempt, plus exactly one repeat per call after a 401 with a fresh token. */
  private async attemptWithToken<T>(
    spec: CallSpec<T>,
    info: AttemptInfo,
    state: { tokenRefreshed: boolean },
    deadline: CallDeadline,
  ): Promise<T> {
    if (!spec.authenticated) return this.send(spec, info, undefined, deadline);
    const token = await this.accessToken(deadline);
    try {
      return await this.send(spec, info, token, deadline);
    } catch (error) {
      if (!(error instanceof IamportApiError) || error.httpStatus !== 401 || state.tokenRefreshed) {
        throw error;
      }
      state.tokenRefreshed = true;
      this.logger.warn(`i'mport ${spec.operation} got 401; refreshing the access token and retrying once`);
      await this.untilDeadline(this.invalidateToken(token), deadline, spec.operation);
      const fresh = await this.accessToken(deadline);
      return this.send(spec, info, fresh, deadline);
    }
  }

  /**
   * One HTTP exchange through the breaker, with the hard timeout: timeoutMs, or the time left
   * before the call deadline when that is shorter (a timeout is then the deadline's).
   */
  private async send<T>(
    spec: CallSpec<T>,
    info: AttemptInfo,
    token: string | undefined,
    deadline: CallDeadline,
  ): Promise<T> {
    const left = Math.ceil(deadline.at - performance.now());
    if (left <= 0) throw this.deadlineError(spec.operation);
    const attemptTimeoutMs = Math.min(this.options.timeoutMs, left);
    const cutByDeadline = attemptTimeoutMs < this.options.timeoutMs;
    const admission = this.breaker.tryAcquire();
    if (!admission.allowed) {
      this.emit(spec.operation, 'circuit_open', 0);
      throw new IamportCircuitOpenError({ operation: spec.operation, retryAfterMs: admission.retryAfterMs });
    }
    const permit: CircuitPermit = admission.permit;
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), attemptTimeoutMs);
    let outcome: IamportCallOutcome = 'network_error';
    let verdict: 'success' | 'failure' | 'neutral' = 'neutral';
    try {
      let response: { status: number; data: unknown };
      try {
        response = await this.exchange(spec, token, controller.signal);
      } catch (raw) {
        const error = this.transportError(spec.operation, raw, controller.signal.aborted, cutByDeadline);
        outcome = error instanceof IamportTimeoutError ? 'timeout' : 'network_error';
        verdict = 'failure';
        throw error;
      }
      const status = response.status;
      const envelope = readEnvelope(response.data);
      if (status >= 200 && status < 300) {
        if (!envelope) {
          outcome = 'server_error';
          verdict = 'success'; // upstream answered; a shape problem is not an outage
          throw new IamportApiError({ operation: spec.operation, httpStatus: status, detail: 'response is not an i\'mport envelope' });
        }
        if (envelope.code !== 0) {
          outcome = 'client_error';
          verdict = 'success';
          throw this.apiError(spec, status, envelope.code, envelope.message);
        }
        try {
          const value = spec.parse(envelope.response, info);
          outcome = 'success';
          verdict = 'success';
          return value;
        } catch (error) {
          if (!(error instanceof MalformedResponseError)) throw error;
          outcome = 'server_error';
          verdict = 'success';
          throw new IamportApiError({ operation: spec.operation, httpStatus: status, detail: error.message });
        }
      }
      if (status >= 400 && status < 500) {
        outcome = 'client_error';
        verdict = 'success';
        if (spec.operation === 'getToken' && (status === 401 || status === 403)) {
          throw new IamportAuthError({
            operation: spec.operation,
            httpStatus: status,
            upstreamCode: envelope?.code,
            upstreamMessage: this.redact(envelope?.message, spec.sensitive),
          });
        }
        throw this.apiError(spec, status, envelope?.code, envelope?.message ?? null);
      }
      // 5xx (and anything else unexpected, e.g. a 3xx we do not follow)
      outcome = 'server_error';
      verdict = 'failure';
      throw this.apiError(spec, status, envelope?.code, envelope?.message ?? null);
    } finally {
      clearTimeout(timer);
      if (verdict === 'success') this.breaker.onSuccess(permit);
      else if (verdict === 'failure') this.breaker.onFailure(permit);
      else this.breaker.release(permit);
      this.emit(spec.operation, outcome, performance.now() - started);
    }
  }

  /** One HTTP/1.1 exchange on node:http(s) with the keep-alive agent. */
  private async exchange(
    spec: CallSpec<unknown>,
    token: string | undefined,
    signal: AbortSignal,
  ): Promise<{ status: number; data: unknown }> {
    try {
      return await this.exchangeOnce(spec, token, signal);
    } catch (e) {
      // A pooled keep-alive socket that the upstream (or a proxy) closed while it sat idle: the
      // request most likely went into a closing connection unread, so an idempotent request
      // (getToken, GET, DELETE) is sent again at once on a fresh socket (Node's documented
      // `reusedSocket` pattern), without spending a retry attempt or a breaker failure. The
      // OTP request and confirmation are not: the upstream may have read them before the reset
      // (an SMS may be out), so they fail as network errors like any dropped connection.
      const idempotent = spec.method !== 'POST' || spec.path === '/users/getToken';
      if (idempotent && isStaleSocketError(e) && !signal.aborted) return this.exchangeOnce(spec, token, signal);
      throw e;
    }
  }

  private exchangeOnce(spec: CallSpec<unknown>, token: string | undefined, signal: AbortSignal): Promise<{ status: number; data: unknown }> {
    const url = new URL(spec.path, this.options.baseUrl);
    const payload = spec.body ? Buffer.from(JSON.stringify(spec.body)) : undefined;
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method: spec.method,
          agent: https ? this.httpsAgent : this.httpAgent,
          signal,
          headers: {
            Accept: 'application/json',
            ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > 1024 * 1024) req.destroy(new Error('response too large'));
            else chunks.push(c);
          });
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let data: unknown = text;
            try {
              data = text ? JSON.parse(text) : text;
            } catch {
              data = text;
            }
            resolve({ status: res.statusCode ?? 0, data });
          });
        },
      );
      let answered = false;
      req.once('response', () => (answered = true));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (!answered && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          (err as StaleSocketError)[STALE_SOCKET] = true;
        }
        reject(err);
      });
      req.end(payload);
    });
  }

  private apiError(
    spec: CallSpec<unknown>,
    status: number,
    code: number | undefined,
    message: string | null,
  ): IamportApiError {
    return new IamportApiError({
      operation: spec.operation,
      httpStatus: status,
      upstreamCode: code,
      upstreamMessage: this.redact(message, spec.sensitive),
    });
  }

  /** Our own error for a failed exchange; nothing of the transport error (request, headers, body) is kept. */
  private transportError(
    operation: IamportOperation,
    raw: unknown,
    abortedByUs: boolean,
    cutByDeadline: boolean,
  ): IamportError {
    const code = errorCode(raw);
    if (abortedByUs || code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
      return cutByDeadline
        ? this.deadlineError(operation)
        : new IamportTimeoutError({ operation, timeoutMs: this.options.timeoutMs });
    }
    if (code === undefined) {
      // Not a transport failure: a bug in this process. Keep only its class name.
      this.logger.error(`i'mport ${operation}: unexpected client failure (${nameOf(raw)})`);
    }
    return new IamportNetworkError({ operation, errorCode: code });
  }

  // ---------------------------------------------------------------- token

  // ---------------------------------------------------------------- deadline

  private newDeadline(): CallDeadline {
    return { at: performance.now() + this.options.callDeadlineMs };
  }

  private deadlineError(operation: IamportOperation): IamportTimeoutError {
    return new IamportTimeoutError({ operation, timeoutMs: this.options.callDeadlineMs, callDeadline: true });
  }

  /**
   * `promise`, or an IamportTimeoutError (call deadline) once `deadline` has passed. The
   * promise itself is not cancelled (a shared token fetch goes on for the other callers); its
   * later rejection is observed here so that it is never an unhandled one.
   */
  private async untilDeadline<T>(promise: Promise<T>, deadline: CallDeadline, operation: IamportOperation): Promise<T> {
    promise.catch(() => undefined);
    const left = Math.ceil(deadline.at - performance.now());
    if (left <= 0) throw this.deadlineError(operation);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.deadlineError(operation)), left);
    });
    try {
      return await Promise.race([promise, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A token valid for at least the refresh margin, fetched single-flight when needed, waited
   * for until the call's deadline. With a token that is inside the margin but still valid, the
   * refresh is waited for only as long as it leaves one whole attempt (timeoutMs) for the call;
   * then the current token is used and the refresh goes on in the background.
   */
  private async accessToken(deadline: CallDeadline): Promise<string> {
    const cached = await this.untilDeadline(this.readStore(), deadline, 'getToken');
    if (cached && Date.now() < cached.expiresAtMs - this.options.tokenRefreshMarginMs) {
      return cached.accessToken;
    }
    const stillValid = cached !== null && Date.now() < cached.expiresAtMs;
    const waitUntil = stillValid ? { at: deadline.at - this.options.timeoutMs } : deadline;
    try {
      return (await this.untilDeadline(this.refreshToken(), waitUntil, 'getToken')).accessToken;
    } catch (error) {
      // Refresh failed inside the margin: the old token is still valid, use it.
      if (cached && Date.now() < cached.expiresAtMs) {
        this.logger.warn(`i'mport token refresh failed (${describe(error)}); using the current token until it expires`);
        return cached.accessToken;
      }
      throw error;
    }
  }

  /**
   * The token fetch in flight, or a new one. It runs under a deadline of its own (a fresh
   * callDeadlineMs, store operations included), not under the caller's that started it: each
   * caller stops waiting at its own deadline (`untilDeadline`), the fetch goes on for the others
   * and still stores the token it gets.
   */
  private refreshToken(): Promise<IamportStoredToken> {
    if (!this.tokenInFlight) {
      const own = this.newDeadline();
      const flight = this.untilDeadline(this.fetchToken(own), own, 'getToken');
      this.tokenInFlight = flight;
      const clear = () => {
        if (this.tokenInFlight === flight) this.tokenInFlight = null;
      };
      flight.then(clear, clear);
    }
    return this.tokenInFlight;
  }

  private async fetchToken(deadline: CallDeadline): Promise<IamportStoredToken> {
    // Another instance sharing the store may have refreshed it meanwhile.
    const shared = await this.readStore();
    if (shared && Date.now() < shared.expiresAtMs - this.options.tokenRefreshMarginMs) return shared;

    const requestedAt = Date.now();
    const body = await this.call({
      operation: 'getToken',
      method: 'POST',
      path: '/users/getToken',
      body: { imp_key: this.options.impKey, imp_secret: this.options.impSecret },
      authenticated: false,
      attempts: this.options.retryAttempts,
      sensitive: [],
      parse: parseTokenResponse,
    }, deadline);
    // Remaining lifetime by the server's clock, anchored to the local clock at the moment we
    // asked (conservative by the round trip): local clock skew does not matter.
    const remainingMs = Math.max(0, (body.expired_at - body.now) * 1000);
    const token: IamportStoredToken = { accessToken: body.access_token, expiresAtMs: requestedAt + remainingMs };
    this.rememberForRedaction(token.accessToken);
    try {
      await this.store.set(token, remainingMs);
    } catch (error) {
      this.logger.warn(`i'mport token store set failed (${nameOf(error)}); using the token without caching it`);
    }
    if (remainingMs <= this.options.tokenRefreshMarginMs) {
      this.logger.warn(`i'mport token expires in ${Math.round(remainingMs / 1000)} s, within the refresh margin`);
    }
    return token;
  }

  private async invalidateToken(token: string): Promise<void> {
    try {
      await this.store.clear(token);
    } catch (error) {
      this.logger.warn(`i'mport token store clear failed (${nameOf(error)})`);
    }
  }

  private async readStore(): Promise<IamportStoredToken | null> {
    try {
      const token = await this.store.get();
      if (token) this.rememberForRedaction(token.accessToken);
      return token;
    } catch (error) {
      this.logger.warn(`i'mport token store get failed (${nameOf(error)}); fetching a token`);
      return null;
    }
  }

  // ---------------------------------------------------------------- helpers

  private backoffMs(attempt: number): number {
    const exp = Math.min(this.options.retryMaxDelayMs, this.options.retryBaseDelayMs * 2 ** (attempt - 1));
    return Math.round(exp / 2 + Math.random() * (exp / 2));
  }

  private emit(operation: IamportOperation, outcome: IamportCallOutcome, durationMs: number): void {
    if (!this.options.onCall) return;
    try {
      this.options.onCall({ operation, outcome, durationMs });
    } catch (error) {
      this.logger.warn(`i'mport onCall observer threw (${nameOf(error)})`);
    }
  }

  private rememberForRedaction(token: string): void {
    if (this.recentTokens.includes(token)) return;
    this.recentTokens.push(token);
    if (this.recentTokens.length > 4) this.recentTokens.shift();
  }

  /**
   * Upstream's message, trimmed, with anything secret or personal removed should upstream ever
   * echo it: the credentials, recent tokens, this request's personal values, and digit runs of
   * six or more (phone numbers, birth dates, OTPs).
   */
  private redact(message: string | null | undefined, sensitive: string[]): string | undefined {
    if (message === null || message === undefined) return undefined;
    let text = message.slice(0, 300);
    const secrets = [this.options.impKey, this.options.impSecret, ...this.recentTokens, ...sensitive]
      .flatMap((s) => [s, s.replace(/\D/g, '')])
      .filter((s) => s.trim().length >= 2)
      .sort((a, b) => b.length - a.length);
    for (const secret of secrets) text = text.split(secret).join('[redacted]');
    return text.replace(/\d[\d\s.-]{4,}\d/g, (run) => (run.replace(/\D/g, '').length >= 6 ? '[redacted]' : run));
  }
}

function shouldRetry(error: unknown, operation: IamportOperation): boolean {
  if (!(error instanceof IamportError) || error.operation !== operation) return false;
  if (error instanceof IamportTimeoutError || error instanceof IamportNetworkError) return true;
  return error instanceof IamportApiError && error.httpStatus !== undefined && error.httpStatus >= 500;
}

function encodeImpUid(impUid: string): string {
  if (typeof impUid !== 'string' || impUid.length === 0) {
    throw new TypeError('impUid must be a non-empty string');
  }
  return encodeURIComponent(impUid);
}

function errorCode(raw: unknown): string | undefined {
  if (typeof raw === 'object' && raw !== null && 'code' in raw) {
    const code = (raw as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  }
  return undefined;
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

function describe(error: unknown): string {
  if (error instanceof IamportApiError) {
    return `HTTP ${error.httpStatus}${error.upstreamCode !== undefined ? `, code ${error.upstreamCode}` : ''}`;
  }
  if (error instanceof IamportError) return error.name;
  return nameOf(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const STALE_SOCKET = Symbol('stale keep-alive socket');
type StaleSocketError = Error & { [STALE_SOCKET]?: true };

function isStaleSocketError(e: unknown): boolean {
  // Not `instanceof Error`: Node's own errors may come from another realm (e.g. under Jest).
  return typeof e === 'object' && e !== null && (e as StaleSocketError)[STALE_SOCKET] === true;
}
