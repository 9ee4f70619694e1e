import { IsImpUid } from '../input/validators';

/** POST /certifications (the result of the popup flow). */
export class VerifyCertificationDto {
  @IsImpUid()
  imp_uid: string;
}
