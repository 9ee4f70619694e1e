import {
  IamportApiError,
  IamportAuthError,
  IamportCircuitOpenError,
  IamportNetworkError,
  IamportTimeoutError,
} from '@app/iamport';
import { UpstreamError, UpstreamUnavailableError } from './certification.errors';
import { classifyConfirmRejection, isUpstreamStatus, mapUpstreamError, UPSTREAM_RETRY_AFTER_SECONDS } from './upstream-errors';

describe('mapUpstreamError', () => {
  it('maps 5xx and non-zero codes to 502 UPSTREAM_ERROR keeping the upstream status, code and message', () => {
    const mapped = mapUpstreamError(
      new IamportApiError({ operation: 'requestOtp', httpStatus: 500, upstreamCode: -1, upstreamMessage: '다날서버 오류' }),
    ) as UpstreamError;
    expect(mapped).toBeInstanceOf(UpstreamError);
    expect(mapped.status).toBe(502);
    expect(mapped.code).toBe('UPSTREAM_ERROR');
    expect(mapped.details).toEqual({ upstream_status: 500, upstream_code: -1, upstream_message: '다날서버 오류' });

    const nonZero = mapUpstreamError(new IamportApiError({ operation: 'confirmOtp', httpStatus: 200, upstreamCode: 1 })) as UpstreamError;
    expect(nonZero.details).toEqual({ upstream_status: 200, upstream_code: 1 });
  });

  it('maps refused credentials to 502 without details of the credentials', () => {
    const mapped = mapUpstreamError(new IamportAuthError({ operation: 'requestOtp', httpStatus: 401, upstreamMessage: 'x' })) as UpstreamError;
    expect(mapped.status).toBe(502);
    expect(mapped.details).toEqual({ upstream_status: 401 });
  });

  it('maps timeouts, network errors and an open breaker to 503 UPSTREAM_UNAVAILABLE with Retry-After', () => {
    const timeout = mapUpstreamError(new IamportTimeoutError({ operation: 'requestOtp', timeoutMs: 5000 })) as UpstreamUnavailableError;
    expect(timeout).toBeInstanceOf(UpstreamUnavailableError);
    expect(timeout.status).toBe(503);
    expect(timeout.retryAfterSeconds).toBe(UPSTREAM_RETRY_AFTER_SECONDS);
    expect(timeout.details).toEqual({ reason: 'timeout' });

    const network = mapUpstreamError(new IamportNetworkError({ operation: 'confirmOtp', errorCode: 'ECONNRESET' })) as UpstreamUnavailableError;
    expect(network.details).toEqual({ reason: 'network' });

    const open = mapUpstreamError(new IamportCircuitOpenError({ operation: 'getCertification', retryAfterMs: 7200 })) as UpstreamUnavailableError;
    expect(open.retryAfterSeconds).toBe(8);
    expect(open.details).toEqual({ reason: 'circuit_open' });
    const soon = mapUpstreamError(new IamportCircuitOpenError({ operation: 'getCertification', retryAfterMs: 10 })) as UpstreamUnavailableError;
    expect(soon.retryAfterSeconds).toBe(1);
  });

  it('passes anything else through unchanged', () => {
    const error = new Error('db down');
    expect(mapUpstreamError(error)).toBe(error);
    expect(mapUpstreamError('x')).toBe('x');
  });
});

describe('isUpstreamStatus', () => {
  it('matches an upstream error answer by HTTP status only', () => {
    expect(isUpstreamStatus(new IamportApiError({ operation: 'confirmOtp', httpStatus: 400, upstreamCode: -1 }), 400)).toBe(true);
    expect(isUpstreamStatus(new IamportApiError({ operation: 'confirmOtp', httpStatus: 404 }), 400)).toBe(false);
    expect(isUpstreamStatus(new IamportTimeoutError({ operation: 'confirmOtp', timeoutMs: 1 }), 400)).toBe(false);
    expect(isUpstreamStatus(new Error('x'), 400)).toBe(false);
  });
});

describe('classifyConfirmRejection', () => {
  it.each([
    ['인증번호 입력 시간이 초과되었습니다. 본인인증을 다시 요청해주세요.', 'expired'],
    ['인증번호가 만료되었습니다.', 'expired'],
    ['OTP has expired', 'expired'],
    ['인증번호가 일치하지 않습니다.', 'mismatch'],
    ['OTP does not match', 'mismatch'],
    ['이미 인증이 완료된 건입니다.', 'already_confirmed'],
    ['OTP 본인인증 요청건이 아닙니다.', 'unknown'],
    ['인증번호(otp)가 누락되었습니다.', 'unknown'],
    ['', 'unknown'],
    [undefined, 'unknown'],
  ])('%s -> %s', (message, kind) => {
    expect(classifyConfirmRejection(message)).toBe(kind);
  });
});
