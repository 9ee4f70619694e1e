import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError, inTransaction, insertToken, MIN_AGE, only, pii, pool, provider, providerError, verifiedColumns, verifiedView, type Body } from './shared';
import type { ProviderCertification } from './providers';

const FLOW_TTL_SECONDS = 900;
const CLAIM_WINDOW_SECONDS = 600;
const SECRET = /^[A-Za-z0-9_-]{32,128}$/;
const MERCHANT_UID = /^flow_[A-Za-z0-9_-]{16,40}$/;
const IMP_UID = /^[A-Za-z0-9_-]{1,100}$/;
const COOKIE_PREFIX = 'certflow_';

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The flow's secret: the X-Certification-Flow header, else the flow's cookie. */
function secretOf(headers: IncomingHttpHeaders, merchantUid: string): string | null {
  const given = header(headers, 'x-certification-flow');
  if (given !== undefined && SECRET.test(given)) return given;
  for (const part of (header(headers, 'cookie') ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === `${COOKIE_PREFIX}${merchantUid}` && v && SECRET.test(v)) return v;
  }
  return null;
}

/** POST /certifications/window: a flow row bound to the client's secret (header) or a fresh one (cookie). */
export async function startWindow(headers: IncomingHttpHeaders): Promise<[number, unknown, Record<string, string>?]> {
  const given = header(headers, 'x-certification-flow');
  const secret = given !== undefined && SECRET.test(given) ? given : randomBytes(32).toString('base64url');
  const merchantUid = `flow_${randomBytes(18).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + FLOW_TTL_SECONDS * 1000);
  await pool.query('INSERT INTO certification_flows (merchant_uid, secret_hash, min_age, expires_at) VALUES ($1, $2, $3, $4)', [
    merchantUid,
    hash(secret),
    MIN_AGE,
    expiresAt,
  ]);
  const cookie =
    given === undefined
      ? { 'set-cookie': `${COOKIE_PREFIX}${merchantUid}=${secret}; Path=/; Max-Age=${FLOW_TTL_SECONDS + CLAIM_WINDOW_SECONDS}; HttpOnly; SameSite=Lax` }
      : undefined;
  const id = provider.windowId(merchantUid);
  return [201, { merchant_uid: merchantUid, min_age: MIN_AGE, expires_at: expiresAt.toISOString(), ...(id ? { imp_uid: id } : {}) }, cookie];
}

/**
 * POST /certifications {imp_uid}: the window's result, fetched from the provider, accepted for a
 * flow of ours whose secret this client holds, unclaimed by another certification, certified
 * within the claim window; recorded with its token in one transaction.
 */
export async function completeWindow(body: Body, headers: IncomingHttpHeaders): Promise<[number, unknown]> {
  only(body, ['imp_uid']);
  const impUid = body.imp_uid;
  if (typeof impUid !== 'string' || !IMP_UID.test(impUid)) throw new HttpError(400, 'VALIDATION_FAILED');
  const known = await pool.query<{ status: string }>('SELECT status FROM certifications WHERE imp_uid = $1', [impUid]);
  if (known.rows.length > 0) throw new HttpError(409, 'ALREADY_CONFIRMED');

  let c: ProviderCertification;
  try {
    c = await provider.getCertification(impUid);
  } catch (e) {
    throw providerError(e);
  }
  const merchantUid = c.merchantUid;
  if (merchantUid === null || !MERCHANT_UID.test(merchantUid)) throw new HttpError(403, 'FLOW_MISMATCH');
  const secret = secretOf(headers, merchantUid);
  const found = await pool.query<{ id: string; secret_hash: string; imp_uid: string | null; expires_at: Date }>(
    'SELECT id, secret_hash, imp_uid, expires_at FROM certification_flows WHERE merchant_uid = $1',
    [merchantUid],
  );
  const flow = found.rows[0];
  if (!flow || secret === null || !timingSafeEqual(Buffer.from(hash(secret)), Buffer.from(flow.secret_hash))) throw new HttpError(403, 'FLOW_MISMATCH');
  if (!c.certified) throw new HttpError(409, 'NOT_CERTIFIED');
  if (flow.imp_uid !== null && flow.imp_uid !== impUid) throw new HttpError(409, 'FLOW_ALREADY_CLAIMED');
  const columns = verifiedColumns(c);
  const at = columns.certifiedAt.getTime();
  if (at > flow.expires_at.getTime() || Date.now() - at > CLAIM_WINDOW_SECONDS * 1000) throw new HttpError(410, 'FLOW_EXPIRED');
  const claimed = await pool.query(
    'UPDATE certification_flows SET imp_uid = $2, claimed_at = COALESCE(claimed_at, now()) WHERE id = $1 AND (imp_uid IS NULL OR imp_uid = $2)',
    [flow.id, impUid],
  );
  if (claimed.rowCount !== 1) throw new HttpError(409, 'FLOW_ALREADY_CLAIMED');

  const phone = c.phone ? c.phone.replace(/\D/g, '') : null;
  const token = await inTransaction(async (tx) => {
    let inserted;
    try {
      inserted = await tx.query<{ id: string }>(
        `INSERT INTO certifications (imp_uid, flow, status, otp_attempts, name_enc, phone_enc, phone_bidx, ci_enc, ci_bidx, di_enc, di_bidx,
                                     birthday, gender, foreigner, carrier, certified_at, merchant_uid, provider)
         VALUES ($1, 'popup', 'verified', 0, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
        [
          impUid,
          pii.encrypt(c.name.normalize('NFC')),
          phone ? pii.encrypt(phone) : null,
          phone ? pii.blindIndex('phone', phone) : null,
          columns.ciEnc,
          columns.ciBidx,
          columns.diEnc,
          columns.diBidx,
          columns.birthday,
          columns.gender,
          columns.foreigner,
          c.carrier,
          columns.certifiedAt,
          merchantUid,
          provider.name,
        ],
      );
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new HttpError(409, 'ALREADY_CONFIRMED');
      throw e;
    }
    return insertToken(tx, inserted.rows[0].id);
  });
  return [200, verifiedView(impUid, c, columns.certifiedAt, token)];
}
