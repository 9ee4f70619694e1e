import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import axios, { AxiosError, CanceledError, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

/**
 * axios's request adapter for the upstream client: one node:http(s) request on the configured
 * keep-alive agent, the body read as text under `maxContentLength`. axios's own http adapter
 * costs about twice the CPU per request (docs/performance.md); a host that asks for what this
 * one does not do (a proxy, a socket path, streams, redirects) gets axios's own.
 */
export const iamportHttpAdapter: AxiosAdapter = (config) => {
  if (needsAxiosAdapter(config)) return (axios.getAdapter('http') as AxiosAdapter)(config);
  return new Promise<AxiosResponse>((resolve, reject) => {
    const target = targetOf(config);
    const headers = plainHeaders(config.headers);
    const body = encodeBody(config.data);
    if (body !== undefined) headers['Content-Length'] = String(body.length);
    const options = {
      method: (config.method ?? 'get').toUpperCase(),
      hostname: target.hostname,
      port: target.port,
      path: target.path,
      headers,
      agent: target.secure ? config.httpsAgent : config.httpAgent,
    };
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      config.signal?.removeEventListener?.('abort', onAbort);
      req.destroy();
      reject(error);
    };
    const onAbort = (): void => fail(new CanceledError(undefined, config, req));
    const req: ClientRequest = (target.secure ? httpsRequest : httpRequest)(options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const limit = config.maxContentLength ?? -1;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (limit > -1 && size > limit) {
          fail(new AxiosError(`maxContentLength size of ${limit} exceeded`, AxiosError.ERR_BAD_RESPONSE, config, req));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (error) => fail(AxiosError.from(error, (error as NodeJS.ErrnoException).code, config, req)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        config.signal?.removeEventListener?.('abort', onAbort);
        const response: AxiosResponse = {
          data: Buffer.concat(chunks).toString('utf8'),
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          // axios turns these into AxiosHeaders itself once the adapter resolves
          headers: res.headers as AxiosResponse['headers'],
          config,
          request: req,
        };
        const validate = config.validateStatus;
        if (!validate || validate(response.status)) resolve(response);
        else {
          const code = response.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
          reject(new AxiosError(`Request failed with status code ${response.status}`, code, config, req, response));
        }
      });
    });
    req.on('error', (error) => fail(AxiosError.from(error, (error as NodeJS.ErrnoException).code, config, req)));
    if (config.timeout) {
      req.setTimeout(config.timeout, () => fail(new AxiosError(`timeout of ${config.timeout}ms exceeded`, AxiosError.ECONNABORTED, config, req)));
    }
    if (config.signal?.aborted) return onAbort();
    config.signal?.addEventListener?.('abort', onAbort);
    req.end(body);
  });
};

interface Target {
  secure: boolean;
  hostname: string;
  port: string | undefined;
  path: string;
}

const bases = new Map<string, URL>();

/** Where the request goes: a relative path on the (parsed once) baseURL, or axios's own URL building. */
function targetOf(config: InternalAxiosRequestConfig): Target {
  const path = config.url ?? '';
  let url: URL;
  if (config.baseURL && path.startsWith('/') && !config.params) {
    let base = bases.get(config.baseURL);
    if (!base) bases.set(config.baseURL, (base = new URL(config.baseURL)));
    return {
      secure: base.protocol === 'https:',
      hostname: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port || undefined,
      path: base.pathname.replace(/\/$/, '') + path,
    };
  }
  url = new URL(axios.getUri(config));
  return { secure: url.protocol === 'https:', hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || undefined, path: url.pathname + url.search };
}

/**
 * The request headers as a plain object. Duck-typed: @nestjs/axios (ESM) and this file (CJS) load
 * two copies of axios, so `instanceof AxiosHeaders` fails and `AxiosHeaders.from` copied them again.
 */
function plainHeaders(headers: unknown): Record<string, string> {
  const withJson = headers as { toJSON?: () => unknown } | undefined;
  if (typeof withJson?.toJSON === 'function') return withJson.toJSON() as Record<string, string>;
  const plain: Record<string, string> = {};
  for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) {
    if (value !== undefined && value !== null && value !== false) plain[name] = String(value);
  }
  return plain;
}

function needsAxiosAdapter(config: InternalAxiosRequestConfig): boolean {
  return Boolean(config.proxy) || Boolean(config.socketPath) || (config.responseType !== undefined && config.responseType !== 'text' && config.responseType !== 'json');
}

function encodeBody(data: unknown): Buffer | undefined {
  if (data === undefined || data === null) return undefined;
  if (Buffer.isBuffer(data)) return data;
  return Buffer.from(typeof data === 'string' ? data : JSON.stringify(data), 'utf8');
}
