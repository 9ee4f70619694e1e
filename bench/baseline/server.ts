/**
 * The benchmark's baseline: the signup flow with no framework, on node:http and pg, doing the
 * same upstream calls (V1: getToken once, then OTP request and confirm, or the window's GET
 * /certifications/:imp_uid; V2 with IDENTITY_PROVIDER=portone: send, confirm, or GET
 * /identity-verifications/:id) and the same row writes as the api (a pending certification with
 * encrypted name/phone and the phone's blind index; on confirmation the certification verified
 * with encrypted CI/DI and their blind indexes plus a hashed verification token; a window flow's
 * row, its claim, and the verified certification with its token; on signup, in one transaction
 * that locks the token and certification, the user row and both marked used). Plain,
 * straightforward code, the way a careful hand-written service would do it: no batching tricks,
 * no cache of database rows.
 *
 * Env: PORT, HOST, DATABASE_URL, DATABASE_POOL_SIZE, IAMPORT_BASE_URL, IAMPORT_IMP_KEY,
 * IAMPORT_IMP_SECRET, IDENTITY_PROVIDER, PORTONE_BASE_URL, PORTONE_API_SECRET, PORTONE_STORE_ID,
 * PORTONE_CHANNEL_KEY, PII_ENCRYPTION_KEYS, PII_HMAC_KEY. The schema must exist (the bench runs
 * the api's migrations on the baseline's database first).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { sha256Hex } from './pii';
import { ProviderFailure, type OtpPerson } from './providers';
import {
  HttpError,
  inTransaction,
  insertToken,
  internationalAge,
  MIN_AGE,
  only,
  pii,
  pool,
  provider,
  providerError,
  verifiedColumns,
  verifiedView,
  type Body,
} from './shared';
import { completeWindow, startWindow } from './window';

const env = process.env;
const OTP_TTL_SECONDS = 180;
const OTP_MAX_ATTEMPTS = 5;

function send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readJson(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) reject(new HttpError(413, 'PAYLOAD_TOO_LARGE'));
      else chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        const v: unknown = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        resolve(v as Body);
      } catch {
        reject(new HttpError(400, 'VALIDATION_FAILED'));
      }
    });
  });
}


/** The person's input, validated and normalized as the api does (phone digits, birth YYYYMMDD). */
function parseOtpRequest(body: Body) {
  only(body, ['name', 'phone', 'birth', 'gender_digit', 'carrier', 'is_mvno', 'company', 'merchant_uid']);
  const { name, phone, birth, gender_digit: g, carrier } = body;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 50) throw new HttpError(400, 'VALIDATION_FAILED');
  if (typeof phone !== 'string') throw new HttpError(400, 'VALIDATION_FAILED');
  let digits = phone.replace(/\D/g, '');
  if (phone.trim().startsWith('+82')) digits = `0${digits.slice(2)}`;
  if (!/^01[016789]\d{7,8}$/.test(digits)) throw new HttpError(400, 'VALIDATION_FAILED');
  const gender = typeof g === 'string' ? Number(g) : g;
  if (typeof gender !== 'number' || !Number.isInteger(gender) || gender < 1 || gender > 8) throw new HttpError(400, 'VALIDATION_FAILED');
  if (typeof birth !== 'string') throw new HttpError(400, 'VALIDATION_FAILED');
  let b = birth.replace(/\D/g, '');
  const century = [1, 2, 5, 6].includes(gender) ? '19' : '20';
  if (b.length === 6) b = century + b;
  if (b.length !== 8 || b.slice(0, 2) !== century) throw new HttpError(400, 'VALIDATION_FAILED');
  const date = new Date(`${b.slice(0, 4)}-${b.slice(4, 6)}-${b.slice(6, 8)}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10).replace(/-/g, '') !== b || date.getTime() > Date.now()) {
    throw new HttpError(400, 'VALIDATION_FAILED');
  }
  if (carrier !== 'SKT' && carrier !== 'KT' && carrier !== 'LGT') throw new HttpError(400, 'VALIDATION_FAILED');
  return { name: name.normalize('NFC').trim(), phone: digits, birth: b, gender, carrier: carrier as OtpPerson['carrier'] };
}

async function requestOtp(body: Body): Promise<[number, unknown]> {
  const p = parseOtpRequest(body);
  let impUid: string;
  try {
    impUid = await provider.requestOtp(p);
  } catch (e) {
    throw providerError(e);
  }
  const expiresAt = new Date(Date.now() + OTP_TTL_SECONDS * 1000);
  await pool.query(
    `INSERT INTO certifications (imp_uid, flow, status, otp_expires_at, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner, carrier, provider)
     VALUES ($1, 'otp', 'pending', $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      impUid,
      expiresAt,
      pii.encrypt(p.name),
      pii.encrypt(p.phone),
      pii.blindIndex('phone', p.phone),
      `${p.birth.slice(0, 4)}-${p.birth.slice(4, 6)}-${p.birth.slice(6, 8)}`,
      p.gender % 2 === 1 ? 'male' : 'female',
      p.gender >= 5,
      p.carrier,
      provider.name,
    ],
  );
  return [201, { imp_uid: impUid, expires_at: expiresAt.toISOString() }];
}

