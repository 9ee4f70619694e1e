/**
 * Helpers of the certification / user / flow e2e tests: the real api (startTestApp) with its
 * in-process sandbox, driven over HTTP with supertest; OTPs read from the sandbox inbox.
 */
import request from 'supertest';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/app';

/** Limits of the api's rate limiter raised out of the way (these tests are about the flows). */
export const NO_RATE_LIMITS: Record<string, string> = {
  OTP_SEND_LIMIT_PER_IP: '100000',
  OTP_SEND_LIMIT_PER_PHONE: '1000',
  OTP_CONFIRM_LIMIT_PER_IP: '100000',
  SIGNUP_LIMIT_PER_IP: '100000',
};

export interface Person {
  name: string;
  phone: string;
  birth: string;
  gender_digit: string;
  carrier: 'SKT' | 'KT' | 'LGT';
}

export { CapturingLogger } from '../support/capturing-logger';

export class Flows {
  /**
   * Values that must never appear in a log line or a table in clear: every name and phone
   * sent, every OTP read from the inbox, every verification token received, and the CIs/DIs
   * fetched from the upstream.
   */
  readonly secrets = new Set<string>();
  /** The OTPs among `secrets` (never stored, so a table check leaves them out). */
  readonly otps = new Set<string>();

  private constructor(readonly t: TestApp) {}

  static async start(options: TestAppOptions = {}): Promise<Flows> {
    const t = await startTestApp({ ...options, env: { ...NO_RATE_LIMITS, ...options.env } });
    // Listen once, so concurrent supertest requests share one server.
    await t.app.listen(0, '127.0.0.1');
    return new Flows(t);
  }

  get http() {
    return request(this.t.http);
  }

  close(): Promise<void> {
    return this.t.close();
  }

  // ------------------------------------------------------------ sandbox

  async sandbox<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${this.t.sandboxUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async latestOtp(phone: string, impUid?: string): Promise<string> {
    const res = await this.sandbox<{ messages: Array<{ imp_uid: string; otp: string }> }>(
      'GET',
      `/__sandbox/inbox?phone=${encodeURIComponent(phone)}`,
    );
    const message = res.body.messages.find((m) => impUid === undefined || m.imp_uid === impUid);
    if (!message) throw new Error('no OTP in the sandbox inbox');
    this.secrets.add(message.otp);
    this.otps.add(message.otp);
    return message.otp;
  }

  async stats(): Promise<{ calls: Record<string, number>; sms_sent: number }> {
    return (await this.sandbox<{ calls: Record<string, number>; sms_sent: number }>('GET', '/__sandbox/stats')).body;
  }

  async fault(rule: Record<string, unknown>): Promise<number> {
    const res = await this.sandbox<{ id: number }>('POST', '/__sandbox/faults', rule);
    if (res.status !== 200) throw new Error(`fault refused: ${res.status}`);
    return res.body.id;
  }

  async clearFaults(): Promise<void> {
    await this.sandbox('DELETE', '/__sandbox/faults');
  }

  /** A popup-flow certification completed (or not) in the sandbox: its imp_uid. */
  async popup(person: Person, certified = true): Promise<string> {
    const res = await this.sandbox<{ imp_uid: string }>('POST', '/__sandbox/certifications', { ...person, certified });
    if (res.status !== 200) throw new Error(`sandbox popup refused: ${res.status}`);
    return res.body.imp_uid;
  }

  /** The upstream's own view of a certification (CI and DI included), with a token of our own. */
  async upstreamCertification(impUid: string): Promise<{ unique_key: string; unique_in_site: string; [k: string]: unknown }> {
    const token = await this.sandbox<{ response: { access_token: string } }>('POST', '/users/getToken', {
      imp_key: 'sandbox_imp_key',
      imp_secret: 'sandbox_imp_secret',
    });
    const res = await this.sandbox<{ response: { unique_key: string; unique_in_site: string } }>(
      'GET',
      `/certifications/${impUid}`,
      undefined,
      token.body.response.access_token,
    );
    if (res.body.response.unique_key) this.secrets.add(res.body.response.unique_key);
    if (res.body.response.unique_in_site) this.secrets.add(res.body.response.unique_in_site);
    return res.body.response;
  }

  // ------------------------------------------------------------ api

  requestOtp(person: object) {
    this.remember(person);
    return this.http.post('/certifications/otp/request').send(person);
  }

  /** Adds a person's name and phone (as sent and as digits) to `secrets`. */
  remember(body: object): void {
    const person = body as Record<string, unknown>;
    if (typeof person.name === 'string' && person.name.length > 1) this.secrets.add(person.name);
    if (typeof person.phone === 'string') {
      this.secrets.add(person.phone);
      const digits = person.phone.replace(/\D/g, '');
      if (digits.length >= 10) this.secrets.add(digits.startsWith('82') ? `0${digits.slice(2)}` : digits);
    }
  }

  confirm(impUid: string, otp: unknown) {
    return this.http.post(`/certifications/otp/confirm/${impUid}`).send({ otp });
  }

  signup(token: unknown, extra: Record<string, unknown> = {}) {
    return this.http.post('/users').send({ verification_token: token, ...extra });
  }

  /** OTP request + confirm with the OTP from the inbox: the verification view. */
  async verifyByOtp(person: Person): Promise<{ impUid: string; otp: string; view: Record<string, unknown> }> {
    const requested = await this.requestOtp(person);
    if (requested.status !== 201) throw new Error(`OTP request: ${requested.status} ${JSON.stringify(requested.body)}`);
    const impUid = requested.body.imp_uid as string;
    const otp = await this.latestOtp(person.phone, impUid);
    const confirmed = await this.confirm(impUid, otp);
    if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
    this.secrets.add(confirmed.body.verification_token);
    return { impUid, otp, view: confirmed.body };
  }

  /** Popup certification in the sandbox + POST /certifications: the verification view. */
  async verifyByPopup(person: Person): Promise<{ impUid: string; view: Record<string, unknown> }> {
    this.remember(person);
    const impUid = await this.popup(person);
    const res = await this.http.post('/certifications').send({ imp_uid: impUid });
    if (res.status !== 200) throw new Error(`popup verify: ${res.status} ${JSON.stringify(res.body)}`);
    this.secrets.add(res.body.verification_token);
    return { impUid, view: res.body };
  }

  /** Every row of every table of the public schema, as one JSON text (for plaintext checks). */
  async dumpAllTables(): Promise<{ tables: string[]; text: string }> {
    const tables = (
      await this.t.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
      )
    ).map((r) => r.table_name);
    const parts: string[] = [];
    for (const table of tables) {
      const rows = await this.t.query(`SELECT * FROM "${table}"`);
      parts.push(JSON.stringify(rows));
    }
    return { tables, text: parts.join('\n') };
  }

