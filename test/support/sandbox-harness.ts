import { IamportSandbox, type SandboxOptions } from '../../apps/iamport-sandbox/src/sandbox';

/** Helpers for driving a sandbox over real HTTP with fetch. */

export interface Envelope<T = unknown> {
  code: number;
  message: string | null;
  response: T | null;
}

export interface CallResult<T = unknown> {
  status: number;
  body: T;
}

export interface CallOptions {
  json?: unknown;
  form?: Record<string, string>;
  raw?: string;
  contentType?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface TokenResponse {
  access_token: string;
  now: number;
  expired_at: number;
}

/** The sandbox's own wire types (upstream field names). */
import type { CertificationView as Certification, InboxMessage } from '../../apps/iamport-sandbox/src/store';

export type { Certification, InboxMessage };

export const IMP_KEY = 'test_imp_key';
export const IMP_SECRET = 'test_imp_secret';

export const HONG = {
  name: '홍길동',
  phone: '010-1234-5678',
  birth: '900101',
  gender_digit: '1',
  carrier: 'SKT',
} as const;

export class SandboxHarness {
  readonly sandbox: IamportSandbox;
  base = '';

  constructor(options: Partial<SandboxOptions> = {}) {
    this.sandbox = new IamportSandbox({ impKey: IMP_KEY, impSecret: IMP_SECRET, ...options });
  }

  async start(): Promise<this> {
    this.base = await this.sandbox.listen(0);
    return this;
  }

  stop(): Promise<void> {
    return this.sandbox.close();
  }

  async call<T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.raw !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      body = options.raw;
    }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const res = await fetch(`${this.base}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T };
  }

  upstream<T>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<Envelope<T>>> {
    return this.call<Envelope<T>>(method, path, options);
  }

  async token(): Promise<string> {
    const res = await this.upstream<TokenResponse>('POST', '/users/getToken', {
      json: { imp_key: IMP_KEY, imp_secret: IMP_SECRET },
    });
    if (res.status !== 200 || res.body.response === null) throw new Error(`getToken failed: ${res.status}`);
    return res.body.response.access_token;
  }

  requestOtp(token: string, person: Record<string, unknown> = HONG): Promise<CallResult<Envelope<{ imp_uid: string }>>> {
    return this.upstream<{ imp_uid: string }>('POST', '/certifications/otp/request', { token, json: person });
  }

  async inbox(phone: string): Promise<InboxMessage[]> {
    const res = await this.call<{ messages: InboxMessage[] }>('GET', `/__sandbox/inbox?phone=${encodeURIComponent(phone)}`);
    return res.body.messages;
  }

  /** Requests an OTP for the person and confirms it with the OTP read from the inbox. */
  async certify(token: string, person: Record<string, unknown> = HONG): Promise<Certification> {
    const requested = await this.requestOtp(token, person);
    if (requested.status !== 200 || requested.body.response === null) {
      throw new Error(`OTP request failed: ${requested.status} ${requested.body.message}`);
    }
    const impUid = requested.body.response.imp_uid;
    const [latest] = await this.inbox(String(person.phone));
    const confirmed = await this.upstream<Certification>('POST', `/certifications/otp/confirm/${impUid}`, {
      token,
      json: { otp: latest.otp },
    });
    if (confirmed.status !== 200 || confirmed.body.response === null) throw new Error(`confirm failed: ${confirmed.status}`);
    return confirmed.body.response;
  }

  async reset(): Promise<void> {
    await this.call('POST', '/__sandbox/reset');
  }

  async advanceClock(seconds: number): Promise<number> {
    const res = await this.call<{ now: number }>('POST', '/__sandbox/clock', { json: { advance_seconds: seconds } });
    return res.body.now;
  }

  async addFault(rule: Record<string, unknown>): Promise<number> {
    const res = await this.call<{ id: number }>('POST', '/__sandbox/faults', { json: rule });
    if (res.status !== 200) throw new Error(`fault refused: ${res.status}`);
    return res.body.id;
  }

  async stats(): Promise<{ calls: Record<string, number>; sms_sent: number }> {
    return (await this.call<{ calls: Record<string, number>; sms_sent: number }>('GET', '/__sandbox/stats')).body;
  }
}
