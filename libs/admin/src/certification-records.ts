import { Inject, Injectable } from '@nestjs/common';
import type { Transaction } from '@app/common';
import { CertificationRepository, type Certification, type CertificationStore } from '@app/certification';
import { UserRepository, type UserStore } from '@app/user';
import {
  UpstreamDeletionRepository,
  type UpstreamDeletionState,
  type UpstreamDeletionStore,
} from './repositories/upstream-deletion.repository';

/** One verification as the admin shows it: its row, the account made from it, its upstream deletion. */
export interface CertificationRecord {
  certification: Certification;
  userId: string | null;
  upstreamDeletion: UpstreamDeletionState | null;
}

export interface FindRecordOptions {
  /** Keep the CI and DI (a reveal); otherwise they are dropped from the row. */
  withIdentity: boolean;
  tx?: Transaction;
}

/** Composes a CertificationRecord from the owners of its three tables (in the caller's transaction, if any). */
@Injectable()
export class CertificationRecords {
  constructor(
    @Inject(CertificationRepository) private readonly certifications: Pick<CertificationStore, 'findByImpUid'>,
    @Inject(UserRepository) private readonly users: Pick<UserStore, 'findIdByCertificationId'>,
    @Inject(UpstreamDeletionRepository) private readonly deletions: Pick<UpstreamDeletionStore, 'findState'>,
  ) {}

  async find(impUid: string, { withIdentity, tx }: FindRecordOptions): Promise<CertificationRecord | null> {
    const row = await this.certifications.findByImpUid(impUid, tx);
    if (!row) return null;
    const userId = await this.users.findIdByCertificationId(row.id, tx);
    const upstreamDeletion = await this.deletions.findState(row.impUid, tx);
    const certification = withIdentity ? row : { ...row, ciEnc: null, diEnc: null };
    return { certification, userId, upstreamDeletion };
  }
}
