import {
  ChannelNotFoundError,
  IdentityVerificationAlreadyVerifiedError,
  IdentityVerificationNotFoundError,
  IdentityVerificationNotSentError,
  PgProviderError,
  PortOneCircuitOpenError,
  PortOneNetworkError,
  PortOneTimeoutError,
  UnauthorizedError,
  type IdentityVerificationObject,
  type SendIdentityVerificationInput,
  type VerifiedIdentityVerification,
} from '@app/portone';
import { IdentityProviderError } from './identity-provider';
import { PortOneIdentityProvider, type PortOneCalls } from './portone.provider';

const VERIFIED = {
  status: 'VERIFIED',
  id: 'iv_1',
  verifiedCustomer: { name: '홍길동', operator: 'LGU_MVNO', phoneNumber: '01012345678', birthDate: '1990-01-01', gender: 'FEMALE', isForeigner: false, di: 'di-1' },
  verifiedAt: '2026-03-01T03:00:00Z',
  pgTxId: 'tx',
} as unknown as VerifiedIdentityVerification;

/** PortOneClient's calls in memory: records sends, answers or fails as told. */
class FakePortOne implements PortOneCalls {
  readonly sent: SendIdentityVerificationInput[] = [];
  failure: Error | null = null;
  answer: IdentityVerificationObject = VERIFIED;
  async send(input: SendIdentityVerificationInput): Promise<void> {
    if (this.failure) throw this.failure;
    this.sent.push(input);
  }
  async confirm(): Promise<VerifiedIdentityVerification> {
    if (this.failure) throw this.failure;
    return this.answer as VerifiedIdentityVerification;
  }
  async resend(): Promise<void> {
    if (this.failure) throw this.failure;
  }
  async get(): Promise<IdentityVerificationObject> {
    if (this.failure) throw this.failure;
    return this.answer;
  }
}

