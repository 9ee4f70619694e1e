import { randomUUID } from 'node:crypto';
import { BaselineUpstream, UpstreamHttp } from './upstream';

/** A certification as the provider reports it, in the columns' terms. */
export interface ProviderCertification {
  id: string;
  certified: boolean;
  merchantUid: string | null;
  name: string;
  phone: string | null;
  carrier: string | null;
  birthday: string | null;
  gender: 'male' | 'female' | null;
  foreigner: boolean;
  certifiedAt: Date | null;
  ci: string | null;
  di: string | null;
}

export interface OtpPerson {
  name: string;
  phone: string;
  /** YYYYMMDD */
  birth: string;
  gender: number;
  carrier: 'SKT' | 'KT' | 'LGT';
}

/** rejected: the person's data (422); otp_mismatch: a wrong OTP (400); not_found (404); upstream: anything else (502). */
export class ProviderFailure extends Error {
  constructor(readonly kind: 'rejected' | 'otp_mismatch' | 'not_found' | 'upstream') {
    super(kind);
  }
}

/** The three provider calls of the baseline's flows, on V1 or V2. */
export interface BaselineProvider {
  readonly name: 'iamport' | 'portone';
  requestOtp(p: OtpPerson): Promise<string>;
  confirmOtp(id: string, otp: string): Promise<ProviderCertification>;
  getCertification(id: string): Promise<ProviderCertification>;
  /** The window's verification id when the provider lets the merchant name it (V2); else null. */
  windowId(merchantUid: string): string | null;
  close(): void;
}

/** i'mport V1: /certifications/otp/request, /certifications/otp/confirm/:imp_uid, GET /certifications/:imp_uid. */
export class V1Provider implements BaselineProvider {
  readonly name = 'iamport';
  private readonly upstream: BaselineUpstream;

  constructor(baseUrl: string, impKey: string, impSecret: string) {
    this.upstream = new BaselineUpstream(baseUrl, impKey, impSecret);
  }

  async requestOtp(p: OtpPerson): Promise<string> {
    const a = await this.upstream.call('/certifications/otp/request', {
      name: p.name,
      phone: p.phone,
      birth: p.birth.slice(2),
      gender_digit: p.gender,
      carrier: p.carrier,
    });
    if (a.status === 400) throw new ProviderFailure('rejected');
    const impUid = a.body.response?.imp_uid;
    if (a.status !== 200 || a.body.code !== 0 || typeof impUid !== 'string') throw new ProviderFailure('upstream');
    return impUid;
  }

  async confirmOtp(id: string, otp: string): Promise<ProviderCertification> {
    const a = await this.upstream.call(`/certifications/otp/confirm/${encodeURIComponent(id)}`, { otp });
    if (a.status === 400) throw new ProviderFailure('otp_mismatch');
    return this.certification(a.status, a.body.code, a.body.response);
  }

  async getCertification(id: string): Promise<ProviderCertification> {
    const a = await this.upstream.call(`/certifications/${encodeURIComponent(id)}`, null);
    if (a.status === 404) throw new ProviderFailure('not_found');
    return this.certification(a.status, a.body.code, a.body.response);
  }

  windowId(): null {
    return null;
  }

  close(): void {
    this.upstream.close();
  }

  private certification(status: number, code: unknown, c: Record<string, unknown> | null | undefined): ProviderCertification {
    if (status !== 200 || code !== 0 || !c) throw new ProviderFailure('upstream');
    const at = Number(c.certified_at);
    return {
      id: String(c.imp_uid),
      certified: c.certified === true,
      merchantUid: typeof c.merchant_uid === 'string' ? c.merchant_uid : null,
      name: String(c.name ?? ''),
      phone: typeof c.phone === 'string' ? c.phone : null,
      carrier: typeof c.carrier === 'string' ? c.carrier : null,
      birthday: typeof c.birthday === 'string' ? c.birthday : null,
      gender: c.gender === 'male' || c.gender === 'female' ? c.gender : null,
      foreigner: c.foreigner === true,
      certifiedAt: at > 0 ? new Date(at * 1000) : null,
      ci: typeof c.unique_key === 'string' && c.unique_key !== '' ? c.unique_key : null,
      di: typeof c.unique_in_site === 'string' && c.unique_in_site !== '' ? c.unique_in_site : null,
    };
  }
}

const V2_ID_PREFIX = 'identity-verification-';

