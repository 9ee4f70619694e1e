import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type CertificationFlow = 'otp' | 'popup';

/**
 * Lifecycle of a verification here:
 * - `pending`: OTP sent upstream, waiting for the person's confirmation;
 * - `locked`: too many wrong OTPs (no more confirmations accepted);
 * - `expired`: the OTP window passed without a confirmation;
 * - `verified`: certified upstream and recorded here (a verification token was issued);
 * - `used`: consumed by a signup (a user row references it).
 * Erasure (admin or retention) keeps the row as a tombstone and sets `pii_erased_at`.
 */
export type CertificationStatus = 'pending' | 'locked' | 'expired' | 'verified' | 'used';

/**
 * One identity verification. Personal data is stored encrypted (`*_enc`, AES-256-GCM through
 * PiiCipher) and looked up through HMAC blind indexes (`*_bidx`). The birthday stays in clear
 * (the age policy and the masked admin view need it); it is erased with the rest.
 */
@Entity({ name: 'certifications' })
@Index('ix_certifications_created', ['createdAt', 'id'])
@Index('ix_certifications_status_created', ['status', 'createdAt', 'id'])
@Index('ix_certifications_phone_created', ['phoneBidx', 'createdAt', 'id'])
@Index('ix_certifications_ci', ['ciBidx'])
@Index('ix_certifications_di', ['diBidx'])
@Index('ix_certifications_provider_created', ['provider', 'createdAt', 'id'])
export class CertificationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_certifications_imp_uid', { unique: true })
  @Column({ name: 'imp_uid', type: 'varchar', length: 64 })
  impUid: string;

  @Column({ name: 'merchant_uid', type: 'varchar', length: 80, nullable: true })
  merchantUid: string | null;

  @Column({ type: 'varchar', length: 16 })
  flow: CertificationFlow;

  @Column({ type: 'varchar', length: 16 })
  status: CertificationStatus;

  @Column({ name: 'otp_attempts', type: 'int', default: 0 })
  otpAttempts: number;

  @Column({ name: 'otp_expires_at', type: 'timestamptz', nullable: true })
  otpExpiresAt: Date | null;

  @Column({ name: 'name_enc', type: 'text', nullable: true })
  nameEnc: string | null;

  @Column({ name: 'phone_enc', type: 'text', nullable: true })
  phoneEnc: string | null;

  @Column({ name: 'phone_bidx', type: 'char', length: 64, nullable: true })
  phoneBidx: string | null;

  @Column({ name: 'ci_enc', type: 'text', nullable: true })
  ciEnc: string | null;

  @Column({ name: 'ci_bidx', type: 'char', length: 64, nullable: true })
  ciBidx: string | null;

  @Column({ name: 'di_enc', type: 'text', nullable: true })
  diEnc: string | null;

  @Column({ name: 'di_bidx', type: 'char', length: 64, nullable: true })
  diBidx: string | null;

  /** The identity provider that verified it: `iamport` (V1) or `portone` (V2). */
  @Column({ type: 'varchar', length: 16, default: 'iamport' })
  provider: string;

  @Column({ type: 'date', nullable: true })
  birthday: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  gender: 'male' | 'female' | null;

  @Column({ type: 'boolean', nullable: true })
  foreigner: boolean | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  carrier: string | null;

  @Column({ name: 'certified_at', type: 'timestamptz', nullable: true })
  certifiedAt: Date | null;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @Column({ name: 'pii_erased_at', type: 'timestamptz', nullable: true })
  piiErasedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
