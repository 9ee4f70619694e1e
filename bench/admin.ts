import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { BlindIndex, PiiCipher, generateKeyMaterial, type PiiColumn } from '@app/pii';
import type { BenchOptions } from './lib/cli';
import { createDatabase } from './lib/database';
import { HttpClient } from './lib/http';
import { startApi, type StartedServer } from './lib/servers';
import { Samples, nowMs, round, type LatencySummary } from './lib/stats';

export interface AdminBenchResult {
  rows: number;
  users: number;
  runs: number;
  seedSeconds: number;
  deepPosition: number;
  cursorSource: 'constructed' | 'walked' | 'none';
  queries: {
    listFirstPage: LatencySummary;
    listDeepPageByCursor: LatencySummary | null;
    phoneFilter: LatencySummary;
    ciLookup: LatencySummary;
    /** Raw SQL through pg, not the api: the same deep page by OFFSET, then by keyset. */
    sqlOffsetDeepPage: LatencySummary;
    sqlKeysetDeepPage: LatencySummary;
    /** Raw SQL: the CI lookup's statement without its audit row, then with it (a commit that waits for the WAL flush). */
    sqlCiSelect: LatencySummary;
    sqlCiLookupAudited: LatencySummary;
  };
}

const PROBES = 50;
const PAGE = 20;

function b64(bytes: number): string {
  return randomBytes(bytes).toString('base64');
}

/** Fake but well-formed CI (88 chars of base64, as upstream). */
function fakeCi(): string {
  return b64(64);
}

/**
 * Seeds `rows` realistic certifications (real ciphertexts and blind indexes, so the api can list
 * and mask them), then VACUUM ANALYZE and CHECKPOINT so the bulk load is not measured.
 */