describe('PortOneIdentityProvider', () => {
  it('sends with its own id, the 7-digit identity number, the client IP, the V2 operator and SMS', async () => {
    const client = new FakePortOne();
    const provider = new PortOneIdentityProvider(client, 'channel-1');
    const { id } = await provider.requestOtp({ name: '홍길동', phone: '01012345678', birth: '900101', genderDigit: '2', carrier: 'LGT', isMvno: true, company: 'shop', clientIp: '203.0.113.9' });
    expect(id).toMatch(/^identity-verification-[0-9a-f-]{36}$/);
    expect(client.sent[0]).toMatchObject({
      identityVerificationId: id,
      channelKey: 'channel-1',
      customer: { name: '홍길동', phoneNumber: '01012345678', identityNumber: '9001012', ipAddress: '203.0.113.9' },
      operator: 'LGU_MVNO',
      method: 'SMS',
      bypass: { danal: { CPTITLE: 'shop' } },
    });
    expect(await provider.resendOtp(id)).toEqual({ id });
  });

  it('reads a VERIFIED verification as certified (CI may be missing), a READY one as not', async () => {
    const client = new FakePortOne();
    const provider = new PortOneIdentityProvider(client, 'c');
    expect(await provider.confirmOtp('iv_1', '123456')).toEqual({
      id: 'iv_1', certified: true, name: '홍길동', phone: '01012345678', birthday: '1990-01-01', gender: 'female', foreigner: false,
      carrier: 'LGT_MVNO', certifiedAt: new Date('2026-03-01T03:00:00Z'), ci: null, di: 'di-1', merchantUid: null,
    });
    client.answer = { status: 'READY', id: 'iv_2', requestedCustomer: { name: '홍길동' } } as unknown as IdentityVerificationObject;
    expect(await provider.getCertification('iv_2')).toMatchObject({ id: 'iv_2', certified: false, ci: null, di: null });
    expect(provider.personKeys).toBe('ci_or_di');
  });

  it('names a window verification after its flow, and reads the flow back from the id (not from customData)', async () => {
    const client = new FakePortOne();
    const provider = new PortOneIdentityProvider(client, 'c');
    const id = provider.windowVerificationId('flow_abcdefghijklmnopqrstuvwx');
    expect(id).toBe('identity-verification-flow_abcdefghijklmnopqrstuvwx');
    client.answer = { ...VERIFIED, id, customData: 'flow_someone_else_0000000' } as unknown as IdentityVerificationObject;
    expect(await provider.getCertification(id)).toMatchObject({ id, certified: true, merchantUid: 'flow_abcdefghijklmnopqrstuvwx' });
    client.answer = { status: 'READY', id, requestedCustomer: {} } as unknown as IdentityVerificationObject;
    expect(await provider.getCertification(id)).toMatchObject({ certified: false, merchantUid: 'flow_abcdefghijklmnopqrstuvwx' });
    // an OTP send's id carries no flow: the merchant_uid is the send's customData
    client.answer = { ...VERIFIED, id: 'identity-verification-0b7e', customData: 'order-1' } as unknown as IdentityVerificationObject;
    expect((await provider.getCertification('identity-verification-0b7e')).merchantUid).toBe('order-1');
  });

  it.each([
    ['IdentityVerificationNotFoundError', new IdentityVerificationNotFoundError('confirm', 'IDENTITY_VERIFICATION_NOT_FOUND', undefined), 'not_found', undefined],
    ['IdentityVerificationNotSentError', new IdentityVerificationNotSentError('confirm', 'IDENTITY_VERIFICATION_NOT_SENT', undefined), 'not_found', undefined],
    ['IdentityVerificationAlreadyVerifiedError', new IdentityVerificationAlreadyVerifiedError('confirm', 'IDENTITY_VERIFICATION_ALREADY_VERIFIED', undefined), 'refused', 'already_confirmed'],
    ['PgProviderError (mismatch)', new PgProviderError('confirm', 'PG_PROVIDER', undefined, 'OTP_MISMATCH', '인증번호가 일치하지 않습니다.'), 'refused', 'mismatch'],
    ['PgProviderError (expired)', new PgProviderError('confirm', 'PG_PROVIDER', undefined, 'OTP_EXPIRED', '인증번호 입력 시간이 초과되었습니다.'), 'refused', 'expired'],
    ['UnauthorizedError', new UnauthorizedError('confirm', 'UNAUTHORIZED', undefined), 'failed', undefined],
    ['ChannelNotFoundError', new ChannelNotFoundError('confirm', 'CHANNEL_NOT_FOUND', undefined), 'failed', undefined],
  ])('maps %s', async (_name, error, kind, refusal) => {
    const client = new FakePortOne();
    client.failure = error;
    const thrown = await new PortOneIdentityProvider(client, 'c').confirmOtp('iv', '123456').catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(IdentityProviderError);
    expect(thrown).toMatchObject({ kind, detail: refusal ? { refusal } : {} });
  });

  it.each([
    [new PortOneTimeoutError('get', 5000), 'UPSTREAM_UNAVAILABLE', 'timeout'],
    [new PortOneNetworkError('get', 'ECONNREFUSED'), 'UPSTREAM_UNAVAILABLE', 'network'],
    [new PortOneCircuitOpenError('get', 1500), 'UPSTREAM_UNAVAILABLE', 'circuit_open'],
    [new UnauthorizedError('get', 'UNAUTHORIZED', undefined), 'UPSTREAM_ERROR', undefined],
  ])('the failure of %p is %s', async (error, code, reason) => {
    const client = new FakePortOne();
    client.failure = error;
    const thrown = (await new PortOneIdentityProvider(client, 'c').getCertification('iv').catch((e: unknown) => e)) as IdentityProviderError;
    expect(thrown.failure.code).toBe(code);
    if (reason) expect(thrown.failure.details).toMatchObject({ reason });
  });

  it('a send refused by the PG is a refusal (the flow answers 422 IDENTITY_REJECTED)', async () => {
    const client = new FakePortOne();
    client.failure = new PgProviderError('send', 'PG_PROVIDER', undefined, 'IDENTITY_MISMATCH', '본인인증 정보가 일치하지 않습니다.');
    const thrown = await new PortOneIdentityProvider(client, 'c')
      .requestOtp({ name: '홍길동', phone: '01012340000', birth: '900101', genderDigit: '1', carrier: 'SKT' })
      .catch((e: unknown) => e);
    expect(thrown).toMatchObject({ kind: 'refused', detail: { providerMessage: '본인인증 정보가 일치하지 않습니다.' } });
  });
});
