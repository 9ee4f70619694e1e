import { ApiProperty } from '@nestjs/swagger';
import { IsImpUid, IsOtp } from '../input/validators';

/** POST /certifications/otp/confirm/:imp_uid */
export class ConfirmOtpDto {
  @ApiProperty({ description: 'The 6-digit code of the SMS', pattern: '^[0-9]{6}$', example: '123456' })
  @IsOtp()
  otp: string;
}

/** The `:imp_uid` path parameter. */
export class ImpUidParams {
  @ApiProperty({
    description: 'The imp_uid answered by the OTP request (letters, digits, _ and -; at most 64)',
    pattern: '^[A-Za-z0-9_-]{1,64}$',
    example: 'imp_522754061483',
  })
  @IsImpUid()
  imp_uid: string;
}
