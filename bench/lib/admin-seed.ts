import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { BlindIndex, PiiCipher, PiiColumn } from '@app/pii';
import { nowMs, round } from './stats';

/** Probe values the measured queries look up: real blind indexes under the api's keys. */
export interface SeedProbes {
  /** Phones with exactly 4 verifications each. */
  phones: string[];
  /** CIs and DIs of accounts (one account each). */
  cis: string[];
  dis: string[];
  /** imp_uids spread over the table, for the detail route. */
  impUids: string[];
}

export interface SeedResult {
  probes: SeedProbes;
  users: number;
  /** Wall seconds of each phase; `total` is what `seedSeconds` reports. */
  seconds: { load: number; indexes: number; vacuum: number; checkpoint: number; total: number };
  jobs: number;
  /** On-disk size after the seed, MB: heap (with TOAST) and all its indexes. */
  sizeMb: { certifications: { table: number; indexes: number }; users: { table: number; indexes: number } };
}

export const PROBES = 50;
const CHUNK = 100_000;
const TABLES = ['certifications', 'users', 'verification_tokens'];

function b64(bytes: number): string {
  return randomBytes(bytes).toString('base64');
}

/** Fake but well-formed CI (88 chars of base64, as upstream). */
export function fakeCi(): string {
  return b64(64);
}

/**
 * One chunk of verifications (g in [$1, $2]) and, in the same statement, the account of each used
 * one: a year of history, a realistic status, flow and provider mix, ciphertexts from pools.
 */
const CHUNK_SQL = `
  WITH ins AS (
    INSERT INTO certifications (imp_uid, merchant_uid, flow, status, otp_attempts, otp_expires_at, name_enc, phone_enc,
       phone_bidx, ci_enc, ci_bidx, di_enc, di_bidx, provider, birthday, gender, foreigner, carrier, certified_at, used_at,
       created_at, updated_at)
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
           CASE WHEN verified THEN md5('e' || g) || md5('f' || g) END,
           CASE WHEN h % 10 = 0 THEN 'portone' ELSE 'iamport' END,
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
      ) s2
    RETURNING id, status, ci_bidx, ci_enc, di_enc, di_bidx, provider, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner, used_at
  )
  INSERT INTO users (ci_bidx, ci_enc, di_enc, di_bidx, provider, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner, certification_id, created_at)
  SELECT ci_bidx, ci_enc, di_enc, di_bidx, provider, name_enc, phone_enc, phone_bidx, birthday, gender, coalesce(foreigner, false), id, used_at
    FROM ins WHERE status = 'used'`;

interface Saved {
  /** Dropped first, recreated last (they need the unique indexes). */
  foreignKeys: { table: string; name: string; def: string }[];
  /** Primary keys and unique constraints: their index is rebuilt, then attached. */
  keys: { table: string; name: string; kind: 'PRIMARY KEY' | 'UNIQUE'; indexDef: string }[];
  indexes: { name: string; def: string }[];
}

/** Drops the indexes and keys of the seeded tables: one sorted build each afterwards beats 10M random inserts into each. */
async function dropIndexes(c: Client): Promise<Saved> {
  const fk = await c.query<{ table: string; name: string; def: string }>(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS def
       FROM pg_constraint WHERE contype = 'f' AND (conrelid = ANY($1::regclass[]) OR confrelid = ANY($1::regclass[]))`,
    [TABLES],
  );
  const keys = await c.query<{ table: string; name: string; contype: string; index_def: string }>(
    `SELECT conrelid::regclass::text AS table, conname AS name, contype, pg_get_indexdef(conindid) AS index_def
       FROM pg_constraint WHERE contype IN ('p', 'u') AND conrelid = ANY($1::regclass[])`,
    [TABLES],
  );
  const indexes = await c.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))`,
    [TABLES],
  );
  for (const f of fk.rows) await c.query(`ALTER TABLE ${f.table} DROP CONSTRAINT ${f.name}`);
  for (const i of indexes.rows) await c.query(`DROP INDEX ${i.name}`);
  for (const k of keys.rows) await c.query(`ALTER TABLE ${k.table} DROP CONSTRAINT ${k.name}`);
  return {
    foreignKeys: fk.rows,
    keys: keys.rows.map((k) => ({ table: k.table, name: k.name, kind: k.contype === 'p' ? 'PRIMARY KEY' : 'UNIQUE', indexDef: k.index_def })),
    indexes: indexes.rows,
  };
}

