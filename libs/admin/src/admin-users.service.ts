import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { definePreparedStatement, queryPrepared } from '@app/common';
import { BlindIndex, PiiCipher, maskName, maskPhone } from '@app/pii';
import { UserNotFoundError } from './admin.errors';
import type { AdminRequestContext } from './admin-request';
import { decryptForDisplay } from './views';

/** `GET /admin/users/:id` and `GET /admin/users?ci=`: the account, masked. No CI, no DI. */
export interface AdminUserView {
  id: string;
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

interface UserRow {
  id: string;
  created_at: Date;
  name_enc: string;
  phone_enc: string | null;
  birthday: string;
  gender: 'male' | 'female' | null;
  foreigner: boolean;
  nickname: string | null;
  marketing_opt_in: boolean;
  imp_uid: string | null;
  flow: string | null;
  status: string | null;
  certified_at: Date | null;
  pii_erased_at: Date | null;
}

/** The columns of a UserRow: the user and the verification it was created from. */
const USER_ROW_SELECT = `SELECT u.id, u.created_at, u.name_enc, u.phone_enc, u.birthday::text AS birthday, u.gender, u.foreigner,
         u.nickname, u.marketing_opt_in, c.imp_uid, c.flow, c.status, c.certified_at, c.pii_erased_at
    FROM users u
    LEFT JOIN certifications c ON c.id = u.certification_id`;

/** The CI lookup and its audit row in ONE statement (one round trip, one commit), prepared. */
const CI_LOOKUP = definePreparedStatement(
  'admin_user_ci_lookup',
  `WITH found AS (
     ${USER_ROW_SELECT}
      WHERE u.ci_bidx = $1::char(64)
   ), audit AS (
     INSERT INTO audit_log (key_id, action, subject_type, subject_id, result, client_ip, request_id)
     SELECT $2, 'user.ci_lookup', 'user', (SELECT id::text FROM found),
            CASE WHEN EXISTS (SELECT 1 FROM found) THEN 'ok' ELSE 'not_found' END, $3::inet, $4
   )
   SELECT * FROM found`,
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class AdminUsersService {
  private readonly logger = new Logger('AdminUsers');

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
    private readonly blindIndex: BlindIndex,
  ) {}

  /** @throws UserNotFoundError */
  async getById(id: string): Promise<AdminUserView> {
    if (!UUID.test(id)) throw new UserNotFoundError();
    const row = await this.find(this.dataSource.manager, 'u.id = $1::uuid', id);
    if (!row) throw new UserNotFoundError();
    return this.toView(row);
  }

  /**
   * The account of the person with this CI, through the UNIQUE blind index `users.ci_bidx`.
   * Audited in the same transaction as the lookup, also when nobody is found (the answer itself
   * says whether a person has an account). The audit row names the user found, never the CI.
   * @throws UserNotFoundError (after the audit row is committed)
   */
  async findByCi(ci: string, ctx: AdminRequestContext): Promise<AdminUserView> {
    const bidx = this.blindIndex.compute('ci', ci);
    // ONE statement (one round trip, one commit): the lookup and its audit row, atomically.
    const rows = await queryPrepared<UserRow>(this.dataSource, CI_LOOKUP, [
      bidx, ctx.principal.keyId, ctx.clientIp, ctx.requestId?.slice(0, 128) ?? null,
    ]);
    const row = rows[0] ?? null;
    if (!row) throw new UserNotFoundError();
    return this.toView(row);
  }

  private async find(manager: EntityManager, condition: string, value: string): Promise<UserRow | null> {
    const rows: UserRow[] = await manager.query(
      `${USER_ROW_SELECT}
        WHERE ${condition}`,
      [value],
    );
    return rows[0] ?? null;
  }

  private toView(row: UserRow): AdminUserView {
    const name = decryptForDisplay(this.cipher, row.name_enc, `user ${row.id}`, this.logger);
    const phone = decryptForDisplay(this.cipher, row.phone_enc, `user ${row.id}`, this.logger);
    return {
      id: row.id,
      created_at: row.created_at.toISOString(),
      name: name === null ? null : maskName(name),
      phone: phone === null ? null : maskPhone(phone),
      birthday: row.birthday,
      gender: row.gender,
      foreigner: row.foreigner,
      nickname: row.nickname,
      marketing_opt_in: row.marketing_opt_in,
      certification: row.imp_uid
        ? {
            imp_uid: row.imp_uid,
            flow: row.flow!,
            status: row.status!,
            certified_at: row.certified_at ? row.certified_at.toISOString() : null,
            erased: row.pii_erased_at !== null,
          }
        : null,
    };
  }
}
