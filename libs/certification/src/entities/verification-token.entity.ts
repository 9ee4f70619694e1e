import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A single-use, short-lived capability to sign up with one verification. Only the SHA-256 of
 * the random token is stored; the token itself is shown once, to the verified person.
 */
@Entity({ name: 'verification_tokens' })
export class VerificationTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('ix_verification_tokens_certification')
  @Column({ name: 'certification_id', type: 'uuid' })
  certificationId: string;

  @Index('uq_verification_tokens_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