/** Runs `tasks` on the clients, each client taking the next task when it is free. */
async function inParallel(clients: Client[], tasks: ((c: Client) => Promise<void>)[]): Promise<void> {
  let next = 0;
  await Promise.all(
    clients.map(async (c) => {
      while (next < tasks.length) await tasks[next++](c);
    }),
  );
}

async function rebuildIndexes(clients: Client[], saved: Saved): Promise<void> {
  // Largest first, so the last build does not run alone.
  const builds = [...saved.keys.map((k) => k.indexDef), ...saved.indexes.map((i) => i.def)].sort(
    (a, b) => Number(b.includes('ON public.certifications')) - Number(a.includes('ON public.certifications')),
  );
  await inParallel(clients, builds.map((def) => (c) => c.query(def).then(() => undefined)));
  const c = clients[0];
  for (const k of saved.keys) await c.query(`ALTER TABLE ${k.table} ADD CONSTRAINT ${k.name} ${k.kind} USING INDEX ${k.name}`);
  for (const f of saved.foreignKeys) await c.query(`ALTER TABLE ${f.table} ADD CONSTRAINT ${f.name} ${f.def}`);
}

async function insertProbes(c: Client, cipher: PiiCipher, bidx: BlindIndex, rows: number): Promise<SeedProbes> {
  const phones = Array.from({ length: PROBES }, (_, k) => `0107${String(k).padStart(7, '0')}`);
  const cis = Array.from({ length: PROBES }, () => fakeCi());
  const dis = Array.from({ length: PROBES }, () => b64(48));
  const day = 86400 * 1000;
  const ago = () => new Date(Date.now() - Math.random() * 360 * day);
  let n = 0;
  const uid = () => `imp_8${String(n++).padStart(11, '0')}`;
  const expired = phones.flatMap((phone) => Array.from({ length: 4 }, () => ({ phone, created: ago() })));
  await c.query(
    `INSERT INTO certifications (imp_uid, flow, status, otp_expires_at, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner, carrier, created_at, updated_at)
     SELECT u, 'otp', 'expired', t + interval '3 minutes', n, p, b, '1990-01-01', 'male', false, 'SKT', t, t
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[]) AS v(u, t, n, p, b)`,
    [
      expired.map(uid),
      expired.map((e) => e.created),
      expired.map(() => cipher.encrypt('박철수', 'name_enc')),
      expired.map((e) => cipher.encrypt(e.phone, 'phone_enc')),
      expired.map((e) => bidx.compute('phone', e.phone)),
    ],
  );
  const enc = (values: string[], column: PiiColumn) => values.map((v) => cipher.encrypt(v, column));
  await c.query(
    `WITH ins AS (
       INSERT INTO certifications (imp_uid, flow, status, name_enc, phone_enc, phone_bidx, ci_enc, ci_bidx, di_enc, di_bidx, birthday, gender,
                                   foreigner, carrier, certified_at, used_at, created_at, updated_at)
       SELECT u, 'otp', 'used', n, p, b, ce, cb, de, db, '1985-05-05', 'female', false, 'KT', t, t, t, t
         FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
              AS v(u, t, n, p, b, ce, cb, de, db)
       RETURNING id, ci_bidx, ci_enc, di_enc, di_bidx, name_enc, phone_enc, phone_bidx, birthday, gender, used_at
     )
     INSERT INTO users (ci_bidx, ci_enc, di_enc, di_bidx, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner, certification_id, created_at)
     SELECT ci_bidx, ci_enc, di_enc, di_bidx, name_enc, phone_enc, phone_bidx, birthday, gender, false, id, used_at FROM ins`,
    [
      cis.map(uid),
      cis.map(ago),
      enc(cis.map(() => '최영희'), 'name_enc'),
      enc(cis.map(() => '01055550000'), 'phone_enc'),
      cis.map(() => bidx.compute('phone', '01055550000')),
      enc(cis, 'ci_enc'),
      cis.map((ci) => bidx.compute('ci', ci)),
      enc(dis, 'di_enc'),
      dis.map((di) => bidx.compute('di', di)),
    ],
  );
  // Generated rows spread over the whole table (a multiplicative step mod rows).
  const impUids = Array.from({ length: PROBES }, (_, k) => `imp_${String(1 + ((k * 2_654_435_761) % rows)).padStart(12, '0')}`);
  return { phones, cis, dis, impUids };
}

