import type { HttpModuleOptions } from '@nestjs/axios';
import type { IamportOperation } from './iamport.errors';
import type { IamportTokenStore } from './token-store';
import { UPSTREAM_BREAKER_DEFAULTS } from './upstream-breaker';

export type IamportCallOutcome =
  | 'success'
  | 'client_error'
  | 'server_error'
  | 'timeout'
  | 'network_error'
  | 'circuit_open';

/**
 * One upstream HTTP attempt (retries and the token refresh each emit their own event; a call
 * refused by the open breaker emits `circuit_open` with durationMs 0). `client_error` covers
 * 4xx and a 200 whose envelope code is not 0.
 */
export interface IamportCallEvent {
  operation: IamportOperation;
  outcome: IamportCallOutcome;
  durationMs: number;
}

export interface IamportModuleOptions {
  /** e.g. `https://api.iamport.kr` or the sandbox URL. */
  baseUrl: string;
  impKey: string;
  impSecret: string;
  /** Per attempt, covering connect, headers and body. Default 5000. */
  timeoutMs?: number;
  /** Bound of one whole public call (token, 401 refresh, retries, backoff). Must be >= `timeoutMs`. Default 12000. */
  callDeadlineMs?: number;
  /** Retries of GET / DELETE (and getToken) on 5xx, timeouts, network errors and an open breaker. */
  retry?: {
    /** Total attempts, first one included. Default 3. */
    attempts?: number;
    /** Backoff base: attempt n waits base * 2^(n-1), jittered to [50%, 100%]. Default 100. */
    baseDelayMs?: number;
  };
  breaker?: {
    /** Opens when more than this share (0-1, exclusive) of the calls in the window failed. Default 0.5. */
    failureRatio?: number;
    /** Rolling window the failure ratio is measured over. Default 10000. */
    windowMs?: number;
    /** Calls the window must hold before the ratio can open the breaker. Default 20. */
    minimumCalls?: number;
    /** Also open after this many consecutive failures, whatever the ratio (a dead upstream under old successes). Default 10. */
    failureThreshold?: number;
    /** Time open before one probe is let through. Default 2000. */
    resetTimeoutMs?: number;
  };
  /** Refresh the token this long before it expires. Default 60. */
  tokenRefreshMarginSeconds?: number;
  /** Default: an in-memory store per client. */
  tokenStore?: IamportTokenStore;
  /** Observer of every upstream attempt, for metrics. Must not throw (errors are logged). */
  onCall?: (event: IamportCallEvent) => void;
  /** Axios options for the module's HttpModule (proxy, agents, headers...), merged over the client's defaults. */
  http?: HttpModuleOptions;
}

export interface ResolvedIamportOptions {
  baseUrl: string;
  impKey: string;
  impSecret: string;
  timeoutMs: number;
  callDeadlineMs: number;
  retryAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  failureRatio: number;
  windowMs: number;
  minimumCalls: number;
  failureThreshold: number;
  resetTimeoutMs: number;
  tokenRefreshMarginMs: number;
  onCall?: (event: IamportCallEvent) => void;
}

/** Default bound of one whole public call, retries and token fetch included. */
export const DEFAULT_CALL_DEADLINE_MS = 12_000;

/** Validates and fills defaults. Messages never include the key or secret. */
export function resolveIamportOptions(options: IamportModuleOptions): ResolvedIamportOptions {
  if (!options || typeof options !== 'object') throw new Error('IamportModule: options are required');
  const { baseUrl, impKey, impSecret } = options;
  if (typeof baseUrl !== 'string' || !/^https?:\/\/[^/]/i.test(baseUrl)) {
    throw new Error('IamportModule: baseUrl must be an http(s) URL');
  }
  if (typeof impKey !== 'string' || impKey.length === 0) {
    throw new Error('IamportModule: impKey is required');
  }
  if (typeof impSecret !== 'string' || impSecret.length === 0) {
    throw new Error('IamportModule: impSecret is required');
  }
  const resolved: ResolvedIamportOptions = {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    impKey,
    impSecret,
    timeoutMs: options.timeoutMs ?? 5000,
    callDeadlineMs: 0, // below, once timeoutMs is known to be valid
    retryAttempts: options.retry?.attempts ?? 3,
    retryBaseDelayMs: options.retry?.baseDelayMs ?? 100,
    retryMaxDelayMs: 5000,
    failureRatio: options.breaker?.failureRatio ?? UPSTREAM_BREAKER_DEFAULTS.failureRatio,
    windowMs: options.breaker?.windowMs ?? UPSTREAM_BREAKER_DEFAULTS.windowMs,
    minimumCalls: options.breaker?.minimumCalls ?? UPSTREAM_BREAKER_DEFAULTS.minimumCalls,
    failureThreshold: options.breaker?.failureThreshold ?? UPSTREAM_BREAKER_DEFAULTS.failureThreshold,
    resetTimeoutMs: options.breaker?.resetTimeoutMs ?? UPSTREAM_BREAKER_DEFAULTS.resetTimeoutMs,
    tokenRefreshMarginMs: (options.tokenRefreshMarginSeconds ?? 60) * 1000,
    onCall: options.onCall,
  };
  positive('timeoutMs', resolved.timeoutMs, 1);
  if (options.callDeadlineMs === undefined) {
    resolved.callDeadlineMs = Math.max(DEFAULT_CALL_DEADLINE_MS, resolved.timeoutMs);
  } else {
    resolved.callDeadlineMs = options.callDeadlineMs;
    positive('callDeadlineMs', resolved.callDeadlineMs, 1);
    if (resolved.callDeadlineMs < resolved.timeoutMs) {
      throw new Error('IamportModule: callDeadlineMs must be >= timeoutMs');
    }
  }
  positive('retry.attempts', resolved.retryAttempts, 1, true);
  positive('retry.baseDelayMs', resolved.retryBaseDelayMs, 0);
  if (!(resolved.failureRatio > 0 && resolved.failureRatio < 1)) {
    throw new Error('IamportModule: breaker.failureRatio must be a number > 0 and < 1');
  }
  positive('breaker.windowMs', resolved.windowMs, 1000, true);
  positive('breaker.minimumCalls', resolved.minimumCalls, 1, true);
  positive('breaker.failureThreshold', resolved.failureThreshold, 1, true);
  positive('breaker.resetTimeoutMs', resolved.resetTimeoutMs, 0);
  positive('tokenRefreshMarginSeconds', resolved.tokenRefreshMarginMs, 0);
  return resolved;
}

function positive(name: string, value: number, min: number, integer = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new Error(`IamportModule: ${name} must be ${integer ? 'an integer ' : 'a number '}>= ${min}`);
  }
}
