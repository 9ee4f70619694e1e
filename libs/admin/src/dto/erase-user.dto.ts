import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** DELETE /admin/users/:id */
export class EraseUserDto {
  @ApiProperty({
    description: 'Why the account is erased, kept in its tombstone (no personal data here): e.g. `withdrawal`, `ticket-1234`',
    minLength: 1,
    maxLength: 200,
    example: 'withdrawal',
  })
  @IsString({ message: 'reason must be 1-200 characters' })
  @MinLength(1, { message: 'reason must be 1-200 characters' })
  @MaxLength(200, { message: 'reason must be 1-200 characters' })
  @Matches(/^[^\p{Cc}]*\S[^\p{Cc}]*$/u, { message: 'reason must be 1-200 characters' })
  reason: string;
}
