import { Inject, Injectable, Logger } from '@nestjs/common';
import { UserRepository, type UserStore } from '@app/user';
import { ADMIN_RESOLVED_OPTIONS } from './admin.constants';
import { CertificationNotFoundError } from './admin.errors';
import type { ResolvedAdminOptions } from './admin.options';
import { AdminErasureService } from './admin-erasure.service';

/** Key id of the audit rows an `erasures:replay` writes. */
export const REPLAY_ACTOR = 'system:replay';

/** An erasure read from an audit log (`AuditLogRepository.listErasuresSince`). */
export interface RecordedErasure {
  action: string;
  subjectId: string;
  occurredAt: Date;
}

export interface ErasureReplayRun {
  /** Erasures read from the audit log. */
  recorded: number;
  /** Accounts erased again (they had come back with a restored backup). */
  accounts_erased: number;
  /** Verifications whose personal data was erased again. */
  verifications_erased: number;
  /** Already erased here, or not in this database (created after the backup and never restored). */
  unchanged: number;
}

/**
 * Re-applies recorded erasures to a database restored from a backup (docs/operations.md,
 * Backups): accounts through the account erasure statement, verifications as an admin erasure,
 * each audited as `system:replay` and queued for upstream deletion.
 */
@Injectable()
export class ErasureReplayService {
  private readonly logger = new Logger('ErasureReplay');

  constructor(
    @Inject(ADMIN_RESOLVED_OPTIONS) private readonly options: ResolvedAdminOptions,
    @Inject(UserRepository) private readonly users: Pick<UserStore, 'erase'>,
    private readonly erasure: AdminErasureService,
  ) {}

  async replay(erasures: readonly RecordedErasure[]): Promise<ErasureReplayRun> {
    const run: ErasureReplayRun = { recorded: erasures.length, accounts_erased: 0, verifications_erased: 0, unchanged: 0 };
    const actor = { keyId: REPLAY_ACTOR, clientIp: null, requestId: null };
    const startedAt = this.options.clock().getTime();
    for (const recorded of erasures) {
      if (recorded.action === 'user.erase') {
        const result = await this.users.erase({
          userId: recorded.subjectId,
          now: this.options.clock(),
          reason: `replay of the erasure of ${recorded.occurredAt.toISOString()}`,
          audit: actor,
        });
        if (result.outcome === 'erased') run.accounts_erased++;
        else run.unchanged++;
        continue;
      }
      try {
        const detail = await this.erasure.erase(recorded.subjectId, {
          principal: { keyId: REPLAY_ACTOR, scopes: new Set() },
          clientIp: null,
          requestId: 'erasures-replay',
        });
        // A tombstone dated from this run on was made by this replay.
        if (detail.erased_at && Date.parse(detail.erased_at) >= startedAt) run.verifications_erased++;
        else run.unchanged++;
      } catch (error) {
        if (!(error instanceof CertificationNotFoundError)) throw error;
        run.unchanged++;
      }
    }
    this.logger.log(`Replayed ${run.recorded} erasure(s): ${run.accounts_erased} account(s) and ${run.verifications_erased} verification(s) erased again`);
    return run;
  }
}
