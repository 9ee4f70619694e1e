import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AdminUserView } from '../admin-users.service';
import type { AuditLogView } from '../audit-log.service';
import type { CertificationDetail, CertificationListItem } from '../views';
import { CERTIFICATION_FLOWS, CERTIFICATION_STATUSES } from './admin-query.dto';

/**
 * OpenAPI schemas of the admin answers (documentation only: the services return plain objects
 * of these shapes). The examples are fake data.
 */

export class CertificationListItemResponse implements CertificationListItem {
  @ApiProperty({ example: 'imp_070227554641' })
  imp_uid: string;

  @ApiProperty({ enum: CERTIFICATION_FLOWS, example: 'otp' })
  flow: CertificationListItem['flow'];

  @ApiProperty({ enum: CERTIFICATION_STATUSES, example: 'verified' })
  status: CertificationListItem['status'];

  @ApiProperty({ enum: ['iamport', 'portone'], description: "The identity provider: i'mport / PortOne V1 or PortOne V2", example: 'iamport' })
  provider: string;

  @ApiProperty({ type: String, nullable: true, description: 'Masked (full with `?reveal=true`); null once erased', example: '홍*동' })
  name: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Masked (digits with `?reveal=true`); null once erased', example: '010-****-5678' })
  phone: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date', example: '1990-01-01' })
  birthday: string | null;

  @ApiProperty({ enum: ['male', 'female'], nullable: true, example: 'male' })
  gender: 'male' | 'female' | null;

  @ApiProperty({ type: Boolean, nullable: true, example: false })
  foreigner: boolean | null;

  @ApiProperty({ type: String, nullable: true, description: 'SKT, KT, LGT or *_MVNO', example: 'SKT' })
  carrier: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T06:42:00.518Z' })
  created_at: string;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: '2026-11-23T06:42:00.000Z' })
  certified_at: string | null;

  @ApiProperty({ description: 'Consumed by a signup', example: false })
  used: boolean;

  @ApiProperty({ description: 'Its personal data was erased (tombstone)', example: false })
  erased: boolean;
}

export class CertificationPageResponse {
  @ApiProperty({ type: [CertificationListItemResponse] })
  items: CertificationListItemResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
    example: 'eyJ2IjoxLCJrIjoiYyIsInQiOiIyMDI2LTExLTIzVDA2OjQyOjAwLjUxODEyM1oiLCJpIjoiLi4uIn0',
  })
  next_cursor: string | null;
}

export class UpstreamDeletionStateResponse {
  @ApiProperty({ enum: ['pending', 'done'], example: 'done' })
  status: 'pending' | 'done';

  @ApiProperty({ type: 'integer', example: 1 })
  attempts: number;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  next_attempt_at: string | null;
}

export class CertificationDetailResponse extends CertificationListItemResponse implements CertificationDetail {
  @ApiProperty({ type: String, nullable: true, example: 'signup-20261123-0001' })
  merchant_uid: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T06:42:01.204Z' })
  updated_at: string;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  used_at: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  erased_at: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The account made with it, if any', example: null })
  user_id: string | null;

  @ApiProperty({
    type: () => UpstreamDeletionStateResponse,
    nullable: true,
    description: "State of the erasure at i'mport after a DELETE (null before, and always for PortOne V2, which has no deletion)",
  })
  upstream_deletion: UpstreamDeletionStateResponse | null;

  @ApiProperty({ description: 'true with `?reveal=true`: full name, phone, CI and DI are shown', example: false })
  revealed: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'CI (only with `?reveal=true`)' })
  ci?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'DI (only with `?reveal=true`)' })
  di?: string | null;
}

export class AdminUserCertificationResponse {
  @ApiProperty({ example: 'imp_070227554641' })
  imp_uid: string;

  @ApiProperty({ enum: CERTIFICATION_FLOWS, example: 'otp' })
  flow: string;

  @ApiProperty({ enum: CERTIFICATION_STATUSES, example: 'used' })
  status: string;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: '2026-11-23T06:42:00.000Z' })
  certified_at: string | null;

  @ApiProperty({ example: false })
  erased: boolean;
}

export class AdminUserResponse implements AdminUserView {
  @ApiProperty({ format: 'uuid', example: '6a81872a-0b14-43ed-a1be-b99600021d3b' })
  id: string;

  @ApiProperty({ enum: ['iamport', 'portone'], description: 'The identity provider of the verification the account was made with', example: 'iamport' })
  provider: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T06:43:10.120Z' })
  created_at: string;

  @ApiProperty({ type: String, nullable: true, description: 'Masked', example: '홍*동' })
  name: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Masked', example: '010-****-5678' })
  phone: string | null;

  @ApiProperty({ format: 'date', example: '1990-01-01' })
  birthday: string;

  @ApiProperty({ enum: ['male', 'female'], nullable: true, example: 'male' })
  gender: 'male' | 'female' | null;

  @ApiProperty({ example: false })
  foreigner: boolean;

  @ApiProperty({ type: String, nullable: true, example: '길동' })
  nickname: string | null;

  @ApiProperty({ example: false })
  marketing_opt_in: boolean;

  @ApiProperty({ type: () => AdminUserCertificationResponse, nullable: true, description: 'The verification the account was made with' })
  certification: AdminUserCertificationResponse | null;
}

export class AuditLogEntryResponse implements AuditLogView {
  @ApiProperty({ example: '42' })
  id: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T06:45:12.345Z' })
  occurred_at: string;

  @ApiProperty({ description: 'The admin key id, or `system:retention`', example: 'ops' })
  key_id: string;

  @ApiProperty({
    enum: ['certification.reveal', 'certification.erase', 'certification.retention_erase', 'user.ci_lookup'],
    example: 'certification.reveal',
  })
  action: string;

  @ApiProperty({ enum: ['certification', 'user'], example: 'certification' })
  subject_type: string;

  @ApiProperty({ type: String, nullable: true, description: 'imp_uid or user id', example: 'imp_070227554641' })
  subject_id: string | null;

  @ApiProperty({ enum: ['ok', 'not_found', 'already_erased'], example: 'ok' })
  result: string;

  @ApiProperty({ type: String, nullable: true, example: '10.0.0.8' })
  client_ip: string | null;

  @ApiProperty({ type: String, nullable: true, example: '3c8d19ec-d565-4d49-a7bf-a9d47f5b708f' })
  request_id: string | null;
}

export class AuditLogPageResponse {
  @ApiProperty({ type: [AuditLogEntryResponse] })
  items: AuditLogEntryResponse[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' })
  next_cursor: string | null;
}