  /**
   * The secrets found in `text` (should be none). All-digit secrets (phones, OTPs) only count
   * as a whole digit run, so an OTP is not "found" inside a longer number such as an imp_uid.
   */
  leaked(text: string, options: { otps?: boolean } = {}): string[] {
    return [...this.secrets]
      .filter((secret) => options.otps !== false || !this.otps.has(secret))
      .filter((secret) =>
        /^\d+$/.test(secret) ? new RegExp(`(?<!\\d)${secret}(?!\\d)`).test(text) : text.includes(secret),
      );
  }

  async count(table: string): Promise<number> {
    const [row] = await this.t.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
    return Number(row.n);
  }
}

let phoneSeq = 0;
/** A fresh mobile number per call (never ending in 0000, which the sandbox's carrier refuses). */
export function freshPhone(): string {
  phoneSeq += 1;
  const n = (process.pid * 7919 + phoneSeq * 104729) % 90000000;
  const digits = String(10000000 + n).slice(-8);
  return `010${digits.endsWith('0000') ? digits.slice(0, 4) + '1234' : digits}`;
}

/** `YYYY-MM-DD` shifted by whole years (29 February in a common year -> null). */
export function shiftYears(iso: string, years: number): string | null {
  const [y, m, d] = iso.split('-').map(Number);
  const year = y + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (m === 2 && d === 29 && !leap) return null;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` plus `days` (calendar arithmetic in UTC, no time zone involved). */
export function addDays(iso: string, days: number): string {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** A gender digit for a birth year: 1/3 (male) or 2/4 (female) by century. */
export function genderDigitFor(iso: string, female = false): string {
  const modern = Number(iso.slice(0, 4)) >= 2000;
  return String((modern ? 3 : 1) + (female ? 1 : 0));
}

/** Birth as the form sends it: YYYYMMDD. */
export function birthOf(iso: string): string {
  return iso.replace(/-/g, '');
}