/**
 * Seeds `rows` realistic verifications and their accounts into the api's schema (the api must
 * not be running): indexes dropped, chunks of INSERT ... SELECT FROM generate_series on `jobs`
 * connections, probe rows, the indexes rebuilt, VACUUM ANALYZE, CHECKPOINT.
 */
export async function seedAdminTables(
  url: string,
  rows: number,
  jobs: number,
  cipher: PiiCipher,
  bidx: BlindIndex,
  log: (s: string) => void,
): Promise<SeedResult> {
  const clients = Array.from({ length: jobs }, () => new Client({ connectionString: url }));
  try {
    for (const c of clients) {
      await c.connect();
      // Session settings only: the bench's own connections, nothing server-wide changes.
      await c.query(`SET synchronous_commit = off`);
      await c.query(`SET maintenance_work_mem = '512MB'`);
      await c.query(`SET TIME ZONE 'UTC'`);
    }
    const c = clients[0];
    const t0 = nowMs();
    const pool = (n: number, column: PiiColumn, make: (i: number) => string) => Array.from({ length: n }, (_, i) => cipher.encrypt(make(i), column));
    const names = pool(997, 'name_enc', (i) => `김서${String.fromCharCode(0xac00 + i)}`);
    const phones = pool(991, 'phone_enc', (i) => `010${String(20000000 + i * 7919)}`);
    const cis = pool(983, 'ci_enc', () => fakeCi());
    const dis = pool(977, 'di_enc', () => b64(48));
    const distinctPhones = Math.max(1000, Math.floor(rows / 3));
    const spacingSeconds = (365 * 86400) / rows;
    const start = new Date(Date.now() - 366 * 86400 * 1000);
    const saved = await dropIndexes(c);
    let done = 0;
    let lastLog = 0;
    const chunks: ((c: Client) => Promise<void>)[] = [];
    for (let from = 1; from <= rows; from += CHUNK) {
      const to = Math.min(rows, from + CHUNK - 1);
      chunks.push(async (client) => {
        await client.query(CHUNK_SQL, [from, to, names, phones, cis, dis, start, spacingSeconds, distinctPhones]);
        done += to - from + 1;
        if (done === rows || nowMs() - lastLog > 10_000) {
          lastLog = nowMs();
          log(`  seeded ${done.toLocaleString('en-US')} / ${rows.toLocaleString('en-US')} verifications (${((nowMs() - t0) / 1000).toFixed(0)} s)`);
        }
      });
    }
    await inParallel(clients, chunks);
    const probes = await insertProbes(c, cipher, bidx, rows);
    const t1 = nowMs();
    log(`  building ${saved.keys.length + saved.indexes.length} indexes`);
    await rebuildIndexes(clients, saved);
    const t2 = nowMs();
    log('  VACUUM ANALYZE');
    await Promise.all([clients[0].query('VACUUM ANALYZE certifications'), (clients[1] ?? clients[0]).query('VACUUM ANALYZE users')]);
    const t3 = nowMs();
    // Write the bulk load's dirty pages out now, so no checkpoint flushes them during the measurement.
    log('  CHECKPOINT');
    await c.query('CHECKPOINT').catch((e: Error) => log(`  CHECKPOINT refused (${e.message}): measuring anyway`));
    const t4 = nowMs();
    const users = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0].n);
    const size = async (table: string) => {
      const r = await c.query<{ t: string; i: string }>(`SELECT pg_table_size($1::regclass) AS t, pg_indexes_size($1::regclass) AS i`, [table]);
      return { table: round(Number(r.rows[0].t) / 1048576, 0), indexes: round(Number(r.rows[0].i) / 1048576, 0) };
    };
    const s = (a: number, b: number) => round((b - a) / 1000, 1);
    return {
      probes,
      users,
      jobs,
      seconds: { load: s(t0, t1), indexes: s(t1, t2), vacuum: s(t2, t3), checkpoint: s(t3, t4), total: s(t0, t4) },
      sizeMb: { certifications: await size('certifications'), users: await size('users') },
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}
