/**
 * The sandbox's error messages, worded after the upstream's OpenAPI descriptions (docs/upstream.md).
 * They name fields, never a value the caller sent.
 */
export const MESSAGES = {
  // authentication
  invalidCredentials: 'imp_key, imp_secret 인증에 실패하였습니다.',
  invalidToken: '인증 Token이 전달되지 않았거나 유효하지 않습니다.',
  expiredToken: '인증 Token이 만료되었습니다. 새로운 access_token을 발급받아주세요.',

  // requests
  badJson: '요청 본문(JSON) 형식이 올바르지 않습니다.',
  badBody: '요청 본문은 JSON 객체 또는 form 형식이어야 합니다.',
  bodyTooLarge: '요청 본문이 너무 큽니다.',
  notFoundPath: '요청하신 API를 찾을 수 없습니다.',

  // OTP request: missing fields
  missingName: '본인인증 대상자 성명(name)이 누락되었습니다.',
  missingPhone: '본인인증 대상자 휴대폰번호(phone)가 누락되었습니다.',
  missingBirth: '본인인증 대상자 생년월일(birth)이 누락되었습니다.',
  missingGenderDigit: '본인인증 대상자 성별구분코드(gender_digit)가 누락되었습니다.',
  missingCarrier: '본인인증 대상자 통신사구분코드(carrier)가 누락되었습니다.',
  // OTP request: invalid fields
  invalidName: '본인인증 대상자 성명(name)이 올바르지 않습니다.',
  invalidPhone: '휴대폰번호(phone) 형식이 올바르지 않습니다.',
  invalidBirth: '생년월일(birth) 형식이 올바르지 않습니다.',
  invalidGenderDigit: '성별구분코드(gender_digit)가 올바르지 않습니다.',
  birthGenderMismatch: '생년월일(birth)과 성별구분코드(gender_digit)가 일치하지 않습니다.',
  invalidCarrier: '통신사구분코드(carrier)가 올바르지 않습니다. (SKT, KT, LGT)',
  invalidMvno: '알뜰폰 사용 여부(is_mvno)가 올바르지 않습니다.',
  invalidMerchantUid: '주문번호(merchant_uid)가 올바르지 않습니다.',
  invalidPg: '지원하지 않는 PG사 구분코드(pg)입니다.',
  // the carrier refused the person (sandbox rule: phone number ending in 0000)
  carrierRejected: '본인인증 대상자 정보가 올바르지 않습니다.',

  // OTP confirm
  missingOtp: '인증번호(otp)가 누락되었습니다.',
  alreadyCertified: '이미 인증이 완료된 건입니다.',
  notOtpCertification: 'OTP 본인인증 요청건이 아닙니다.',
  otpMismatch: '인증번호가 일치하지 않습니다.',
  otpExpired: '인증번호 입력 시간이 초과되었습니다. 본인인증을 다시 요청해주세요.',
  otpRequestNotFound: 'imp_uid에 해당되는 본인인증 요청건이 없습니다.',

  // certification lookup / erasure
  certificationNotFound: '본인인증결과를 찾을 수 없습니다.',

  // injected faults (control path /__sandbox/faults)
  faultServerError: '처리 중 다날서버 응답오류 등 오류가 발생하였습니다.',
  faultTooManyRequests: '요청이 너무 많습니다. 잠시 후 다시 시도해주세요.',
  faultBadRequest: '잘못된 요청입니다.',
  faultGeneric: '처리 중 오류가 발생하였습니다.',

  // the certification window (browser SDK emulation)
  windowCancelled: '사용자가 본인인증을 취소하였습니다.',
  windowMinAge: '본인인증 허용 최소 나이(min_age) 미만입니다.',
  windowMissingMerchantUid: '주문번호(merchant_uid)가 누락되었습니다.',
  windowMissingRedirectUrl: 'popup: false 사용 시 m_redirect_url은 필수입니다.',
  windowMissingIdentityVerificationId: 'identityVerificationId가 누락되었습니다.',
  windowMissingStoreId: 'storeId가 누락되었거나 올바르지 않습니다.',
  windowChannelNotFound: '요청된 채널이 존재하지 않습니다.',
  windowAlreadyVerified: '이미 본인인증이 완료된 identityVerificationId입니다.',
  windowMinAgeV2: '본인인증 허용 최소 나이(AGELIMIT) 미만입니다.',
  windowMissingRedirectUrlV2: 'windowType REDIRECTION 사용 시 redirectUrl은 필수입니다.',
  windowUnsupportedType: '샌드박스는 windowType POPUP과 REDIRECTION만 지원합니다.',
  windowSessionNotFound: '본인인증 창의 세션이 없거나 만료되었습니다.',

  // control paths
  controlInvalid: '샌드박스 제어 요청이 올바르지 않습니다.',
} as const;

export type MessageKey = keyof typeof MESSAGES;
