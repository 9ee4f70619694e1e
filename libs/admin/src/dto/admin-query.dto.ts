import { Type } from 'class-transformer';
import { IsEmpty, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { CertificationFlow, CertificationStatus } from '@app/certification';

/**
 * Query and path parameters of the admin routes. The global ValidationPipe rejects unknown
 * parameters and answers 400 VALIDATION_FAILED naming the field; messages never echo values.
 */

export const CERTIFICATION_STATUSES: readonly CertificationStatus[] = ['pending', 'locked', 'expired', 'verified', 'used'];
export const CERTIFICATION_FLOWS: readonly CertificationFlow[] = ['otp', 'popup'];
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

class PageQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer between 1 and 100' })
  @Min(1, { message: 'limit must be an integer between 1 and 100' })
  @Max(MAX_PAGE_SIZE, { message: 'limit must be an integer between 1 and 100' })
  limit?: number;

  @IsOptional()
  @IsString({ message: 'cursor must be the next_cursor of the previous page' })
  @MinLength(1, { message: 'cursor must be the next_cursor of the previous page' })
  @MaxLength(256, { message: 'cursor must be the next_cursor of the previous page' })
  cursor?: string;
}

export class ListCertificationsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(CERTIFICATION_STATUSES, { message: `status must be one of ${CERTIFICATION_STATUSES.join(', ')}` })
  status?: CertificationStatus;

  @IsOptional()
  @IsIn(CERTIFICATION_FLOWS, { message: `flow must be one of ${CERTIFICATION_FLOWS.join(', ')}` })
  flow?: CertificationFlow;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or date-time' })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or date-time' })
  to?: string;

  @IsOptional()
  @IsString({ message: 'phone must be a Korean mobile number' })
  @MaxLength(32, { message: 'phone must be a Korean mobile number' })
  phone?: string;
}

export class AuditLogQueryDto extends PageQueryDto {
  @IsOptional()
  @IsString({ message: 'key_id must be a key id' })
  @MaxLength(64, { message: 'key_id must be a key id' })
  key_id?: string;

  @IsOptional()
  @IsString({ message: 'action must be an audit action' })
  @MaxLength(40, { message: 'action must be an audit action' })
  action?: string;

  @IsOptional()
  @IsString({ message: 'subject_id must be an imp_uid or a user id' })
  @MaxLength(64, { message: 'subject_id must be an imp_uid or a user id' })
  subject_id?: string;
}

export class RevealQueryDto {
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'reveal must be true or false' })
  reveal?: 'true' | 'false';
}

/**
 * Routes that take no query parameters: any parameter is an unknown field (forbidNonWhitelisted).
 * The one decorated placeholder exists because the pipe's `forbidUnknownValues` refuses a class
 * without any validation metadata.
 */
export class NoQueryDto {
  @IsOptional()
  @IsEmpty({ message: 'this route takes no query parameters' })
  readonly __none?: never;
}

export class UserLookupQueryDto {
  @IsString({ message: 'ci is required' })
  @MinLength(1, { message: 'ci is required' })
  @MaxLength(200, { message: 'ci must be at most 200 characters' })
  ci: string;
}

export class ImpUidParamDto {
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'imp_uid must be an i\'mport imp_uid' })
  imp_uid: string;
}

export class UserIdParamDto {
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}
