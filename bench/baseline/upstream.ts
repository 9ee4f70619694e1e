import { Agent, request } from 'node:http';

export interface UpstreamAnswer {
  status: number;
  body: { code?: number; message?: string | null; response?: Record<string, unknown> | null };
}

/**
 * The i'mport calls the baseline needs, on node:http with a keep-alive agent: getToken once
 * (single-flight, reused until shortly before expiry, refreshed once on a 401), then the two OTP
 * calls. No retries (neither OTP call may be retried), a timeout on every call.
 */
export class BaselineUpstream {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly url: URL;
  private token: { value: string; expiresAtMs: number } | null = null;
  private inFlight: Promise<string> | null = null;

  constructor(baseUrl: string, private readonly impKey: string, private readonly impSecret: string, private readonly timeoutMs = 5000) {
    this.url = new URL(baseUrl);
  }

  close(): void {
    this.agent.destroy();
  }

  async call(path: string, body: Record<string, unknown>): Promise<UpstreamAnswer> {
    const token = await this.accessToken();
    const first = await this.post(path, body, token);
    if (first.status !== 401) return first;
    if (this.token?.value === token) this.token = null;
    return this.post(path, body, await this.accessToken());
  }

  private accessToken(): Promise<string> {
    if (this.token && this.token.expiresAtMs - 60_000 > Date.now()) return Promise.resolve(this.token.value);
    if (this.inFlight) return this.inFlight;
    const asked = Date.now();
    this.inFlight = this.post('/users/getToken', { imp_key: this.impKey, imp_secret: this.impSecret })
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

  private post(path: string, body: Record<string, unknown>, token?: string): Promise<UpstreamAnswer> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: Number(this.url.port || 80),
          method: 'POST',
          path,
          headers: {
            'content-type': 'application/json',
            'content-length': String(payload.length),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as UpstreamAnswer['body'] });
            } catch {
              reject(new Error(`upstream ${path}: unreadable answer (${res.statusCode})`));
            }
          });
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`upstream ${path}: timeout`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