export async function seed(
  c: Client,
  rows: number,
  cipher: PiiCipher,
  bidx: BlindIndex,
  log: (s: string) => void,
): Promise<{ phones: string[]; cis: string[]; users: number }> {
  const pool = (n: number, column: PiiColumn, make: (i: number) => string) => Array.from({ length: n }, (_, i) => cipher.encrypt(make(i), column));
  const names = pool(997, 'name_enc', (i) => `김서${String.fromCharCode(0xac00 + i)}`);
  const phones = pool(991, 'phone_enc', (i) => `010${String(20000000 + i * 7919)}`);
  const cis = pool(983, 'ci_enc', () => fakeCi());
  const dis = pool(977, 'di_enc', () => b64(32));
  const distinctPhones = Math.max(1000, Math.floor(rows / 3));
  const spacingSeconds = (365 * 86400) / rows;
  const start = new Date(Date.now() - 366 * 86400 * 1000);
  const chunk = 100_000;
  for (let from = 1; from <= rows; from += chunk) {
    const to = Math.min(rows, from + chunk - 1);
    await c.query(
      `INSERT INTO certifications (imp_uid, merchant_uid, flow, status, otp_attempts, otp_expires_at, name_enc, phone_enc,
         phone_bidx, ci_enc, ci_bidx, di_enc, birthday, gender, foreigner, carrier, certified_at, used_at, created_at, updated_at)
       SELECT 'imp_' || lpad(g::text, 12, '0'),
              CASE WHEN g % 4 = 0 THEN 'order_' || g END,
              flow, status,
              CASE WHEN status = 'locked' THEN 5 ELSE (h % 3)::int END,
              CASE WHEN flow = 'otp' THEN created + interval '3 minutes' END,
              ($3::text[])[1 + g % 997],
              ($4::text[])[1 + g % 991],
              md5('p' || (g % $9)) || md5('q' || (g % $9)),
              CASE WHEN verified THEN ($5::text[])[1 + g % 983] END,
              CASE WHEN verified THEN md5('c' || g) || md5('d' || g) END,
              CASE WHEN verified THEN ($6::text[])[1 + g % 977] END,
              date '1960-01-01' + (g % 16000)::int,
              CASE WHEN g % 2 = 0 THEN 'male' ELSE 'female' END,
              g % 50 = 0,
              (ARRAY['SKT', 'KT', 'LGT'])[1 + g % 3],
              CASE WHEN verified THEN created + interval '40 seconds' END,
              CASE WHEN status = 'used' THEN created + interval '2 minutes' END,
              created, created + interval '2 minutes'
         FROM (
           SELECT g, h, created, flow, status, status IN ('verified', 'used') AS verified
             FROM (
               SELECT g, h,
                      $7::timestamptz + (g * $8::float8) * interval '1 second' + random() * interval '20 seconds' AS created,
                      CASE WHEN h % 100 < 85 THEN 'otp' ELSE 'popup' END AS flow,
                      CASE WHEN h % 100 < 45 THEN 'used' WHEN h % 100 < 70 THEN 'verified' WHEN h % 100 < 85 THEN 'expired'
                           WHEN h % 100 < 95 THEN 'pending' ELSE 'locked' END AS status
                 FROM (SELECT g, (g::bigint * 2654435761) % 1000003 AS h FROM generate_series($1::int, $2::int) AS g) s0
             ) s1
         ) s2`,
      [from, to, names, phones, cis, dis, start, spacingSeconds, distinctPhones],
    );
    log(`  seeded ${to.toLocaleString('en-US')} / ${rows.toLocaleString('en-US')} verifications`);
  }

  // Probes: phones with a few verifications each, and users found by their CI.
  const probePhones = Array.from({ length: PROBES }, (_, k) => `0107${String(k).padStart(7, '0')}`);
  const probeCis = Array.from({ length: PROBES }, () => fakeCi());
  const day = 86400 * 1000;
  let n = 0;
  for (const phone of probePhones) {
    for (let r = 0; r < 4; r++) {
      const created = new Date(Date.now() - Math.random() * 360 * day);
      await c.query(
        `INSERT INTO certifications (imp_uid, flow, status, otp_expires_at, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner, carrier, created_at, updated_at)
         VALUES ($1, 'otp', 'expired', $2, $3, $4, $5, '1990-01-01', 'male', false, 'SKT', $6, $6)`,
        [`imp_8${String(n++).padStart(11, '0')}`, new Date(created.getTime() + 180_000), cipher.encrypt('박철수', 'name_enc'), cipher.encrypt(phone, 'phone_enc'), bidx.compute('phone', phone), created],
      );
    }
  }
  for (const ci of probeCis) {
    const created = new Date(Date.now() - Math.random() * 360 * day);
    const ins = await c.query<{ id: string }>(
      `INSERT INTO certifications (imp_uid, flow, status, name_enc, phone_enc, phone_bidx, ci_enc, ci_bidx, di_enc, birthday, gender, foreigner, carrier, certified_at, used_at, created_at, updated_at)
       VALUES ($1, 'otp', 'used', $2, $3, $4, $5, $6, $7, '1985-05-05', 'female', false, 'KT', $8, $8, $8, $8) RETURNING id`,
      [`imp_8${String(n++).padStart(11, '0')}`, cipher.encrypt('최영희', 'name_enc'), cipher.encrypt('01055550000', 'phone_enc'), bidx.compute('phone', '01055550000'),
        cipher.encrypt(ci, 'ci_enc'), bidx.compute('ci', ci), cipher.encrypt(b64(32), 'di_enc'), created],
    );
    void ins;
  }
  await c.query(
    `INSERT INTO users (ci_bidx, ci_enc, di_enc, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner, certification_id, created_at)
     SELECT ci_bidx, ci_enc, di_enc, name_enc, phone_enc, phone_bidx, birthday, gender, coalesce(foreigner, false), id, used_at
       FROM certifications WHERE status = 'used' AND ci_bidx IS NOT NULL`,
  );
  log('  VACUUM ANALYZE');
  await c.query('VACUUM ANALYZE certifications');
  await c.query('VACUUM ANALYZE users');
  // The load left ~1 GB of dirty pages and WAL: write them out now, so the measurements see a
  // steady server rather than a checkpoint flushing the bulk load (superuser or pg_checkpoint).
  log('  CHECKPOINT');
  await c.query('CHECKPOINT').catch((e: Error) => log(`  CHECKPOINT refused (${e.message}): measuring anyway`));
  const users = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0].n);
  return { phones: probePhones, cis: probeCis, users };
}

async function measure(runs: number, fn: (i: number) => Promise<void>, warm = 50): Promise<LatencySummary> {
  for (let i = 0; i < Math.min(warm, runs); i++) await fn(i);
  const s = new Samples();
  for (let i = 0; i < runs; i++) {
    const t = nowMs();
    await fn(i);
    s.add(nowMs() - t);
  }
  return s.summary();
}

interface Page {
  items: { imp_uid?: string }[];
  next_cursor: string | null;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})/;

/**
 * A cursor pointing after the row at `position` (newest first): built from the api's own cursor
 * format, as decoded from a real cursor (base64url of JSON or of text holding a timestamp and a
 * uuid), with that row's values put in. Returns null if the format is not recognised.
 */
