import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** What is left of an erased account: its id, when and why. No personal data. */
@Entity({ name: 'user_tombstones' })
@Index('ix_user_tombstones_erased', ['erasedAt'])
export class UserTombstoneEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'erased_at', type: 'timestamptz' })
  erasedAt: Date;

  @Column({ type: 'varchar', length: 200 })
  reason: string;
}
