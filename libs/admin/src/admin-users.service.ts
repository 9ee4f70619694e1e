import { Inject, Injectable, Logger } from '@nestjs/common';
import { BlindIndex, PiiCipher, maskName, maskPhone } from '@app/pii';
import {
  AccountErasedError,
  UserRepository,
  UserTombstoneRepository,
  type UserStore,
  type UserTombstoneStore,
  type UserWithCertification,
} from '@app/user';
import { UserNotFoundError } from './admin.errors';
import type { AdminRequestContext } from './admin-request';
import { decryptForDisplay } from './views';

/** `GET /admin/users/:id` and `GET /admin/users?ci=`: the account, masked. No CI, no DI. */
export interface AdminUserView {
  id: string;
  provider: string;
  created_at: string;
  name: string | null;
  phone: string | null;
  birthday: string;
  gender: 'male' | 'female' | null;
  foreigner: boolean;
  nickname: string | null;
  marketing_opt_in: boolean;
  certification: {
    imp_uid: string;
    flow: string;
    status: string;
    certified_at: string | null;
    erased: boolean;
  } | null;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class AdminUsersService {
  private readonly logger = new Logger('AdminUsers');

  constructor(
    @Inject(UserRepository) private readonly users: UserStore,
    private readonly cipher: PiiCipher,
    private readonly blindIndex: BlindIndex,
    @Inject(UserTombstoneRepository) private readonly tombstones: UserTombstoneStore,
  ) {}

  /** @throws UserNotFoundError, AccountErasedError */
  async getById(id: string): Promise<AdminUserView> {
    if (!UUID.test(id)) throw new UserNotFoundError();
    const found = await this.users.findWithCertification(id);
    if (!found) throw await this.missing(id);
    return this.toView(found);
  }

  /** Why an account id finds nothing: erased (a tombstone) or never known. */
  async missing(id: string): Promise<UserNotFoundError | AccountErasedError> {
    return (await this.tombstones.find(id)) ? new AccountErasedError() : new UserNotFoundError();
  }

  /**
   * The account of the person with this CI, through the UNIQUE blind index `users.ci_bidx`.
   * Audited by the same statement, also when nobody is found: the answer itself says whether a
   * person has an account. @throws UserNotFoundError (after the audit row is committed)
   */
  async findByCi(ci: string, ctx: AdminRequestContext): Promise<AdminUserView> {
    const found = await this.users.findByCiBidxAudited(this.blindIndex.compute('ci', ci), {
      keyId: ctx.principal.keyId,
      clientIp: ctx.clientIp,
      requestId: ctx.requestId,
    });
    if (!found) throw new UserNotFoundError();
    return this.toView(found);
  }

  /** The same by the DI (`users.di_bidx`, merchant-scoped), audited as `user.di_lookup`. @throws UserNotFoundError */
  async findByDi(di: string, ctx: AdminRequestContext): Promise<AdminUserView> {
    const found = await this.users.findByDiBidxAudited(this.blindIndex.compute('di', di), {
      keyId: ctx.principal.keyId,
      clientIp: ctx.clientIp,
      requestId: ctx.requestId,
    });
    if (!found) throw new UserNotFoundError();
    return this.toView(found);
  }

  private toView({ user, certification }: UserWithCertification): AdminUserView {
    const name = decryptForDisplay(this.cipher, user.nameEnc, 'name_enc', `user ${user.id}`, this.logger);
    const phone = decryptForDisplay(this.cipher, user.phoneEnc, 'phone_enc', `user ${user.id}`, this.logger);
    return {
      id: user.id,
      provider: user.provider,
      created_at: user.createdAt.toISOString(),
      name: name === null ? null : maskName(name),
      phone: phone === null ? null : maskPhone(phone),
      birthday: user.birthday,
      gender: user.gender,
      foreigner: user.foreigner,
      nickname: user.nickname,
      marketing_opt_in: user.marketingOptIn,
      certification: certification
        ? {
            imp_uid: certification.impUid,
            flow: certification.flow,
            status: certification.status,
            certified_at: certification.certifiedAt ? certification.certifiedAt.toISOString() : null,
            erased: certification.piiErasedAt !== null,
          }
        : null,
    };
  }
}