async function confirmOtp(impUid: string, body: Body): Promise<[number, unknown]> {
  only(body, ['otp']);
  const otp = body.otp;
  if (typeof otp !== 'string' || !/^\d{6}$/.test(otp)) throw new HttpError(400, 'VALIDATION_FAILED');
  const found = await pool.query<{ id: string; status: string; otp_attempts: number; otp_expires_at: Date }>(
    'SELECT id, status, otp_attempts, otp_expires_at FROM certifications WHERE imp_uid = $1',
    [impUid],
  );
  const cert = found.rows[0];
  if (!cert) throw new HttpError(404, 'CERTIFICATION_NOT_FOUND');
  if (cert.status === 'verified' || cert.status === 'used') throw new HttpError(409, 'ALREADY_CONFIRMED');
  if (cert.status === 'locked' || cert.otp_attempts >= OTP_MAX_ATTEMPTS) throw new HttpError(429, 'OTP_ATTEMPTS_EXCEEDED');
  if (cert.status !== 'pending' || cert.otp_expires_at.getTime() <= Date.now()) throw new HttpError(410, 'OTP_EXPIRED');

  let c;
  try {
    c = await provider.confirmOtp(impUid, otp);
  } catch (e) {
    if (e instanceof ProviderFailure && e.kind === 'otp_mismatch') {
      await pool.query('UPDATE certifications SET otp_attempts = otp_attempts + 1, updated_at = now() WHERE id = $1', [cert.id]);
    }
    throw providerError(e);
  }
  const v = verifiedColumns(c);
  const token = await inTransaction(async (tx) => {
    const updated = await tx.query(
      `UPDATE certifications SET status = 'verified', ci_enc = $2, ci_bidx = $3, di_enc = $4, di_bidx = $5, birthday = $6, gender = $7,
         foreigner = $8, certified_at = $9, updated_at = now() WHERE id = $1 AND status = 'pending'`,
      [cert.id, v.ciEnc, v.ciBidx, v.diEnc, v.diBidx, v.birthday, v.gender, v.foreigner, v.certifiedAt],
    );
    if (updated.rowCount !== 1) throw new HttpError(409, 'ALREADY_CONFIRMED');
    return insertToken(tx, cert.id);
  });
  return [200, verifiedView(impUid, c, v.certifiedAt, token)];
}

interface TokenRow {
  token_id: string;
  expires_at: Date;
  used_at: Date | null;
  cert_id: string;
  status: string;
  name_enc: string;
  phone_enc: string | null;
  phone_bidx: string | null;
  ci_enc: string | null;
  ci_bidx: string | null;
  di_enc: string | null;
  di_bidx: string | null;
  provider: string;
  birthday: string;
  gender: string | null;
  foreigner: boolean | null;
}

