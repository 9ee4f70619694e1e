import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, ValidateBy } from 'class-validator';
import { IsVerificationToken } from '@app/certification';

/** POST /users */
export class CreateUserDto {
  @ApiProperty({
    description: 'The `verification_token` of a confirmed verification (single use, valid 30 minutes by default)',
    pattern: '^[A-Za-z0-9_-]{43}$',
    example: '8w9UXL-Yp-gaWom8PKUDvrG0bJg3xuke6Ns6tz0Ll1M',
  })
  @IsVerificationToken()
  verification_token: string;

  @ApiPropertyOptional({ description: 'Display name: 1-40 characters, not blank, no control characters', maxLength: 40, example: '길동' })
  @IsOptional()
  @ValidateBy({
    name: 'isNickname',
    validator: {
      validate: (value: unknown) => normalizeNickname(value) !== null,
      defaultMessage: () => 'nickname must be 1-40 characters, not blank, without control characters',
    },
  })
  nickname?: string;

  @ApiPropertyOptional({ description: 'Consent to marketing messages', default: false, example: false })
  @IsOptional()
  @IsBoolean({ message: 'marketing_opt_in must be a boolean' })
  marketing_opt_in?: boolean;
}

/**
 * A nickname: NFC, trimmed, 1-40 characters (code points, as the varchar(40) column counts
 * them), no control or format characters; else null.
 */
export function normalizeNickname(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.normalize('NFC').trim();
  const length = Array.from(text).length;
  if (length < 1 || length > 40 || /[\p{Cc}\p{Cf}]/u.test(text)) return null;
  return text;
}