type V2Verification = {
  id?: string;
  status?: string;
  customData?: string;
  verifiedAt?: string;
  verifiedCustomer?: {
    name?: string;
    phoneNumber?: string;
    operator?: string;
    birthDate?: string;
    gender?: string;
    isForeigner?: boolean;
    ci?: string;
    di?: string;
  };
};

/**
 * PortOne V2: POST /identity-verifications/:id/send and /confirm, GET /identity-verifications/:id,
 * with the API secret in `Authorization: PortOne <secret>` (no token call). The id is ours.
 */
export class V2Provider implements BaselineProvider {
  readonly name = 'portone';
  private readonly http: UpstreamHttp;
  private readonly auth: string;

  constructor(baseUrl: string, apiSecret: string, private readonly storeId: string, private readonly channelKey: string) {
    this.http = new UpstreamHttp(baseUrl);
    this.auth = `PortOne ${apiSecret}`;
  }

  async requestOtp(p: OtpPerson): Promise<string> {
    const id = `${V2_ID_PREFIX}${randomUUID()}`;
    const a = await this.http.send('POST', `/identity-verifications/${encodeURIComponent(id)}/send`, {
      storeId: this.storeId,
      channelKey: this.channelKey,
      customer: { name: p.name, phoneNumber: p.phone, identityNumber: `${p.birth.slice(2)}${p.gender}`, ipAddress: '127.0.0.1' },
      operator: p.carrier === 'LGT' ? 'LGU' : p.carrier,
      method: 'SMS',
    }, this.auth);
    if (a.status === 400) throw new ProviderFailure('rejected');
    if (a.status !== 200) throw new ProviderFailure('upstream');
    return id;
  }

  async confirmOtp(id: string, otp: string): Promise<ProviderCertification> {
    const a = await this.http.send<{ identityVerification?: V2Verification }>(
      'POST',
      `/identity-verifications/${encodeURIComponent(id)}/confirm`,
      { otp, storeId: this.storeId },
      this.auth,
    );
    if (a.status === 400) throw new ProviderFailure('otp_mismatch');
    if (a.status !== 200 || !a.body.identityVerification) throw new ProviderFailure('upstream');
    return this.certification(a.body.identityVerification);
  }

  async getCertification(id: string): Promise<ProviderCertification> {
    const a = await this.http.send<V2Verification>(
      'GET',
      `/identity-verifications/${encodeURIComponent(id)}?storeId=${encodeURIComponent(this.storeId)}`,
      null,
      this.auth,
    );
    if (a.status === 404) throw new ProviderFailure('not_found');
    if (a.status !== 200) throw new ProviderFailure('upstream');
    return this.certification(a.body);
  }

  windowId(merchantUid: string): string {
    return `${V2_ID_PREFIX}${merchantUid}`;
  }

  close(): void {
    this.http.close();
  }

  private certification(v: V2Verification): ProviderCertification {
    const c = v.status === 'VERIFIED' ? v.verifiedCustomer : undefined;
    const id = String(v.id ?? '');
    return {
      id,
      certified: c !== undefined,
      // A window's id is named after its flow; an OTP send carries it in customData.
      merchantUid: id.startsWith(`${V2_ID_PREFIX}flow_`) ? id.slice(V2_ID_PREFIX.length) : (v.customData ?? null),
      name: c?.name ?? '',
      phone: c?.phoneNumber ?? null,
      carrier: c?.operator ? c.operator.replace(/^LGU/, 'LGT') : null,
      birthday: c?.birthDate ?? null,
      gender: c?.gender === 'MALE' ? 'male' : c?.gender === 'FEMALE' ? 'female' : null,
      foreigner: c?.isForeigner === true,
      certifiedAt: v.verifiedAt ? new Date(v.verifiedAt) : null,
      ci: c?.ci || null,
      di: c?.di || null,
    };
  }
}

/** IDENTITY_PROVIDER=portone: V2 with PORTONE_*; else V1 with IAMPORT_*. */
export function providerFromEnv(env: NodeJS.ProcessEnv): BaselineProvider {
  if (env.IDENTITY_PROVIDER === 'portone') {
    return new V2Provider(env.PORTONE_BASE_URL ?? '', env.PORTONE_API_SECRET ?? '', env.PORTONE_STORE_ID ?? '', env.PORTONE_CHANNEL_KEY ?? '');
  }
  return new V1Provider(env.IAMPORT_BASE_URL ?? '', env.IAMPORT_IMP_KEY ?? '', env.IAMPORT_IMP_SECRET ?? '');
}
