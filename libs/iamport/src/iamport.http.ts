import type { HttpModuleOptions, HttpService } from '@nestjs/axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { iamportHttpAdapter } from './iamport.http-adapter';
import type { IamportModuleOptions } from './iamport.options';

/** Largest upstream answer (and request body) accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Agents this module created, so only those are destroyed on shutdown (a host's own are left alone). */
const ownAgents = new WeakSet<object>();

/** The HttpModule options of IamportModule: the client's defaults, then the host's `http` options. */
export function iamportHttpOptions(options: IamportModuleOptions): HttpModuleOptions {
  return upstreamHttpOptions(options);
}

/** What an upstream client's HttpModule is built from (IamportModule, PortOneModule). */
export interface UpstreamHttpSettings {
  baseUrl?: unknown;
  timeoutMs?: number;
  http?: HttpModuleOptions;
}

/**
 * An upstream client's axios defaults: keep-alive agents of its own, no redirects or proxy, a 1 MB
 * body limit, axios's timeout as the connect and idle bound, node:http through our adapter.
 */
export function upstreamHttpOptions(options: UpstreamHttpSettings): HttpModuleOptions {
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true });
  ownAgents.add(httpAgent).add(httpsAgent);
  return {
    baseURL: typeof options?.baseUrl === 'string' ? options.baseUrl.replace(/\/+$/, '') : undefined,
    httpAgent,
    httpsAgent,
    maxRedirects: 0,
    maxContentLength: MAX_BODY_BYTES,
    maxBodyLength: MAX_BODY_BYTES,
    // axios's own (connect and socket-idle) timeout; the call policy cuts each whole attempt.
    timeout: options?.timeoutMs ?? 5000,
    // The environment's HTTP(S)_PROXY is not picked up unless the host asks for a proxy.
    proxy: false,
    headers: { Accept: 'application/json' },
    adapter: iamportHttpAdapter,
    ...options?.http,
  };
}

/** Destroys the keep-alive agents `iamportHttpOptions` created for this axios instance. */
export function destroyOwnAgents(axios: { defaults: { httpAgent?: unknown; httpsAgent?: unknown } }): void {
  for (const agent of [axios.defaults.httpAgent, axios.defaults.httpsAgent]) {
    if (typeof agent === 'object' && agent !== null && ownAgents.has(agent)) (agent as HttpAgent).destroy();
  }
}

/**
 * Deletes the empty per-method header buckets (`get: {}`, `post: {}`, ...) of an axios instance's
 * defaults: axios deep-copies every bucket on every request, about 4 us a call for nothing.
 * Buckets holding headers, and `common`, stay.
 */
export function dropEmptyHeaderBuckets(axios: { defaults: { headers?: unknown } }): void {
  const headers = axios.defaults.headers as Record<string, unknown> | undefined;
  if (!headers || typeof headers !== 'object') return;
  for (const [name, bucket] of Object.entries(headers)) {
    if (name === 'common' || bucket === null || typeof bucket !== 'object' || Array.isArray(bucket)) continue;
    if (Object.keys(bucket).length === 0) delete headers[name];
  }
}

const asIs = (body: unknown): unknown => body;
const anyStatus = (): boolean => true;

/** One request of an upstream client: the body already serialized JSON, or none. */
export interface RawRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  data: string | undefined;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * One exchange on an upstream client's axios instance, past axios's body transforms (their checks
 * cost more than the stringify) and status check: the answer's status and its body as text.
 */
export function rawExchange(axios: HttpService['axiosRef'], r: RawRequest): Promise<{ status: number; data: string }> {
  return axios.request<string>({
    method: r.method,
    url: r.url,
    data: r.data,
    signal: r.signal,
    headers: r.headers,
    responseType: 'text',
    transformRequest: asIs,
    transformResponse: asIs,
    validateStatus: anyStatus,
  });
}

/** The system error code of a failed exchange (ECONNREFUSED, ECONNRESET, ...), only when it looks like one. */
export function systemErrorCode(raw: unknown): string | undefined {
  if (typeof raw === 'object' && raw !== null && 'code' in raw) {
    const code = (raw as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  }
  return undefined;
}
