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
  /** Read the CI and DI too (a reveal); otherwise they are not selected. */
  withIdentity: boolean;
  tx?: Transaction;
}

/** Composes a CertificationRecord from the owners of its three tables (in the caller's transaction, if any). */
@Injectable()
export class CertificationRecords {
  constructor(
    @Inject(CertificationRepository) private readonly certifications: Pick<CertificationStore, 'findByImpUid' | 'findShownByImpUid'>,
    @Inject(UserRepository) private readonly users: Pick<UserStore, 'findIdByCertificationId'>,
    @Inject(UpstreamDeletionRepository) private readonly deletions: Pick<UpstreamDeletionStore, 'findState'>,
  ) {}

  async find(impUid: string, { withIdentity, tx }: FindRecordOptions): Promise<CertificationRecord | null> {
    const certification = withIdentity ? await this.certifications.findByImpUid(impUid, tx) : await this.certifications.findShownByImpUid(impUid, tx);
    if (!certification) return null;
    const userId = await this.users.findIdByCertificationId(certification.id, tx);
    const upstreamDeletion = await this.deletions.findState(certification.impUid, tx);
    return { certification, userId, upstreamDeletion };
  }
}
