import { Inject, Injectable } from '@nestjs/common';
import { AccountErasedError, UserRepository, UserTombstoneRepository, type UserStore, type UserTombstoneStore } from '@app/user';
import { ADMIN_RESOLVED_OPTIONS } from './admin.constants';
import { UserNotFoundError } from './admin.errors';
import type { ResolvedAdminOptions } from './admin.options';
import type { AdminRequestContext } from './admin-request';
import { AdminErasureService, type UpstreamDeletionOutcome } from './admin-erasure.service';
import { UUID } from './admin-users.service';

/** The answer of `DELETE /admin/users/:id`: the tombstone and where each upstream copy stands. */
export interface AdminUserErasureView {
  id: string;
  erased: true;
  erased_at: string;
  reason: string;
  verifications: Array<{ imp_uid: string; upstream_deletion: UpstreamDeletionOutcome }>;
}

/**
 * `DELETE /admin/users/:id`: the account erasure of libs/user (one statement: tombstone,
 * verifications, outbox, audit row), then one upstream attempt per verification (the worker
 * retries what fails).
 */
@Injectable()
export class AdminUserErasureService {
  constructor(
    @Inject(ADMIN_RESOLVED_OPTIONS) private readonly options: ResolvedAdminOptions,
    @Inject(UserRepository) private readonly users: Pick<UserStore, 'erase'>,
    @Inject(UserTombstoneRepository) private readonly tombstones: UserTombstoneStore,
    private readonly erasure: AdminErasureService,
  ) {}

  /** @throws UserNotFoundError, AccountErasedError (a repeat: audited as `already_erased`) */
  async erase(id: string, reason: string, ctx: AdminRequestContext): Promise<AdminUserErasureView> {
    if (!UUID.test(id)) throw new UserNotFoundError();
    const result = await this.users.erase({
      userId: id,
      now: this.options.clock(),
      reason,
      audit: { keyId: ctx.principal.keyId, clientIp: ctx.clientIp, requestId: ctx.requestId },
    });
    if (result.outcome === 'not_found') throw new UserNotFoundError();
    if (result.outcome === 'already_erased') throw new AccountErasedError();
    const verifications: AdminUserErasureView['verifications'] = [];
    for (const impUid of result.impUids) {
      verifications.push({ imp_uid: impUid, upstream_deletion: await this.erasure.attemptUpstreamDeletion(impUid) });
    }
    const tombstone = await this.tombstones.find(id);
    return {
      id,
      erased: true,
      erased_at: (tombstone?.erasedAt ?? this.options.clock()).toISOString(),
      reason: tombstone?.reason ?? reason,
      verifications,
    };
  }
}
