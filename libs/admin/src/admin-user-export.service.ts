import { Inject, Injectable, Logger } from '@nestjs/common';
import { CertificationRepository, type Certification } from '@app/certification';
import { PiiCipher, type PiiColumn } from '@app/pii';
import { UserRepository, type UserStore } from '@app/user';
import { ADMIN_RESOLVED_OPTIONS } from './admin.constants';
import { UserNotFoundError } from './admin.errors';
import type { ResolvedAdminOptions } from './admin.options';
import type { AdminRequestContext } from './admin-request';
import { AdminUsersService, UUID } from './admin-users.service';
import { AuditLogRepository, type AuditLogStore, type AuditRecord } from './repositories/audit-log.repository';
import { UpstreamDeletionRepository, type UpstreamDeletionStore } from './repositories/upstream-deletion.repository';
import { decryptForDisplay } from './views';

const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

/** `GET /admin/users/:id/export`: every field held about the person, decrypted (an access request under PIPA). */
export interface UserExport {
  exported_at: string;
  account: {
    id: string;
    created_at: string;
    name: string | null;
    phone: string | null;
    ci: string | null;
    di: string | null;
    birthday: string;
    gender: 'male' | 'female' | null;
    foreigner: boolean;
    nickname: string | null;
    marketing_opt_in: boolean;
  };
  verifications: Array<{
    imp_uid: string;
    merchant_uid: string | null;
    flow: string;
    status: string;
    name: string | null;
    phone: string | null;
    ci: string | null;
    di: string | null;
    birthday: string | null;
    gender: string | null;
    foreigner: boolean | null;
    carrier: string | null;
    created_at: string;
    certified_at: string | null;
    used_at: string | null;
    pii_erased_at: string | null;
    upstream_deletion: { attempts: number; completed_at: string | null } | null;
  }>;
  /** Audited accesses to the account and its verifications (this export included). */
  audit_log: Array<{ occurred_at: string; key_id: string; action: string; subject_id: string | null; result: string; client_ip: string | null }>;
}

const AUDIT_ROWS_PER_SUBJECT = 1000;

@Injectable()
export class AdminUserExportService {
  private readonly logger = new Logger('AdminUserExport');

  constructor(
    @Inject(ADMIN_RESOLVED_OPTIONS) private readonly options: ResolvedAdminOptions,
    @Inject(UserRepository) private readonly users: Pick<UserStore, 'findById'>,
    @Inject(CertificationRepository) private readonly certifications: Pick<CertificationRepository, 'findForPerson'>,
    @Inject(AuditLogRepository) private readonly audit: AuditLogStore,
    @Inject(UpstreamDeletionRepository) private readonly deletions: Pick<UpstreamDeletionStore, 'findState'>,
    private readonly accounts: AdminUsersService,
    private readonly cipher: PiiCipher,
  ) {}

  /** The audit row is committed before anything is read: no export without it. @throws UserNotFoundError, AccountErasedError */
  async export(id: string, ctx: AdminRequestContext): Promise<UserExport> {
    if (!UUID.test(id)) throw new UserNotFoundError();
    const user = await this.users.findById(id);
    if (!user) throw await this.accounts.missing(id);
    const now = this.options.clock();
    await this.audit.record({
      keyId: ctx.principal.keyId,
      action: 'user.export',
      subjectType: 'user',
      subjectId: id,
      result: 'ok',
      clientIp: ctx.clientIp,
      requestId: ctx.requestId,
      occurredAt: now,
    });
    const open = (token: string | null, column: PiiColumn) => decryptForDisplay(this.cipher, token, column, `user ${id}`, this.logger);
    const verifications = await this.certifications.findForPerson(user.certificationId, user.ciBidx, user.diBidx);
    const audit: AuditRecord[] = [];
    for (const subject of [id, ...verifications.map((v) => v.impUid)]) {
      audit.push(...(await this.audit.list({ subjectId: subject, limit: AUDIT_ROWS_PER_SUBJECT })));
    }
    audit.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || Number(a.id) - Number(b.id));
    return {
      exported_at: now.toISOString(),
      account: {
        id: user.id,
        created_at: user.createdAt.toISOString(),
        name: open(user.nameEnc, 'name_enc'),
        phone: open(user.phoneEnc, 'phone_enc'),
        ci: open(user.ciEnc, 'ci_enc'),
        di: open(user.diEnc, 'di_enc'),
        birthday: user.birthday,
        gender: user.gender,
        foreigner: user.foreigner,
        nickname: user.nickname,
        marketing_opt_in: user.marketingOptIn,
      },
      verifications: await Promise.all(verifications.map((v) => this.verification(v, open))),
      audit_log: audit.map((r) => ({
        occurred_at: r.occurredAt.toISOString(),
        key_id: r.keyId,
        action: r.action,
        subject_id: r.subjectId,
        result: r.result,
        client_ip: r.clientIp,
      })),
    };
  }

  private async verification(v: Certification, open: (token: string | null, column: PiiColumn) => string | null): Promise<UserExport['verifications'][number]> {
    const deletion = await this.deletions.findState(v.impUid);
    return {
      imp_uid: v.impUid,
      merchant_uid: v.merchantUid,
      flow: v.flow,
      status: v.status,
      name: open(v.nameEnc, 'name_enc'),
      phone: open(v.phoneEnc, 'phone_enc'),
      ci: open(v.ciEnc, 'ci_enc'),
      di: open(v.diEnc, 'di_enc'),
      birthday: v.birthday,
      gender: v.gender,
      foreigner: v.foreigner,
      carrier: v.carrier,
      created_at: iso(v.createdAt)!,
      certified_at: iso(v.certifiedAt),
      used_at: iso(v.usedAt),
      pii_erased_at: iso(v.piiErasedAt),
      upstream_deletion: deletion ? { attempts: deletion.attempts, completed_at: iso(deletion.completedAt) } : null,
    };
  }
}