function constructCursor(sample: string, sampleRow: { created_at: string; id: string }, deepRow: { created_at: string; id: string }): string | null {
  let text: string;
  try {
    text = Buffer.from(sample, 'base64url').toString('utf8');
  } catch {
    return null;
  }
  if (!text.includes(sampleRow.id)) return null;
  let out = text.split(sampleRow.id).join(deepRow.id);
  // The timestamp as the api wrote it: same text as the sample row's, in its own precision.
  const m = ISO.exec(out);
  if (m) {
    const micro = m[1] && m[1].length > 4;
    const iso = micro ? deepRow.created_at : new Date(deepRow.created_at).toISOString();
    out = out.replace(ISO, iso);
  } else if (!UUID.test(out)) {
    return null;
  }
  return Buffer.from(out, 'utf8').toString('base64url');
}

export async function runAdminBench(o: BenchOptions, sandboxUrl: string, log: (s: string) => void): Promise<AdminBenchResult> {
  const rows = o.adminRows;
  log(`admin queries at ${rows.toLocaleString('en-US')} verifications, ${o.adminRuns} runs each`);
  const db = await createDatabase(o.databaseUrl, 'admin');
  const pii = generateKeyMaterial();
  const adminKey = `bench_${randomBytes(24).toString('base64url')}`;
  const adminApiKeys = `bench:${createHash('sha256').update(adminKey).digest('hex')}:verifications:read`;
  let api: StartedServer | null = null;
  const c = new Client({ connectionString: db.url });
  try {
    api = await startApi({ databaseUrl: db.url, poolSize: o.poolSize, sandboxUrl, pii, adminApiKeys, main: o.apiMain, nodeOptions: o.apiNodeOptions, cpuProfDir: o.cpuProf });
    await c.connect();
    await c.query(`SET TIME ZONE 'UTC'`);
    const cipher = PiiCipher.fromConfig(pii.encryptionKeys);
    const bidx = BlindIndex.fromConfig(pii.hmacKey);
    const t0 = nowMs();
    const probes = await seed(c, rows, cipher, bidx, log);
    const seedSeconds = round((nowMs() - t0) / 1000, 1);
    log(`  seeded in ${seedSeconds} s (${probes.users.toLocaleString('en-US')} users)`);

    const http = new HttpClient(api.url, 1);
    const auth = { authorization: `Bearer ${adminKey}` };
    const get = async <T>(path: string): Promise<T> => {
      const r = await http.request<T>('GET', path, undefined, auth);
      if (r.status !== 200) throw new Error(`GET ${path.replace(/(phone|ci)=[^&]+/, '$1=…')}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      return r.body;
    };

    const first = await get<Page>(`/admin/certifications?limit=${PAGE}`);
    if (!Array.isArray(first.items) || first.items.length !== PAGE) throw new Error('admin list: unexpected first page');

    // The deep page: the row at `deep` (newest first) and a cursor after it.
    const deep = Math.floor(rows / 2);
    const rowAt = async (offset: number) =>
      (
        await c.query<{ id: string; imp_uid: string; created_at: string }>(
          `SELECT id, imp_uid, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at
             FROM certifications ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`,
          [offset],
        )
      ).rows[0];
    const deepRow = await rowAt(deep - 1);
    const expectedFirst = (await rowAt(deep)).imp_uid;
    let cursor: string | null = null;
    let cursorSource: AdminBenchResult['cursorSource'] = 'none';
    if (first.next_cursor) {
      const sampleRow = await rowAt(PAGE - 1);
      const built = constructCursor(first.next_cursor, sampleRow, deepRow);
      if (built) {
        const page = await get<Page>(`/admin/certifications?limit=${PAGE}&cursor=${encodeURIComponent(built)}`);
        if (page.items[0]?.imp_uid === expectedFirst) {
          cursor = built;
          cursorSource = 'constructed';
        }
      }
      if (!cursor) {
        // Walk there (bounded): the largest page the api accepts, following next_cursor.
        log(`  walking to position ${deep.toLocaleString('en-US')} by cursor`);
        let at = 0;
        let next: string | null = null;
        let limit = 100;
        for (let guard = 0; guard < 20_000 && at < deep; guard++) {
          const want = Math.min(limit, deep - at);
          const r: { status: number; body: Page } = await http.request<Page>('GET', `/admin/certifications?limit=${want}${next ? `&cursor=${encodeURIComponent(next)}` : ''}`, undefined, auth);
          if (r.status === 400 && limit > PAGE) {
            limit = PAGE;
            continue;
          }
          if (r.status !== 200 || !r.body.next_cursor) break;
          at += r.body.items.length;
          next = r.body.next_cursor;
        }
        if (at === deep && next) {
          cursor = next;
          cursorSource = 'walked';
        }
      }
    }

    const firstPage = () => get(`/admin/certifications?limit=${PAGE}`);
    const deepPage = () => get(`/admin/certifications?limit=${PAGE}&cursor=${encodeURIComponent(cursor!)}`);
    const byPhone = async (i: number) => {
      const page = await get<Page>(`/admin/certifications?limit=${PAGE}&phone=${probes.phones[i % PROBES]}`);
      if (page.items.length !== 4) throw new Error(`phone filter: ${page.items.length} items, expected 4`);
    };
    const byCi = (i: number) => get(`/admin/users?ci=${encodeURIComponent(probes.cis[i % PROBES])}`);
    // Warm-up of the api as a whole (JIT, pools, and its heap reaching a steady size: about
    // 15 s of this load here), the four queries in turn, before any of them is measured.
    log(`  warming up (${o.adminWarmup} rounds of the four queries)`);
    for (let i = 0; i < o.adminWarmup; i++) {
      await firstPage();
      if (cursor) await deepPage();
      await byPhone(i);
      await byCi(i);
    }
    log('  measuring');
    const listFirstPage = await measure(o.adminRuns, async () => {
      await firstPage();
    });
    const listDeepPageByCursor = cursor ? await measure(o.adminRuns, async () => void (await deepPage())) : null;
    const phoneFilter = await measure(o.adminRuns, byPhone);
    const ciLookup = await measure(o.adminRuns, async (i) => void (await byCi(i)));
    const cols = 'id, imp_uid, merchant_uid, flow, status, name_enc, phone_enc, birthday, gender, carrier, certified_at, created_at';
    const sqlOffsetDeepPage = await measure(
      o.offsetRuns,
      async () => {
        await c.query(`SELECT ${cols} FROM certifications ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT ${PAGE}`, [deep]);
      },
      3,
    );
    const sqlKeysetDeepPage = await measure(o.adminRuns, async () => {
      await c.query(
        `SELECT ${cols} FROM certifications WHERE (created_at, id) < ($1::timestamptz, $2::uuid) ORDER BY created_at DESC, id DESC LIMIT ${PAGE}`,
        [deepRow.created_at, deepRow.id],
      );
    });
    // The CI lookup's own statement (as libs/admin runs it, prepared), without and with its audit
    // row: the floor under GET /admin/users?ci= on this server.
    const ciBidx = probes.cis.map((ci) => bidx.compute('ci', ci));
    const userSelect = `SELECT u.id, u.created_at, u.name_enc, u.phone_enc, u.birthday::text AS birthday, u.gender, u.foreigner,
         u.nickname, u.marketing_opt_in, c.imp_uid, c.flow, c.status, c.certified_at, c.pii_erased_at
    FROM users u LEFT JOIN certifications c ON c.id = u.certification_id WHERE u.ci_bidx = $1::char(64)`;
    const sqlCiSelect = await measure(o.adminRuns, async (i) => {
      await c.query({ name: 'bench_ci_select', text: userSelect, values: [ciBidx[i % PROBES]] });
    });
    const sqlCiLookupAudited = await measure(o.adminRuns, async (i) => {
      await c.query({
        name: 'bench_ci_lookup_audited',
        text: `WITH found AS (${userSelect}), audit AS (
                 INSERT INTO audit_log (key_id, action, subject_type, subject_id, result, client_ip, request_id)
                 SELECT $2, 'user.ci_lookup', 'user', (SELECT id::text FROM found),
                        CASE WHEN EXISTS (SELECT 1 FROM found) THEN 'ok' ELSE 'not_found' END, $3::inet, $4)
               SELECT * FROM found`,
        values: [ciBidx[i % PROBES], 'bench', '127.0.0.1', null],
      });
    });
    http.close();
    return {
      rows,
      users: probes.users,
      runs: o.adminRuns,
      seedSeconds,
      deepPosition: deep,
      cursorSource,
      queries: { listFirstPage, listDeepPageByCursor, phoneFilter, ciLookup, sqlOffsetDeepPage, sqlKeysetDeepPage, sqlCiSelect, sqlCiLookupAudited },
    };
  } finally {
    await c.end().catch(() => undefined);
    if (api) await api.stop();
    if (!o.keep) await db.drop().catch(() => undefined);
  }
}
