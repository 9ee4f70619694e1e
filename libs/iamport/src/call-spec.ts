import type { IamportApiError, IamportOperation } from './iamport.errors';

/** One upstream operation as the policy and the transport see it. */
export interface CallSpec<T> {
  operation: IamportOperation;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  /** Send the access token (everything but getToken). */
  authenticated: boolean;
  /** Total attempts on 5xx / timeouts / network errors / an open breaker (1 = no retry). */
  attempts: number;
  /** Values that must not reach an error message if upstream echoes them. */
  sensitive: string[];
  parse: (response: unknown, attempt: AttemptInfo) => T;
  /** Turn an upstream error answer into a result (DELETE after an uncertain attempt). */
  recover?: (error: IamportApiError, attempt: AttemptInfo) => { value: T } | undefined;
}

export interface AttemptInfo {
  /** 1-based attempt number of the retry loop. */
  attempt: number;
  /** An earlier attempt may have been processed upstream (5xx, timeout, network error). */
  earlierAttemptUncertain: boolean;
}

/** Sent without a retry or a breaker failure on a stale keep-alive socket (upstream did not read it). */
export function isIdempotent(spec: CallSpec<unknown>): boolean {
  return spec.method !== 'POST' || spec.path === '/users/getToken';
}
