import { IsBoolean, IsOptional, ValidateBy } from 'class-validator';
import { IsVerificationToken } from '@app/certification';

/** POST /users */
export class CreateUserDto {
  @IsVerificationToken()
  verification_token: string;

  @IsOptional()
  @ValidateBy({
    name: 'isNickname',
    validator: {
      validate: (value: unknown) => normalizeNickname(value) !== null,
      defaultMessage: () => 'nickname must be 1-40 characters, not blank, without control characters',
    },
  })
  nickname?: string;

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
