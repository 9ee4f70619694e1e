/** The sandbox's control paths (`/__sandbox/*`) and a token of the test's own, over fetch. */
export interface SandboxAnswer<T> {
  status: number;
  body: T;
}

export interface PopupPerson {
  name: string;
  phone: string;
  birth: string;
  gender_digit: string;
  carrier?: string;
}

export class SandboxControl {
  constructor(readonly url: string) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<SandboxAnswer<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  /** The OTP the sandbox texted to `phone` (for `impUid` when given, else the latest). */
  async latestOtp(phone: string, impUid?: string): Promise<string> {
    const res = await this.call<{ messages: Array<{ imp_uid: string; otp: string }> }>(
      'GET',
      `/__sandbox/inbox?phone=${encodeURIComponent(phone)}`,
    );
    const message = res.body.messages.find((m) => impUid === undefined || m.imp_uid === impUid);
    if (!message) throw new Error(`no OTP in the sandbox inbox${impUid ? ` for ${impUid}` : ''}`);
    return message.otp;
  }

  async stats(): Promise<{ calls: Record<string, number>; sms_sent: number }> {
    return (await this.call<{ calls: Record<string, number>; sms_sent: number }>('GET', '/__sandbox/stats')).body;
  }

  async fault(rule: Record<string, unknown>): Promise<number> {
    const res = await this.call<{ id: number }>('POST', '/__sandbox/faults', rule);
    if (res.status !== 200) throw new Error(`fault refused: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/__sandbox/faults');
  }

  /** A popup-flow certification completed (or not) in the sandbox, for the flow `merchantUid`: its imp_uid. */
  async popup(person: PopupPerson, certified = true, merchantUid?: string): Promise<string> {
    const res = await this.call<{ imp_uid: string }>('POST', '/__sandbox/certifications', { ...person, certified, merchant_uid: merchantUid });
    if (res.status !== 200) throw new Error(`sandbox popup refused: ${res.status}`);
    return res.body.imp_uid;
  }

  /** PortOne V2: the window verification `id` completed (or not) in the sandbox, as `popup` is for V1. */
  async windowV2(person: PopupPerson, id: string, certified = true): Promise<string> {
    const res = await this.call<{ identity_verification_id: string }>('POST', '/__sandbox/v2/identity-verifications', {
      ...person,
      identity_verification_id: id,
      certified,
    });
    if (res.status !== 200) throw new Error(`sandbox V2 window refused: ${res.status}`);
    return res.body.identity_verification_id;
  }

  /** The upstream's own view of a certification (CI and DI included), with a token of the test's own. */
  async certification<T = Record<string, unknown>>(impUid: string): Promise<SandboxAnswer<{ response: T | null }>> {
    const token = await this.call<{ response: { access_token: string } }>('POST', '/users/getToken', {
      imp_key: 'sandbox_imp_key',
      imp_secret: 'sandbox_imp_secret',
    });
    return this.call<{ response: T | null }>('GET', `/certifications/${impUid}`, undefined, token.body.response.access_token);
  }
}

/** Function forms for tests that hold only the sandbox's URL. */
export const addFault = (sandboxUrl: string, rule: Record<string, unknown>) => new SandboxControl(sandboxUrl).fault(rule);
export const clearFaults = (sandboxUrl: string) => new SandboxControl(sandboxUrl).clearFaults();
export const otpFor = (sandboxUrl: string, phone: string, impUid: string) => new SandboxControl(sandboxUrl).latestOtp(phone, impUid);
