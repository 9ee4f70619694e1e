import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A person's account. `ci_bidx` and `di_bidx` (HMAC blind indexes of the CI and the DI) are each
 * UNIQUE where present, and one of them is: those indexes, not an application check, decide "one
 * account per person", inside the statement that marks the verification used.
 */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_users_ci_bidx', { unique: true, where: 'ci_bidx IS NOT NULL' })
  @Column({ name: 'ci_bidx', type: 'char', length: 64, nullable: true })
  ciBidx: string | null;

  @Column({ name: 'ci_enc', type: 'text', nullable: true })
  ciEnc: string | null;

  @Column({ name: 'di_enc', type: 'text', nullable: true })
  diEnc: string | null;

  @Index('uq_users_di_bidx', { unique: true, where: 'di_bidx IS NOT NULL' })
  @Column({ name: 'di_bidx', type: 'char', length: 64, nullable: true })
  diBidx: string | null;

  /** The identity provider of the verification it was created from: `iamport` or `portone`. */
  @Column({ type: 'varchar', length: 16, default: 'iamport' })
  provider: string;

  @Column({ name: 'name_enc', type: 'text' })
  nameEnc: string;

  @Column({ name: 'phone_enc', type: 'text', nullable: true })
  phoneEnc: string | null;

  @Column({ name: 'phone_bidx', type: 'char', length: 64, nullable: true })
  phoneBidx: string | null;

  @Column({ type: 'date' })
  birthday: string;

  @Column({ type: 'varchar', length: 8, nullable: true })
  gender: 'male' | 'female' | null;

  @Column({ type: 'boolean', default: false })
  foreigner: boolean;

  @Index('uq_users_certification', { unique: true })
  @Column({ name: 'certification_id', type: 'uuid' })
  certificationId: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  nickname: string | null;

  @Column({ name: 'marketing_opt_in', type: 'boolean', default: false })
  marketingOptIn: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
