import { createHash, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { BlindIndex, PiiCipher, generateKeyMaterial } from '@app/pii';
import type { BenchOptions } from './lib/cli';
import { PROBES, seedAdminTables, type SeedResult } from './lib/admin-seed';
import { explain, type PlanSummary } from './lib/admin-plans';
import { ADMIN_API_QUERIES, type ADMIN_PLANS, type AdminQueryName } from './lib/admin-queries';
import { createDatabase } from './lib/database';
import { startFloorServer } from './lib/floor-server';
import { HttpClient } from './lib/http';
import { startApi, type ApiStartOptions, type StartedServer } from './lib/servers';
import { Samples, nowMs, round, type LatencySummary } from './lib/stats';

/** The admin queries at one row count. */
export interface AdminRowsResult {
  rows: number;
  users: number;
  seed: SeedResult['seconds'] & { jobs: number };
  sizeMb: SeedResult['sizeMb'];
  deepPosition: number;
  cursorSource: 'constructed' | 'walked' | 'none';
  /** 1-minute load average before the seed, before the measurement, after it. */
  loadAverage: { seed: number; measure: number; end: number };
  /** null: not measured (no deep cursor could be made). */
  queries: Record<AdminQueryName, LatencySummary | null>;
  plans: Record<(typeof ADMIN_PLANS)[number], PlanSummary>;
}

export interface AdminBenchResult {
  runs: number;
  warmup: number;
  pageSize: number;
  byRows: AdminRowsResult[];
}

const PAGE = 20;

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

// The api's statements, mirrored for the raw-SQL comparisons and EXPLAIN (columns as the repositories select them).
const SHOWN = `c.id, c.imp_uid, c.merchant_uid, c.flow, c.status, c.otp_attempts, c.otp_expires_at, c.name_enc, c.phone_enc,
  to_char(c.birthday, 'YYYY-MM-DD') AS birthday, c.gender, c.foreigner, c.carrier, c.certified_at, c.used_at, c.pii_erased_at, c.created_at,
  c.updated_at, c.provider`;
const LIST = `SELECT ${SHOWN}, to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_t FROM certifications c`;
const ORDER = `ORDER BY c.created_at DESC, c.id DESC LIMIT ${PAGE + 1}`;
const DETAIL = `SELECT ${SHOWN} FROM certifications c WHERE c.imp_uid = $1`;
const userSelect = (key: 'ci' | 'di') => `SELECT u.id, u.provider, u.name_enc, u.phone_enc, u.birthday::text AS birthday, u.gender, u.foreigner,
       u.nickname, u.marketing_opt_in, u.created_at, c.imp_uid, c.flow, c.status, c.certified_at, c.pii_erased_at
    FROM users u LEFT JOIN certifications c ON c.id = u.certification_id WHERE u.${key}_bidx = $1::char(64)`;

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

/** Seeds and measures each row count in turn (`--rows`), on a fresh database each. */
export async function runAdminBench(o: BenchOptions, sandboxUrl: string, log: (s: string) => void): Promise<AdminBenchResult> {
  const byRows: AdminRowsResult[] = [];
  for (const rows of o.adminRows) byRows.push(await runAtRows(o, rows, sandboxUrl, log));
  return { runs: o.adminRuns, warmup: o.adminWarmup, pageSize: PAGE, byRows };
}

const load1 = () => round(loadavg()[0], 2);

async function runAtRows(o: BenchOptions, rows: number, sandboxUrl: string, log: (s: string) => void): Promise<AdminRowsResult> {
  log(`admin queries at ${rows.toLocaleString('en-US')} verifications, ${o.adminRuns} runs each`);
  const loadSeed = load1();
  const db = await createDatabase(o.databaseUrl, 'admin');
  const pii = generateKeyMaterial();
  const adminKey = `bench_${randomBytes(24).toString('base64url')}`;
  const adminApiKeys = `bench:${createHash('sha256').update(adminKey).digest('hex')}:verifications:read`;
  // One key makes every request: its own limit (300 per 10 minutes) raised, as the per-IP ones are for the signup load.
  const apiOptions: ApiStartOptions = {
    databaseUrl: db.url, poolSize: o.poolSize, sandboxUrl, pii, adminApiKeys, main: o.apiMain, nodeOptions: o.apiNodeOptions, cpuProfDir: o.cpuProf,
    extraEnv: { ADMIN_RATE_LIMIT_PER_KEY: '100000' },
  };
  let api: StartedServer | null = null;
  const c = new Client({ connectionString: db.url });
  try {
    // The api's first boot runs its migrations; it is stopped while the tables are bulk-loaded.
    api = await startApi(apiOptions);
    await api.stop();
    api = null;
    const cipher = PiiCipher.fromConfig(pii.encryptionKeys);
    const bidx = BlindIndex.fromConfig(pii.hmacKey);
    const seeded = await seedAdminTables(db.url, rows, o.seedJobs, cipher, bidx, log);
    const probes = seeded.probes;
    log(`  seeded in ${seeded.seconds.total} s (${seeded.users.toLocaleString('en-US')} users; load ${seeded.seconds.load} s, indexes ${seeded.seconds.indexes} s, ` +
      `vacuum ${seeded.seconds.vacuum} s, checkpoint ${seeded.seconds.checkpoint} s; certifications ${seeded.sizeMb.certifications.table} MB + ` +
      `${seeded.sizeMb.certifications.indexes} MB of indexes)`);
    api = await startApi(apiOptions);
    await c.connect();
    await c.query(`SET TIME ZONE 'UTC'`);

    const http = new HttpClient(api.url, 1);
    const auth = { authorization: `Bearer ${adminKey}` };
    const get = async <T>(path: string): Promise<T> => {
      const r = await http.request<T>('GET', path, undefined, auth);
      if (r.status !== 200) throw new Error(`GET ${path.replace(/(phone|ci|di)=[^&]+/, '$1=…')}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
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
    let cursorSource: AdminRowsResult['cursorSource'] = 'none';
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
      if (!cursor && deep <= 2_000_000) {
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
    const byDi = (i: number) => get(`/admin/users?di=${encodeURIComponent(probes.dis[i % PROBES])}`);
    const detail = (i: number) => get(`/admin/certifications/${probes.impUids[i % PROBES]}`);
    // Warm-up of the api as a whole (JIT, pools, and its heap reaching a steady size), every
    // query in turn, before any of them is measured.
    log(`  warming up (${o.adminWarmup} rounds of the ${ADMIN_API_QUERIES.length} queries)`);
    for (let i = 0; i < o.adminWarmup; i++) {
      await firstPage();
      if (cursor) await deepPage();
      await byPhone(i);
      await byCi(i);
      await byDi(i);
      await detail(i);
    }
    log('  measuring');
    const loadMeasure = load1();
    const q = {} as AdminRowsResult['queries'];
    q.listFirstPage = await measure(o.adminRuns, async () => void (await firstPage()));
    q.listDeepPageByCursor = cursor ? await measure(o.adminRuns, async () => void (await deepPage())) : null;
    q.phoneFilter = await measure(o.adminRuns, byPhone);
    q.ciLookup = await measure(o.adminRuns, async (i) => void (await byCi(i)));
    q.diLookup = await measure(o.adminRuns, async (i) => void (await byDi(i)));
    q.detail = await measure(o.adminRuns, async (i) => void (await detail(i)));
    http.close();
    const floor = await startFloorServer();
    try {
      const bare = new HttpClient(floor.url, 1);
      q.httpFloor = await measure(o.adminRuns, async () => void (await bare.request('GET', '/', undefined, auth)));
      bare.close();
    } finally {
      await floor.stop();
    }
    // OFFSET reads every row before the page: fewer runs as the table grows (about 30 s at most).
    const offsetRuns = Math.max(5, Math.min(o.offsetRuns, Math.round((o.offsetRuns * 1_000_000) / rows)));
    q.sqlOffsetDeepPage = await measure(offsetRuns, async () => void (await c.query(`${LIST} ORDER BY c.created_at DESC, c.id DESC OFFSET $1 LIMIT ${PAGE}`, [deep])), 2);
    const keyset = `${LIST} WHERE (c.created_at, c.id) < ($1::timestamptz, $2::uuid) ${ORDER}`;
    q.sqlKeysetDeepPage = await measure(o.adminRuns, async () => void (await c.query(keyset, [deepRow.created_at, deepRow.id])));
    // The CI lookup's own statement (prepared, as the repository runs it), without and with its
    // audit row: the floor under GET /admin/users?ci= on this server.
    const ciBidx = probes.cis.map((ci) => bidx.compute('ci', ci));
    const diBidx = probes.dis.map((di) => bidx.compute('di', di));
    q.sqlCiSelect = await measure(o.adminRuns, async (i) => void (await c.query({ name: 'bench_ci_select', text: userSelect('ci'), values: [ciBidx[i % PROBES]] })));
    q.sqlCiLookupAudited = await measure(o.adminRuns, async (i) => {
      await c.query({
        name: 'bench_ci_lookup_audited',
        text: `WITH found AS (${userSelect('ci')}), audit AS (
                 INSERT INTO audit_log (key_id, action, subject_type, subject_id, result, client_ip, request_id)
                 SELECT $2, 'user.ci_lookup', 'user', (SELECT id::text FROM found),
                        CASE WHEN EXISTS (SELECT 1 FROM found) THEN 'ok' ELSE 'not_found' END, $3::inet, $4)
               SELECT * FROM found`,
        values: [ciBidx[i % PROBES], 'bench', '127.0.0.1', null],
      });
    });
    const loadEnd = load1();
    log('  EXPLAIN (ANALYZE, BUFFERS)');
    const plans: AdminRowsResult['plans'] = {
      listFirstPage: await explain(c, `${LIST} ${ORDER}`, []),
      listDeepPageByCursor: await explain(c, keyset, [deepRow.created_at, deepRow.id]),
      phoneFilter: await explain(c, `${LIST} WHERE c.phone_bidx = $1::char(64) ${ORDER}`, [bidx.compute('phone', probes.phones[0])]),
      ciLookup: await explain(c, userSelect('ci'), [ciBidx[0]]),
      diLookup: await explain(c, userSelect('di'), [diBidx[0]]),
      detail: await explain(c, DETAIL, [probes.impUids[0]]),
    };
    return {
      rows,
      users: seeded.users,
      seed: { ...seeded.seconds, jobs: seeded.jobs },
      sizeMb: seeded.sizeMb,
      deepPosition: deep,
      cursorSource,
      loadAverage: { seed: loadSeed, measure: loadMeasure, end: loadEnd },
      queries: q,
      plans,
    };
  } finally {
    await c.end().catch(() => undefined);
    if (api) await api.stop();
    if (!o.keep) await db.drop().catch(() => undefined);
  }
}
