import { Writable } from 'node:stream';
import request from 'supertest';
import { Redis } from 'ioredis';

/** Adds a fault rule to the sandbox (POST /__sandbox/faults). */
export async function addFault(sandboxUrl: string, rule: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sandboxUrl}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });
  if (!res.ok) throw new Error(`sandbox refused the fault rule: ${res.status} ${await res.text()}`);
}

export async function clearFaults(sandboxUrl: string): Promise<void> {
  await fetch(`${sandboxUrl}/__sandbox/faults`, { method: 'DELETE' });
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** GET /metrics, parsed (Prometheus text format: `name{a="b",c="d"} value`). */
export async function scrape(http: Parameters<typeof request>[0]): Promise<{ text: string; samples: Sample[]; contentType: string }> {
  const res = await request(http).get('/metrics');
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const text = res.text;
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { text, samples, contentType: String(res.headers['content-type']) };
}

/** The value of the one sample of `name` whose labels include `labels` (0 when absent). */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

/** A pino destination that keeps every line written to it. */
export class LineCapture extends Writable {
  readonly lines: string[] = [];
  private partial = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter((l) => l !== ''));
    callback();
  }

  /** Every line parsed as JSON (throws on the first one that is not). */
  json(): Array<Record<string, unknown>> {
    return this.lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`log line is not JSON: ${line.slice(0, 200)}`);
      }
    });
  }

  text(): string {
    return this.lines.join('\n') + this.partial;
  }
}

/** TEST_REDIS_URL, else a Redis on the default local port if one answers; null otherwise (said so). */
export async function findRedis(label: string): Promise<string | null> {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return url;
  } catch {
    process.stdout.write(`\n[ops] ${label}: no Redis answers (set TEST_REDIS_URL); that case does not run\n`);
    return null;
  } finally {
    client.disconnect();
  }
}

/** Waits until `check` returns true, or fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface OpsPerson {
  name: string;
  phone: string;
  birth: string;
  gender_digit: string;
  carrier: string;
}

/** The last OTP the sandbox sent for `impUid` (its SMS inbox, a control path). */
export async function otpFor(sandboxUrl: string, phoneDigits: string, impUid: string): Promise<string> {
  const inbox = (await (await fetch(`${sandboxUrl}/__sandbox/inbox?phone=${phoneDigits}`)).json()) as {
    messages: Array<{ imp_uid: string; otp: string }>;
  };
  const message = inbox.messages.find((m) => m.imp_uid === impUid);
  if (!message) throw new Error('no OTP in the sandbox inbox for this certification');
  return message.otp;
}

/** OTP request, confirmation and signup through the api; returns the three answers. */
export async function walkSignup(
  http: Parameters<typeof request>[0],
  sandboxUrl: string,
  person: OpsPerson,
): Promise<{ requested: request.Response; confirmed: request.Response; signup: request.Response }> {
  const requested = await request(http).post('/certifications/otp/request').send(person);
  if (requested.status !== 201) throw new Error(`OTP request answered ${requested.status} ${requested.text}`);
  const impUid = requested.body.imp_uid as string;
  const otp = await otpFor(sandboxUrl, person.phone.replace(/\D/g, ''), impUid);
  const confirmed = await request(http).post(`/certifications/otp/confirm/${impUid}`).send({ otp });
  if (confirmed.status !== 200) throw new Error(`OTP confirmation answered ${confirmed.status} ${confirmed.text}`);
  const signup = await request(http).post('/users').send({ verification_token: confirmed.body.verification_token });
  return { requested, confirmed, signup };
}
