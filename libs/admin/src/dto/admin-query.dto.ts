import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmpty, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
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
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: 'Page size' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer between 1 and 100' })
  @Min(1, { message: 'limit must be an integer between 1 and 100' })
  @Max(MAX_PAGE_SIZE, { message: 'limit must be an integer between 1 and 100' })
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page (opaque)', maxLength: 256 })
  @IsOptional()
  @IsString({ message: 'cursor must be the next_cursor of the previous page' })
  @MinLength(1, { message: 'cursor must be the next_cursor of the previous page' })
  @MaxLength(256, { message: 'cursor must be the next_cursor of the previous page' })
  cursor?: string;
}

export class ListCertificationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CERTIFICATION_STATUSES, description: 'Only verifications in this status' })
  @IsOptional()
  @IsIn(CERTIFICATION_STATUSES, { message: `status must be one of ${CERTIFICATION_STATUSES.join(', ')}` })
  status?: CertificationStatus;

  @ApiPropertyOptional({ enum: CERTIFICATION_FLOWS, description: 'Only verifications of this flow' })
  @IsOptional()
  @IsIn(CERTIFICATION_FLOWS, { message: `flow must be one of ${CERTIFICATION_FLOWS.join(', ')}` })
  flow?: CertificationFlow;

  @ApiPropertyOptional({ enum: ['iamport', 'portone'], description: 'Only verifications of this identity provider' })
  @IsOptional()
  @IsIn(['iamport', 'portone'], { message: 'provider must be one of iamport, portone' })
  provider?: 'iamport' | 'portone';

  @ApiPropertyOptional({
    description: 'Created at or after: ISO 8601 with an offset, or a date (00:00 Asia/Seoul)',
    example: '2026-11-01T00:00:00+09:00',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date or date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'Created before (exclusive); same formats as `from`', example: '2026-12-01' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date or date-time' })
  to?: string;

  @ApiPropertyOptional({
    description: 'A mobile number in any usual spelling, matched through its blind index (never logged)',
    maxLength: 32,
    example: '010-1234-5678',
  })
  @IsOptional()
  @IsString({ message: 'phone must be a Korean mobile number' })
  @MaxLength(32, { message: 'phone must be a Korean mobile number' })
  phone?: string;
}

export class AuditLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only actions of this admin key id (or `system:retention`)', maxLength: 64, example: 'ops' })
  @IsOptional()
  @IsString({ message: 'key_id must be a key id' })
  @MaxLength(64, { message: 'key_id must be a key id' })
  key_id?: string;

  @ApiPropertyOptional({
    enum: ['certification.reveal', 'certification.erase', 'certification.retention_erase', 'user.ci_lookup', 'user.erase', 'user.export'],
    description: 'Only this action',
  })
  @IsOptional()
  @IsString({ message: 'action must be an audit action' })
  @MaxLength(40, { message: 'action must be an audit action' })
  action?: string;

  @ApiPropertyOptional({ description: 'Only actions on this imp_uid or user id', maxLength: 64 })
  @IsOptional()
  @IsString({ message: 'subject_id must be an imp_uid or a user id' })
  @MaxLength(64, { message: 'subject_id must be an imp_uid or a user id' })
  subject_id?: string;
}

export class RevealQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: '`true`: full name, phone (digits), CI and DI; needs the scope pii:reveal too, and is audited',
  })
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
  @ApiPropertyOptional({ description: 'The CI (base64, 88 characters; URL-encode `+`, `/` and `=`). Audited, also when nobody is found', maxLength: 200 })
  @ValidateIf((q: UserLookupQueryDto) => q.di === undefined)
  @IsString({ message: 'ci is required' })
  @MinLength(1, { message: 'ci is required' })
  @MaxLength(200, { message: 'ci must be at most 200 characters' })
  ci?: string;

  @ApiPropertyOptional({ description: 'Or the DI (merchant-scoped; PortOne V2 with Danal or KCP). Audited, also when nobody is found', maxLength: 200 })
  @IsOptional()
  @IsString({ message: 'di must be a string' })
  @MinLength(1, { message: 'di must not be empty' })
  @MaxLength(200, { message: 'di must be at most 200 characters' })
  di?: string;
}

export class ImpUidParamDto {
  @ApiProperty({ pattern: '^[A-Za-z0-9_-]{1,64}$', example: 'imp_070227554641' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'imp_uid must be an i\'mport imp_uid' })
  imp_uid: string;
}

export class UserIdParamDto {
  @ApiProperty({ format: 'uuid', example: '6a81872a-0b14-43ed-a1be-b99600021d3b' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}
