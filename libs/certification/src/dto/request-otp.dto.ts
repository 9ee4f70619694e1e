import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsBirthForm, IsCarrier, IsGenderDigit, IsKoreanMobile, IsPersonName } from '../input/validators';

/**
 * POST /certifications/otp/request. Checks of one field each; birth vs gender_digit in the service.
 * No `company`: the SMS's service name is the operator's configuration, never the caller's text.
 */
export class RequestOtpDto {
  @ApiProperty({
    description: 'Full name as the carrier knows it: 1-50 Hangul or Latin letters, spaces or middle dots',
    maxLength: 50,
    example: '홍길동',
  })
  @IsPersonName()
  name: string;

  @ApiProperty({
    description: 'Korean mobile number; separators and a +82 prefix are allowed (normalized to digits)',
    example: '01012345678',
  })
  @IsKoreanMobile()
  phone: string;

  @ApiProperty({
    description: 'Birth date as YYYYMMDD or YYMMDD, separators allowed; a real past date whose century agrees with gender_digit',
    example: '19900101',
  })
  @IsBirthForm()
  birth: string;

  @ApiProperty({
    oneOf: [
      { type: 'string', enum: ['1', '2', '3', '4', '5', '6', '7', '8'] },
      { type: 'integer', minimum: 1, maximum: 8 },
    ],
    description:
      'First digit of the back half of the resident registration number: 1,2,5,6 born in the 1900s, 3,4,7,8 in the 2000s ' +
      '(odd male, even female; 5-8 foreigners)',
    example: '1',
  })
  @IsGenderDigit()
  gender_digit: string | number;

  @ApiProperty({ enum: ['SKT', 'KT', 'LGT'], description: 'Carrier of the phone (budget carriers: the host network plus is_mvno)', example: 'SKT' })
  @IsCarrier()
  carrier: string;

  @ApiPropertyOptional({ description: 'The phone is on a budget carrier (알뜰폰) of `carrier`', default: false, example: false })
  @IsOptional()
  @IsBoolean({ message: 'is_mvno must be a boolean' })
  is_mvno?: boolean;

  @ApiPropertyOptional({
    description: "Your own reference for this verification, passed to i'mport as merchant_uid",
    minLength: 1,
    maxLength: 80,
    example: 'signup-20261123-0001',
  })
  @IsOptional()
  @IsString({ message: 'merchant_uid must be a string' })
  @Length(1, 80, { message: 'merchant_uid must be 1-80 characters' })
  @Matches(/^[^\p{Cc}]*$/u, { message: 'merchant_uid must not contain control characters' })
  merchant_uid?: string;
}
