import { UPSTREAM_BREAKER_DEFAULTS } from '@app/iamport';
import type { PortOneOperation } from './portone.errors';

export type PortOneCallOutcome = 'success' | 'client_error' | 'server_error' | 'timeout' | 'network_error' | 'circuit_open';

/** One upstream attempt (each retry emits its own; a call refused by the open breaker emits `circuit_open`, 0 ms). */
export interface PortOneCallEvent {
  operation: PortOneOperation;
  outcome: PortOneCallOutcome;
  durationMs: number;
}

export interface PortOneModuleOptions {
  /** `https://api.portone.io` or the sandbox URL. */
  baseUrl: string;
  /** The V2 API secret (console: 연동 정보 > API Secret). Never logged nor put in an error. */
  apiSecret: string;
  /** Sent with every call when set (a merchant with several stores). */
  storeId?: string;
  /** Per attempt. Default 5000. */
  timeoutMs?: number;
  /** Bound of one whole public call, retries and backoff included (>= timeoutMs). Default 12000. */
  callDeadlineMs?: number;
  /** Retries of get / list on 5xx-like failures, timeouts and network errors; send, confirm, resend are never retried. */
  retry?: { attempts?: number; baseDelayMs?: number };
  /** libs/iamport's breaker, same options and defaults; failures: timeouts, network errors, unrecognised answers. */
  breaker?: {
    /** Opens when more than this share (0-1, exclusive) of the calls in the window failed. Default 0.5. */
    failureRatio?: number;
    /** Rolling window the failure ratio is measured over. Default 10000. */
    windowMs?: number;
    /** Calls the window must hold before the ratio can open the breaker. Default 20. */
    minimumCalls?: number;
    /** Also open after this many consecutive failures, whatever the ratio. Default 10. */
    failureThreshold?: number;
    /** Time open before one probe goes through. Default 2000. */
    resetTimeoutMs?: number;
  };
  /** Observer of every attempt (metrics). Must not throw. */
  onCall?: (event: PortOneCallEvent) => void;
  /**
   * `http` (default): the SDK's calls on the module's own HttpModule (axios on node:http, keep-alive).
   * `fetch`: the SDK's own client, on the global fetch (more CPU and memory per call; docs/performance.md).
   */
  transport?: PortOneTransport;
}

export type PortOneTransport = 'http' | 'fetch';

export interface ResolvedPortOneOptions {
  baseUrl: string;
  apiSecret: string;
  storeId: string | undefined;
  timeoutMs: number;
  callDeadlineMs: number;
  retryAttempts: number;
  retryBaseDelayMs: number;
  failureRatio: number;
  windowMs: number;
  minimumCalls: number;
  failureThreshold: number;
  resetTimeoutMs: number;
  onCall?: (event: PortOneCallEvent) => void;
  transport: PortOneTransport;
}

/** Validates and fills defaults; messages never include the secret. */
export function resolvePortOneOptions(options: PortOneModuleOptions): ResolvedPortOneOptions {
  if (!options || typeof options !== 'object') throw new Error('PortOneModule: options are required');
  if (typeof options.baseUrl !== 'string' || !/^https?:\/\/[^/]/i.test(options.baseUrl)) {
    throw new Error('PortOneModule: baseUrl must be an http(s) URL');
  }
  if (typeof options.apiSecret !== 'string' || options.apiSecret.length === 0) {
    throw new Error('PortOneModule: apiSecret is required');
  }
  const resolved: ResolvedPortOneOptions = {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    apiSecret: options.apiSecret,
    storeId: options.storeId || undefined,
    timeoutMs: options.timeoutMs ?? 5000,
    callDeadlineMs: options.callDeadlineMs ?? Math.max(12_000, options.timeoutMs ?? 5000),
    retryAttempts: options.retry?.attempts ?? 3,
    retryBaseDelayMs: options.retry?.baseDelayMs ?? 100,
    failureRatio: options.breaker?.failureRatio ?? UPSTREAM_BREAKER_DEFAULTS.failureRatio,
    windowMs: options.breaker?.windowMs ?? UPSTREAM_BREAKER_DEFAULTS.windowMs,
    minimumCalls: options.breaker?.minimumCalls ?? UPSTREAM_BREAKER_DEFAULTS.minimumCalls,
    failureThreshold: options.breaker?.failureThreshold ?? UPSTREAM_BREAKER_DEFAULTS.failureThreshold,
    resetTimeoutMs: options.breaker?.resetTimeoutMs ?? UPSTREAM_BREAKER_DEFAULTS.resetTimeoutMs,
    onCall: options.onCall,
    transport: options.transport ?? 'http',
  };
  if (resolved.transport !== 'http' && resolved.transport !== 'fetch') throw new Error("PortOneModule: transport must be 'http' or 'fetch'");
  const check = (name: string, value: number, min: number) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new Error(`PortOneModule: ${name} must be an integer >= ${min}`);
    }
  };
  check('timeoutMs', resolved.timeoutMs, 1);
  check('callDeadlineMs', resolved.callDeadlineMs, resolved.timeoutMs);
  check('retry.attempts', resolved.retryAttempts, 1);
  check('retry.baseDelayMs', resolved.retryBaseDelayMs, 0);
  if (typeof resolved.failureRatio !== 'number' || !(resolved.failureRatio > 0 && resolved.failureRatio < 1)) {
    throw new Error('PortOneModule: breaker.failureRatio must be a number > 0 and < 1');
  }
  check('breaker.windowMs', resolved.windowMs, 1000);
  check('breaker.minimumCalls', resolved.minimumCalls, 1);
  check('breaker.failureThreshold', resolved.failureThreshold, 1);
  check('breaker.resetTimeoutMs', resolved.resetTimeoutMs, 0);
  return resolved;
}
