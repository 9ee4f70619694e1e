import {
  IamportApiError,
  IamportTimeoutError,
  type IamportCertification,
  type IamportOtpRequest,
} from '@app/iamport';
import { UpstreamError, UpstreamUnavailableError } from '../certification.errors';
import { IamportIdentityProvider, type IamportCalls } from './iamport.provider';
import { IdentityProviderError } from './identity-provider';

const CERTIFICATION: IamportCertification = {
  imp_uid: 'imp_1', merchant_uid: 'm_1', pg_tid: null, pg_provider: 'danal', name: '홍길동', gender: 'male', birthday: '1990-01-01',
  foreigner: false, foreigner_v2: null, phone: '01012345678', carrier: 'SKT', certified: true, certified_at: 1_772_330_000,
  unique_key: 'ci', unique_in_site: 'di', origin: null,
};

/** Answers from a queue: a certification, or an error to throw. */
class FakeIamport implements IamportCalls {
  readonly requests: IamportOtpRequest[] = [];
  next: Array<IamportCertification | Error> = [];

  async requestOtp(input: IamportOtpRequest) {
    this.requests.push(input);
    this.answer();
    return { imp_uid: 'imp_new' };
  }
  async confirmOtp() {
    return this.answer();
  }
  async getCertification() {
    return this.answer();
  }
  async deleteCertification() {
    this.answer();
  }
  private answer(): IamportCertification {
    const value = this.next.shift() ?? CERTIFICATION;
    if (value instanceof Error) throw value;
    return value;
  }
}

async function failure(run: () => Promise<unknown>): Promise<IdentityProviderError> {
  const error = await run().then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(IdentityProviderError);
  return error as IdentityProviderError;
}

describe('IamportIdentityProvider', () => {
  it("sends an OTP request in i'mport's field names", async () => {
    const client = new FakeIamport();
    const provider = new IamportIdentityProvider(client);
    const answer = await provider.requestOtp({ name: '홍길동', phone: '01012345678', birth: '900101', genderDigit: '1', carrier: 'SKT', isMvno: true, company: 'Shop' });
    expect(answer).toEqual({ id: 'imp_new' });
    expect(client.requests[0]).toEqual({
      name: '홍길동', phone: '01012345678', birth: '900101', gender_digit: '1', carrier: 'SKT', is_mvno: true, company: 'Shop', merchant_uid: undefined,
    });
  });

  it('answers a certification in provider-neutral fields', async () => {
    const provider = new IamportIdentityProvider(new FakeIamport());
    expect(await provider.getCertification('imp_1')).toEqual({
      id: 'imp_1', certified: true, name: '홍길동', phone: '01012345678', birthday: '1990-01-01', gender: 'male', foreigner: false,
      carrier: 'SKT', certifiedAt: new Date(1_772_330_000_000), ci: 'ci', di: 'di', merchantUid: 'm_1',
    });
    const client = new FakeIamport();
    client.next = [{ ...CERTIFICATION, certified_at: 0, merchant_uid: null }];
    expect(await new IamportIdentityProvider(client).getCertification('imp_1')).toMatchObject({ certifiedAt: null, merchantUid: null });
  });

  it('maps a 400 to refused, with the reason read from the message', async () => {
    const client = new FakeIamport();
    const provider = new IamportIdentityProvider(client);
    client.next = [new IamportApiError({ operation: 'confirmOtp', httpStatus: 400, upstreamCode: 1, upstreamMessage: '인증번호가 일치하지 않습니다.' })];
    const mismatch = await failure(() => provider.confirmOtp('imp_1', '000000'));
    expect(mismatch).toMatchObject({ kind: 'refused', operation: 'confirmOtp', detail: { refusal: 'mismatch', providerMessage: '인증번호가 일치하지 않습니다.' } });
    client.next = [new IamportApiError({ operation: 'confirmOtp', httpStatus: 400, upstreamCode: 1, upstreamMessage: '이미 인증이 완료된 건입니다.' })];
    expect((await failure(() => provider.confirmOtp('imp_1', '000000'))).detail.refusal).toBe('already_confirmed');
  });

  it('maps a 404 to not_found and the rest to failed, with the 502/503 to answer', async () => {
    const client = new FakeIamport();
    const provider = new IamportIdentityProvider(client);
    client.next = [new IamportApiError({ operation: 'getCertification', httpStatus: 404, upstreamCode: 1 })];
    expect((await failure(() => provider.getCertification('imp_x'))).kind).toBe('not_found');

    client.next = [new IamportApiError({ operation: 'getCertification', httpStatus: 500, upstreamCode: -1 })];
    const fivexx = await failure(() => provider.getCertification('imp_x'));
    expect(fivexx).toMatchObject({ kind: 'failed', detail: { retryable: true, cause: 'IamportApiError (HTTP 500)' } });
    expect(fivexx.failure).toBeInstanceOf(UpstreamError);

    client.next = [new IamportTimeoutError({ operation: 'deleteCertification', timeoutMs: 5000 })];
    const timeout = await failure(() => provider.deleteCertification('imp_x'));
    expect(timeout.failure).toBeInstanceOf(UpstreamUnavailableError);
    expect(timeout.detail.cause).toBe('IamportTimeoutError');
  });

  it('passes anything that is not an IamportError through', async () => {
    const client = new FakeIamport();
    const bug = new TypeError('bug');
    client.next = [bug];
    await expect(new IamportIdentityProvider(client).confirmOtp('imp_1', '123456')).rejects.toBe(bug);
  });
});
