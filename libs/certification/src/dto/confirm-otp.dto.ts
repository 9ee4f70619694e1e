import { IsImpUid, IsOtp } from '../input/validators';

/** POST /certifications/otp/confirm/:imp_uid */
export class ConfirmOtpDto {
  @IsOtp()
  otp: string;
}

/** The `:imp_uid` path parameter. */
export class ImpUidParams {
  @IsImpUid()
  imp_uid: string;
}
