import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A person's account. `ci_bidx` (HMAC blind index of the CI) is UNIQUE: that index, not an
 * application check, decides "one account per person", inside the transaction that marks the
 * verification used.
 */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_users_ci_bidx', { unique: true })
  @Column({ name: 'ci_bidx', type: 'char', length: 64 })
  ciBidx: string;

  @Column({ name: 'ci_enc', type: 'text' })
  ciEnc: string;

  @Column({ name: 'di_enc', type: 'text', nullable: true })
  diEnc: string | null;

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
