import { badRequest } from './envelope';
import { MESSAGES } from './messages';

/**
 * Fault injection on the upstream paths (never on /__sandbox/*).
 *
 * A rule matches a request whose path starts with `path_prefix` (and whose method is `method`,
 * when given). When it fires (with `probability`, default 1):
 * - `latency_ms` delays the answer;
 * - `status` answers that HTTP status with `{code, message, response: null}` (code -1 unless
 *   `code` is given, so a 200 with a non-zero code can be injected too);
 * - `drop: true` destroys the socket without any answer (after the latency, if any).
 * With `status` or `drop` the request is NOT processed (no state change, no SMS), unless
 * `process_request: true`: then it is processed and only its answer is replaced or lost (the
 * upstream did the work but the caller never hears of it).
 * `times`: the rule fires on the next N matching calls, then expires; absent = until cleared.
 * Several rules may fire on one request: latencies add up, a drop wins over a status, and the
 * first rule with a status (in creation order) gives the status.
 */
export interface FaultRule {
  id: number;
  path_prefix: string;
  method: string | null;
  status: number | null;
  code: number;
  message: string | null;
  latency_ms: number;
  drop: boolean;
  /** remaining firings; null = unlimited */
  times: number | null;
  probability: number;
  process_request: boolean;
}

export interface FaultDecision {
  latencyMs: number;
  drop: boolean;
  status: number | null;
  code: number;
  message: string;
  processRequest: boolean;
}

export type FaultInput = Omit<FaultRule, 'id'>;

function optionalNumber(
  body: Record<string, unknown>,
  key: string,
  check: (n: number) => boolean,
): number | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n) || !check(n)) throw badRequest(`${MESSAGES.controlInvalid} (${key})`);
  return n;
}

function optionalBoolean(body: Record<string, unknown>, key: string): boolean {
  const value = body[key];
  if (value === undefined || value === null || value === false || value === 'false' || value === '0') return false;
  if (value === true || value === 'true' || value === '1') return true;
  throw badRequest(`${MESSAGES.controlInvalid} (${key})`);
}

/** Validates the body of POST /__sandbox/faults. */
export function parseFaultInput(body: Record<string, unknown>): FaultInput {
  const prefix = body.path_prefix;
  if (typeof prefix !== 'string' || !prefix.startsWith('/')) {
    throw badRequest(`${MESSAGES.controlInvalid} (path_prefix)`);
  }
  if (prefix.startsWith('/__sandbox')) throw badRequest(`${MESSAGES.controlInvalid} (path_prefix)`);
  const methodRaw = body.method;
  if (methodRaw !== undefined && methodRaw !== null && (typeof methodRaw !== 'string' || !/^[A-Za-z]+$/.test(methodRaw))) {
    throw badRequest(`${MESSAGES.controlInvalid} (method)`);
  }
  const status = optionalNumber(body, 'status', (n) => Number.isInteger(n) && n >= 200 && n <= 599);
  const code = optionalNumber(body, 'code', (n) => Number.isInteger(n));
  const latency = optionalNumber(body, 'latency_ms', (n) => n >= 0 && n <= 600_000);
  const times = optionalNumber(body, 'times', (n) => Number.isInteger(n) && n >= 1);
  const probability = optionalNumber(body, 'probability', (n) => n >= 0 && n <= 1);
  const drop = optionalBoolean(body, 'drop');
  const processRequest = optionalBoolean(body, 'process_request');
  const message = body.message;
  if (message !== undefined && message !== null && typeof message !== 'string') {
    throw badRequest(`${MESSAGES.controlInvalid} (message)`);
  }
  if (status === undefined && latency === undefined && !drop) {
    throw badRequest(`${MESSAGES.controlInvalid} (status, latency_ms 또는 drop 중 하나가 필요합니다)`);
  }
  return {
    path_prefix: prefix,
    method: typeof methodRaw === 'string' ? methodRaw.toUpperCase() : null,
    status: status ?? null,
    code: code ?? -1,
    message: typeof message === 'string' ? message : null,
    latency_ms: latency ?? 0,
    drop,
    times: times ?? null,
    probability: probability ?? 1,
    process_request: processRequest,
  };
}

/** The default message of an injected status. */
export function faultMessage(status: number): string {
  if (status >= 500) return MESSAGES.faultServerError;
  if (status === 401) return MESSAGES.invalidToken;
  if (status === 404) return MESSAGES.notFoundPath;
  if (status === 429) return MESSAGES.faultTooManyRequests;
  if (status >= 400) return MESSAGES.faultBadRequest;
  return MESSAGES.faultGeneric;
}

export class FaultRegistry {
  private rules: FaultRule[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number = Math.random) {}

  add(input: FaultInput): FaultRule {
    const rule: FaultRule = { id: this.nextId++, ...input };
    this.rules.push(rule);
    return rule;
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }

  reset(): void {
    this.rules = [];
    this.nextId = 1;
  }

  /** Decides the faults of one upstream request and consumes the `times` of the rules that fire. */
  take(method: string, path: string): FaultDecision | null {
    if (this.rules.length === 0) return null;
    let decision: FaultDecision | null = null;
    let exhausted = false;
    for (const rule of this.rules) {
      if (!path.startsWith(rule.path_prefix)) continue;
      if (rule.method !== null && rule.method !== method) continue;
      if (rule.probability < 1 && !(this.random() < rule.probability)) continue;
      if (rule.times !== null) {
        rule.times--;
        if (rule.times <= 0) exhausted = true;
      }
      decision ??= { latencyMs: 0, drop: false, status: null, code: -1, message: '', processRequest: false };
      decision.latencyMs += rule.latency_ms;
      if (rule.drop) decision.drop = true;
      if (rule.status !== null && decision.status === null) {
        decision.status = rule.status;
        decision.code = rule.code;
        decision.message = rule.message ?? faultMessage(rule.status);
      }
      if (rule.process_request) decision.processRequest = true;
    }
    if (exhausted) this.rules = this.rules.filter((r) => r.times === null || r.times > 0);
    return decision;
  }
}
