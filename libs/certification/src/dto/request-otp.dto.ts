import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsBirthForm, IsCarrier, IsGenderDigit, IsKoreanMobile, IsPersonName } from '../input/validators';

/** POST /certifications/otp/request. Checks of one field each; birth vs gender_digit in the service. */
export class RequestOtpDto {
  @IsPersonName()
  name: string;

  @IsKoreanMobile()
  phone: string;

  @IsBirthForm()
  birth: string;

  @IsGenderDigit()
  gender_digit: string | number;

  @IsCarrier()
  carrier: string;

  @IsOptional()
  @IsBoolean({ message: 'is_mvno must be a boolean' })
  is_mvno?: boolean;

  @IsOptional()
  @IsString({ message: 'company must be a string' })
  @Length(1, 50, { message: 'company must be 1-50 characters' })
  @Matches(/^[^\p{Cc}]*$/u, { message: 'company must not contain control characters' })
  company?: string;

  @IsOptional()
  @IsString({ message: 'merchant_uid must be a string' })
  @Length(1, 80, { message: 'merchant_uid must be 1-80 characters' })
  @Matches(/^[^\p{Cc}]*$/u, { message: 'merchant_uid must not contain control characters' })
  merchant_uid?: string;
}
