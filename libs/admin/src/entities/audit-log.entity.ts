import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What was done. */
export type AuditAction =
  /** `GET /admin/certifications/:imp_uid?reveal=true`: full personal data shown. */
  | 'certification.reveal'
  /** `DELETE /admin/certifications/:imp_uid` (also when it was erased already). */
  | 'certification.erase'
  /** The retention job erased an unused verification (key id `system:retention`). */
  | 'certification.retention_erase'
  /** `GET /admin/users?ci=`: a person looked up by CI (also when nobody was found). */
  | 'user.ci_lookup'
  /** An account erased (`DELETE /admin/users/:id`, or the person's own withdrawal: key id `user:self`). */
  | 'user.erase'
  /** `GET /admin/users/:id/export`: everything held about the person, decrypted. */
  | 'user.export'
  /** `GET /admin/certifications?phone=`: one row per verification found, or one `not_found`. */
  | 'certification.phone_search'
  /** `GET /admin/audit-log`: the audit log read (subject: the `subject_id` filter, if any). */
  | 'audit.read';

export type AuditSubjectType = 'certification' | 'user' | 'audit';

/** `ok`; `not_found` (a CI or phone lookup that found nobody); `already_erased` (a repeated erasure). */
export type AuditResult = 'ok' | 'not_found' | 'already_erased';

/**
 * One audited admin action, written in the same transaction as the read or erasure it
 * records. It holds identifiers only (key id, imp_uid or user id, client IP, request id),
 * never personal data: a CI lookup records the user found, not the CI.
 */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_occurred', ['occurredAt', 'id'])
@Index('ix_audit_log_subject', ['subjectId', 'occurredAt', 'id'])
@Index('ix_audit_log_key', ['keyId', 'occurredAt', 'id'])
export class AuditLogEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  /** The admin key id, or `system:retention`. */
  @Column({ name: 'key_id', type: 'varchar', length: 64 })
  keyId: string;

  @Column({ type: 'varchar', length: 40 })
  action: AuditAction;

  @Column({ name: 'subject_type', type: 'varchar', length: 16 })
  subjectType: AuditSubjectType;

  /** imp_uid of a certification, or a user's id; null for a CI lookup that found nobody. */
  @Column({ name: 'subject_id', type: 'varchar', length: 64, nullable: true })
  subjectId: string | null;

  @Column({ type: 'varchar', length: 16 })
  result: AuditResult;

  @Column({ name: 'client_ip', type: 'inet', nullable: true })
  clientIp: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;
}
