import { ApiProperty } from '@nestjs/swagger';
import { IsImpUid } from '../input/validators';

/** POST /certifications (the result of the popup flow). */
export class VerifyCertificationDto {
  @ApiProperty({
    description: "The imp_uid the i'mport popup (IMP.certification) or the redirect success page handed to the front end",
    pattern: '^[A-Za-z0-9_-]{1,64}$',
    example: 'imp_707020278258',
  })
  @IsImpUid()
  imp_uid: string;
}
