import { Agent, request } from 'node:http';

export interface UpstreamAnswer<B = Record<string, unknown>> {
  status: number;
  body: B;
}

/** One keep-alive node:http client for an upstream base URL, a timeout on every call, no retries. */
export class UpstreamHttp {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly url: URL;

  constructor(baseUrl: string, private readonly timeoutMs = 5000) {
    this.url = new URL(baseUrl);
  }

  close(): void {
    this.agent.destroy();
  }

  send<B>(method: 'GET' | 'POST', path: string, body: Record<string, unknown> | null, authorization?: string): Promise<UpstreamAnswer<B>> {
    const payload = body === null ? null : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: Number(this.url.port || 80),
          method,
          path,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            ...(authorization ? { authorization } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as B });
            } catch {
              reject(new Error(`upstream ${method} ${path.split('/')[1] ?? ''}: unreadable answer (${res.statusCode})`));
            }
          });
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`upstream ${method}: timeout`)));
      req.on('error', reject);
      req.end(payload ?? undefined);
    });
  }
}

export type V1Body = { code?: number; message?: string | null; response?: Record<string, unknown> | null };

/**
 * The i'mport (V1) calls the baseline needs: getToken once (single-flight, reused until shortly
 * before expiry, refreshed once on a 401), then the certification calls.
 */
export class BaselineUpstream {
  private readonly http: UpstreamHttp;
  private token: { value: string; expiresAtMs: number } | null = null;
  private inFlight: Promise<string> | null = null;

  constructor(baseUrl: string, private readonly impKey: string, private readonly impSecret: string, timeoutMs = 5000) {
    this.http = new UpstreamHttp(baseUrl, timeoutMs);
  }

  close(): void {
    this.http.close();
  }

  /** POST with a body, or GET when `body` is null. */
  async call(path: string, body: Record<string, unknown> | null): Promise<UpstreamAnswer<V1Body>> {
    const method = body === null ? 'GET' : 'POST';
    const token = await this.accessToken();
    const first = await this.http.send<V1Body>(method, path, body, `Bearer ${token}`);
    if (first.status !== 401) return first;
    if (this.token?.value === token) this.token = null;
    return this.http.send<V1Body>(method, path, body, `Bearer ${await this.accessToken()}`);
  }

  private accessToken(): Promise<string> {
    if (this.token && this.token.expiresAtMs - 60_000 > Date.now()) return Promise.resolve(this.token.value);
    if (this.inFlight) return this.inFlight;
    const asked = Date.now();
    this.inFlight = this.http
      .send<V1Body>('POST', '/users/getToken', { imp_key: this.impKey, imp_secret: this.impSecret })
      .then((a) => {
        const r = a.body.response as { access_token?: string; now?: number; expired_at?: number } | null;
        if (a.status !== 200 || a.body.code !== 0 || !r?.access_token) throw new Error(`getToken failed (${a.status})`);
        this.token = { value: r.access_token, expiresAtMs: asked + ((r.expired_at ?? 0) - (r.now ?? 0)) * 1000 };
        return r.access_token;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }
}
