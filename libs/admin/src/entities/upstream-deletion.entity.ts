import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** `account`: an account erasure (UserService.erase, DELETE /admin/users/:id). */
export type UpstreamDeletionReason = 'admin' | 'retention' | 'account';

/**
 * Outbox of upstream erasures, written in the transaction that erases here so the upstream DELETE
 * cannot be forgotten. Identifiers and error classes only, no personal data.
 */
@Entity({ name: 'upstream_deletions' })
@Index('ix_upstream_deletions_due', ['nextAttemptAt'], { where: 'completed_at IS NULL' })
export class UpstreamDeletionEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Index('uq_upstream_deletions_imp_uid', { unique: true })
  @Column({ name: 'imp_uid', type: 'varchar', length: 64 })
  impUid: string;

  @Column({ type: 'varchar', length: 16 })
  reason: UpstreamDeletionReason;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** Due time; while an attempt runs, the end of its lease. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null;

  /** Error class and HTTP status of the last failure, e.g. `IamportApiError HTTP 503`. */
  @Column({ name: 'last_error', type: 'varchar', length: 200, nullable: true })
  lastError: string | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