async function signup(body: Body): Promise<[number, unknown]> {
  only(body, ['verification_token', 'nickname', 'marketing_opt_in']);
  const token = body.verification_token;
  if (typeof token !== 'string' || token.length < 16 || token.length > 128) throw new HttpError(400, 'VALIDATION_FAILED');
  const user = await inTransaction(async (tx) => {
    const found = await tx.query<TokenRow>(
      `SELECT t.id AS token_id, t.expires_at, t.used_at, c.id AS cert_id, c.status, c.name_enc, c.phone_enc, c.phone_bidx,
              c.ci_enc, c.ci_bidx, c.di_enc, c.di_bidx, c.provider, c.birthday, c.gender, c.foreigner
         FROM verification_tokens t JOIN certifications c ON c.id = t.certification_id
        WHERE t.token_hash = $1 FOR UPDATE`,
      [sha256Hex(token)],
    );
    const row = found.rows[0];
    if (!row) throw new HttpError(404, 'VERIFICATION_NOT_FOUND');
    if (row.used_at !== null || row.status === 'used') throw new HttpError(409, 'VERIFICATION_USED');
    if (row.expires_at.getTime() <= Date.now() || row.status !== 'verified') throw new HttpError(410, 'VERIFICATION_EXPIRED');
    if (internationalAge(row.birthday) < MIN_AGE) throw new HttpError(403, 'AGE_RESTRICTED');
    let inserted;
    try {
      inserted = await tx.query<{ id: string; created_at: Date }>(
        `INSERT INTO users (ci_bidx, ci_enc, di_enc, di_bidx, provider, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner, certification_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id, created_at`,
        [row.ci_bidx, row.ci_enc, row.di_enc, row.di_bidx, row.provider, row.name_enc, row.phone_enc, row.phone_bidx, row.birthday, row.gender, row.foreigner === true, row.cert_id],
      );
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new HttpError(409, 'ALREADY_REGISTERED');
      throw e;
    }
    await tx.query('UPDATE verification_tokens SET used_at = now() WHERE id = $1', [row.token_id]);
    await tx.query(`UPDATE certifications SET status = 'used', used_at = now(), updated_at = now() WHERE id = $1`, [row.cert_id]);
    return inserted.rows[0];
  });
  return [201, { id: user.id, created_at: user.created_at.toISOString() }];
}

async function route(req: IncomingMessage): Promise<[number, unknown, Record<string, string>?]> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/health/live') return [200, { status: 'ok' }];
  if (req.method === 'POST' && path === '/certifications/otp/request') return requestOtp(await readJson(req));
  if (req.method === 'POST' && path.startsWith('/certifications/otp/confirm/')) {
    return confirmOtp(decodeURIComponent(path.slice('/certifications/otp/confirm/'.length)), await readJson(req));
  }
  if (req.method === 'POST' && path === '/users') return signup(await readJson(req));
  if (req.method === 'POST' && path === '/certifications/window') return startWindow(req.headers);
  if (req.method === 'POST' && path === '/certifications') return completeWindow(await readJson(req), req.headers);
  throw new HttpError(404, 'NOT_FOUND');
}

const server = createServer((req, res) => {
  route(req).then(
    ([status, body, headers]) => send(res, status, body, headers),
    (e: unknown) => {
      if (e instanceof HttpError) send(res, e.status, { error: { code: e.code, message: e.message } });
      else {
        process.stderr.write(`baseline: ${(e as Error).message}\n`);
        send(res, 500, { error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
      }
    },
  );
});
server.keepAliveTimeout = 65_000;

server.listen(Number(env.PORT ?? 0), env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(`baseline listening on ${JSON.stringify(server.address())}\n`);
});

function shutdown(): void {
  server.close();
  server.closeAllConnections();
  provider.close();
  pool.end().finally(() => process.exit(0));
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
