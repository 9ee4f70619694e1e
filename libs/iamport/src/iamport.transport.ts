import type { HttpService } from '@nestjs/axios';
import type { Logger } from '@nestjs/common';
import { isAxiosError } from 'axios';
import { isIdempotent, type AttemptInfo, type CallSpec } from './call-spec';
import { nameOf } from './describe-error';
import { MalformedResponseError, readEnvelope } from './envelope';
import { IamportApiError, IamportAuthError, IamportNetworkError, type IamportError, type IamportOperation } from './iamport.errors';
import { rawExchange, systemErrorCode } from './iamport.http';
import type { IamportCallOutcome } from './iamport.options';
import type { IamportRedactor } from './redactor';

export interface UpstreamResponse {
  status: number;
  data: unknown;
}

/** An answer read as the breaker and the metrics see it: `healthy` when it shows the upstream up. */
export type Decoded<T> = { outcome: IamportCallOutcome; healthy: boolean } & ({ value: T } | { error: IamportError });


/**
 * HTTP exchanges on the axios instance of the module's HttpService (the host's HttpModule options
 * and interceptors apply), called as a promise: HttpService's Observable cost CPU and garbage per call.
 */
export class IamportTransport {
  constructor(
    private readonly http: HttpService,
    private readonly redactor: IamportRedactor,
    private readonly logger: Logger,
  ) {}

  exchange(spec: CallSpec<unknown>, token: string | undefined, signal: AbortSignal): Promise<UpstreamResponse> {
    const first = this.once(spec, token, signal);
    if (!isIdempotent(spec)) return first;
    // A pooled socket the upstream closed while idle took the request unread: send it again at
    // once on a fresh socket. Not the OTP request or confirmation: upstream may have read them.
    return first.catch((error: unknown) => {
      if (isStaleSocket(error) && !signal.aborted) return this.once(spec, token, signal);
      throw error;
    });
  }

  /** Our own error for a failed exchange: nothing of the transport error (request, headers, body) is kept. */
  networkError(operation: IamportOperation, raw: unknown): IamportNetworkError {
    const code = systemErrorCode(raw);
    if (code === undefined) this.logger.error(`i'mport ${operation}: unexpected client failure (${nameOf(raw)})`);
    return new IamportNetworkError({ operation, errorCode: code });
  }

  decode<T>(spec: CallSpec<T>, info: AttemptInfo, { status, data }: UpstreamResponse): Decoded<T> {
    const operation = spec.operation;
    const envelope = readEnvelope(data);
    if (status >= 200 && status < 300) {
      // A 2xx of the wrong shape: the upstream answered, so it is not an outage.
      if (!envelope) {
        const error = new IamportApiError({ operation, httpStatus: status, detail: "response is not an i'mport envelope" });
        return { outcome: 'server_error', healthy: true, error };
      }
      if (envelope.code !== 0) {
        return { outcome: 'client_error', healthy: true, error: this.apiError(spec, status, envelope.code, envelope.message) };
      }
      try {
        return { outcome: 'success', healthy: true, value: spec.parse(envelope.response, info) };
      } catch (error) {
        if (!(error instanceof MalformedResponseError)) throw error;
        return { outcome: 'server_error', healthy: true, error: new IamportApiError({ operation, httpStatus: status, detail: error.message }) };
      }
    }
    if (status >= 400 && status < 500) {
      if (operation === 'getToken' && (status === 401 || status === 403)) {
        const error = new IamportAuthError({
          operation,
          httpStatus: status,
          upstreamCode: envelope?.code,
          upstreamMessage: this.redactor.redact(envelope?.message, spec.sensitive),
        });
        return { outcome: 'client_error', healthy: true, error };
      }
      return { outcome: 'client_error', healthy: true, error: this.apiError(spec, status, envelope?.code, envelope?.message ?? null) };
    }
    // 5xx, and anything else unexpected (a 3xx is not followed)
    return { outcome: 'server_error', healthy: false, error: this.apiError(spec, status, envelope?.code, envelope?.message ?? null) };
  }

  private async once(spec: CallSpec<unknown>, token: string | undefined, signal: AbortSignal): Promise<UpstreamResponse> {
    // The body goes serialized, past axios's transformRequest (its checks cost more than the stringify).
    const data = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: Record<string, string> = data === undefined ? {} : { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await rawExchange(this.http.axiosRef, { method: spec.method, url: spec.path, data, headers, signal });
    return { status: response.status, data: parseJson(response.data) };
  }

  private apiError(spec: CallSpec<unknown>, status: number, code: number | undefined, message: string | null): IamportApiError {
    return new IamportApiError({
      operation: spec.operation,
      httpStatus: status,
      upstreamCode: code,
      upstreamMessage: this.redactor.redact(message, spec.sensitive),
    });
  }
}

/** Reset before any answer on a socket that served an earlier request. */
function isStaleSocket(error: unknown): boolean {
  if (!isAxiosError(error) || (error.code !== 'ECONNRESET' && error.code !== 'EPIPE')) return false;
  const request = error.request as { reusedSocket?: boolean; res?: unknown } | undefined;
  return request?.reusedSocket === true && !request.res;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
