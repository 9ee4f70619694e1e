import { Inject, Injectable } from '@nestjs/common';
import { definePreparedStatement, type Database } from '@app/common';
import { CERTIFICATION_DATABASE } from '../certification.constants';

/** A row of `certification_flows`: a browser flow this service started. */
export interface CertificationFlowRow {
  id: string;
  merchantUid: string;
  secretHash: string;
  minAge: number | null;
  /** The certification the flow was bound to by its first accepted result; null until then. */
  impUid: string | null;
  claimedAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
}

/** What the binding needs of the `certification_flows` table (an in-memory fake implements it in unit specs). */
export interface CertificationFlowStore {
  insert(flow: { merchantUid: string; secretHash: string; minAge: number | null; expiresAt: Date }): Promise<CertificationFlowRow>;
  findByMerchantUid(merchantUid: string): Promise<CertificationFlowRow | null>;
  /** Binds the flow to `impUid` unless another certification holds it; false when one does. */
  claim(id: string, impUid: string, at: Date): Promise<boolean>;
}

const COLUMNS = 'id, merchant_uid, secret_hash, min_age, imp_uid, claimed_at, expires_at, created_at';

// Every window start and completion runs these: prepared (planning dominates them).
const INSERT = definePreparedStatement(
  'certification_flow_insert',
  `INSERT INTO certification_flows (merchant_uid, secret_hash, min_age, expires_at) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
);
const FIND_BY_MERCHANT_UID = definePreparedStatement(
  'certification_flow_find_by_merchant_uid',
  `SELECT ${COLUMNS} FROM certification_flows WHERE merchant_uid = $1`,
);
const CLAIM = definePreparedStatement(
  'certification_flow_claim',
  `UPDATE certification_flows SET imp_uid = $2, claimed_at = COALESCE(claimed_at, $3)
    WHERE id = $1 AND (imp_uid IS NULL OR imp_uid = $2) RETURNING id`,
);

function toFlow(r: Record<string, any>): CertificationFlowRow {
  return {
    id: r.id,
    merchantUid: r.merchant_uid,
    secretHash: r.secret_hash,
    minAge: r.min_age === null ? null : Number(r.min_age),
    impUid: r.imp_uid,
    claimedAt: r.claimed_at,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
  };
}

/** The SQL of the `certification_flows` table; the claim is one guarded UPDATE. */
@Injectable()
export class CertificationFlowRepository implements CertificationFlowStore {
  constructor(@Inject(CERTIFICATION_DATABASE) private readonly db: Database) {}

  async insert(flow: { merchantUid: string; secretHash: string; minAge: number | null; expiresAt: Date }): Promise<CertificationFlowRow> {
    const rows = await this.db.prepared<Record<string, any>>(INSERT, [flow.merchantUid, flow.secretHash, flow.minAge, flow.expiresAt]);
    return toFlow(rows[0]);
  }

  async findByMerchantUid(merchantUid: string): Promise<CertificationFlowRow | null> {
    const rows = await this.db.prepared<Record<string, any>>(FIND_BY_MERCHANT_UID, [merchantUid]);
    return rows[0] === undefined ? null : toFlow(rows[0]);
  }

  async claim(id: string, impUid: string, at: Date): Promise<boolean> {
    const rows = await this.db.prepared<Record<string, any>>(CLAIM, [id, impUid, at]);
    return rows.length === 1;
  }
}
