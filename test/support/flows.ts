/** The real api (startTestApp) driven over HTTP with supertest, remembering every secret it sees. */
import request from 'supertest';
import { startTestApp, type TestApp, type TestAppOptions } from './app';
import { NO_RATE_LIMITS } from './limits';
import type { Person } from './people';
import { SandboxControl } from './sandbox-control';

export class Flows {
  /**
   * Values that must never appear in a log line or a table in clear: every name and phone
   * sent, every OTP read from the inbox, every verification token received, and the CIs/DIs
   * fetched from the upstream.
   */
  readonly secrets = new Set<string>();
  /** The OTPs among `secrets` (never stored, so a table check leaves them out). */
  readonly otps = new Set<string>();

  private readonly control: SandboxControl;
  /** One browser: it keeps the flow cookies `POST /certifications/window` sets. */
  private readonly agent: ReturnType<typeof request.agent>;

  private constructor(readonly t: TestApp) {
    this.control = new SandboxControl(t.sandboxUrl);
    this.agent = request.agent(t.http);
  }

  static async start(options: TestAppOptions = {}): Promise<Flows> {
    const t = await startTestApp({ ...options, env: { ...NO_RATE_LIMITS, ...options.env } });
    // Listen once, so concurrent supertest requests share one server.
    await t.app.listen(0, '127.0.0.1');
    return new Flows(t);
  }

  /** Requests from the test's one browser (its flow cookies sent). */
  get http() {
    return this.agent;
  }

  /** A browser flow started by this browser (its cookie kept): the merchant_uid for the window. */
  async startWindow(): Promise<string> {
    const res = await this.agent.post('/certifications/window');
    if (res.status !== 201) throw new Error(`window start: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.merchant_uid as string;
  }

  /** The whole answer of a flow start (V2: with the verification id `imp_uid`, store_id, channel_key). */
  async startWindowAnswer(): Promise<Record<string, any>> {
    const res = await this.agent.post('/certifications/window');
    if (res.status !== 201) throw new Error(`window start: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  close(): Promise<void> {
    return this.t.close();
  }

  // ------------------------------------------------------------ sandbox

  sandbox<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
    return this.control.call<T>(method, path, body, token);
  }

  async latestOtp(phone: string, impUid?: string): Promise<string> {
    const otp = await this.control.latestOtp(phone, impUid);
    this.secrets.add(otp);
    this.otps.add(otp);
    return otp;
  }

  stats(): Promise<{ calls: Record<string, number>; sms_sent: number }> {
    return this.control.stats();
  }

  fault(rule: Record<string, unknown>): Promise<number> {
    return this.control.fault(rule);
  }

  clearFaults(): Promise<void> {
    return this.control.clearFaults();
  }

  /** A popup-flow certification completed (or not) in the sandbox, in a flow this browser started: its imp_uid. */
  async popup(person: Person, certified = true): Promise<string> {
    return this.control.popup(person, certified, await this.startWindow());
  }

  /** The upstream's own view of a certification (CI and DI included), with a token of our own. */
  async upstreamCertification(impUid: string): Promise<{ unique_key: string; unique_in_site: string; [k: string]: unknown }> {
    const res = await this.control.certification<{ unique_key: string; unique_in_site: string; [k: string]: unknown }>(impUid);
    const view = res.body.response!;
    if (view.unique_key) this.secrets.add(view.unique_key);
    if (view.unique_in_site) this.secrets.add(view.unique_in_site);
    return view;
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

  /** PortOne V2: a flow started, its verification completed in the sandbox's window, POST /certifications. */
  async verifyByWindowV2(person: Person): Promise<{ impUid: string; view: Record<string, unknown> }> {
    this.remember(person);
    const started = await this.startWindowAnswer();
    const impUid = await this.control.windowV2(person, started.imp_uid);
    const res = await this.http.post('/certifications').send({ imp_uid: impUid });
    if (res.status !== 200) throw new Error(`V2 window verify: ${res.status} ${JSON.stringify(res.body)}`);
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

/** OTP request, confirmation and signup through the api; returns the three answers. */
export async function walkSignup(
  http: Parameters<typeof request>[0],
  sandboxUrl: string,
  person: Omit<Person, 'carrier'> & { carrier: string },
): Promise<{ requested: request.Response; confirmed: request.Response; signup: request.Response }> {
  const requested = await request(http).post('/certifications/otp/request').send(person);
  if (requested.status !== 201) throw new Error(`OTP request answered ${requested.status} ${requested.text}`);
  const impUid = requested.body.imp_uid as string;
  const otp = await new SandboxControl(sandboxUrl).latestOtp(person.phone.replace(/\D/g, ''), impUid);
  const confirmed = await request(http).post(`/certifications/otp/confirm/${impUid}`).send({ otp });
  if (confirmed.status !== 200) throw new Error(`OTP confirmation answered ${confirmed.status} ${confirmed.text}`);
  const signup = await request(http).post('/users').send({ verification_token: confirmed.body.verification_token });
  return { requested, confirmed, signup };
}
