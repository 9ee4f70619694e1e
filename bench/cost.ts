import { Redis } from 'ioredis';
import { generateKeyMaterial } from '@app/pii';
import type { BenchOptions } from './lib/cli';
import { createDatabase, withClient } from './lib/database';
import { cpuMs } from './lib/processes';
import { startApi } from './lib/servers';
import { runSignupLoad } from './lib/signup-load';
import { round } from './lib/stats';
import type { SandboxControl } from './signup';

const TABLES = ['certifications', 'verification_tokens', 'users', 'audit_log', 'upstream_deletions', 'certification_flows', 'user_tombstones'];

export interface SignupCost {
  signups: number;
  concurrency: number;
  signupsPerSecond: number;
  /** Per completed signup (OTP request, confirmation, account), from deltas over the measured load. */
  perSignup: {
    apiCpuMs: number | null;
    postgresCpuMs: number | null;
    /** Transactions committed in the api's database: each autocommitted statement is one. */
    postgresTransactions: number;
    rowsInserted: number;
    rowsUpdated: number;
    rowsReturned: number;
    /** Redis commands touching the api's keys (MONITOR, filtered by the api's key prefix), scripts' included. */
    redisCommands: number;
    /** Commands the api sent (each a round trip, pipelining aside): EVALSHA counts once. */
    redisRoundTrips: number;
    redisByCommand: Record<string, number>;
    upstreamCalls: Record<string, number>;
  };
  /** Bytes per completed signup by table (heap + indexes + TOAST, pg_total_relation_size deltas). */
  bytesPerSignup: Record<string, number>;
  bytesPerSignupTotal: number;
  /** The same after VACUUM FULL (the live rows and their index entries, no dead versions). */
  compactBytesPerSignup: Record<string, number>;
  compactBytesPerSignupTotal: number;
}

/** Backend pids of a database (pg_stat_activity), their CPU summed from /proc. */
async function backendCpu(serverUrl: string, db: string): Promise<number | null> {
  const pids = await withClient(serverUrl, async (c) => (await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db])).rows.map((r) => r.pid));
  let sum = 0;
  for (const p of pids) {
    const ms = cpuMs(p);
    if (ms === null) return null;
    sum += ms;
  }
  return sum;
}

async function dbStats(url: string, db: string): Promise<{ xact: number; ins: number; upd: number; ret: number; sizes: Record<string, number> }> {
  return withClient(url, async (c) => {
    await c.query('SELECT pg_stat_clear_snapshot()');
    const s = (await c.query('SELECT xact_commit, tup_inserted, tup_updated, tup_returned + tup_fetched AS ret FROM pg_stat_database WHERE datname = $1', [db])).rows[0];
    const sizes: Record<string, number> = {};
    for (const t of TABLES) sizes[t] = Number((await c.query(`SELECT pg_total_relation_size($1::regclass) AS b`, [t])).rows[0].b);
    return { xact: Number(s.xact_commit), ins: Number(s.tup_inserted), upd: Number(s.tup_updated), ret: Number(s.ret), sizes };
  });
}

/**
 * What one signup costs on PostgreSQL and Redis (docs/scaling.md): the api alone on a fresh
 * database and a Redis key prefix of its own, a warm-up, then deltas over a measured load.
 * Needs REDIS_URL (default redis://127.0.0.1:6379); skipped when Redis does not answer.
 */
export async function runCostBench(o: BenchOptions, sandbox: SandboxControl, log: (s: string) => void): Promise<SignupCost | null> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await probe.connect();
    await probe.ping();
  } catch {
    log(`cost: Redis does not answer at ${redisUrl}: skipped`);
    probe.disconnect();
    return null;
  }
  const signups = o.quick ? 300 : 2000;
  const concurrency = 32;
  log(`cost of one signup: ${signups} signups at concurrency ${concurrency}, PostgreSQL and Redis`);
  await sandbox.reset(o.upstreamLatencyMs);
  const db = await createDatabase(o.databaseUrl, 'cost');
  const prefix = `bench:cost:${Date.now().toString(36)}:`;
  const api = await startApi({
    databaseUrl: db.url,
    poolSize: o.poolSize,
    sandboxUrl: sandbox.url,
    pii: generateKeyMaterial(),
    main: o.apiMain,
    extraEnv: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix },
  });
  const monitor = await probe.monitor();
  const byCommand: Record<string, number> = {};
  let counting = false;
  let roundTrips = 0;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (!counting || !args.some((a) => typeof a === 'string' && a.startsWith(prefix))) return;
    const cmd = String(args[0]).toLowerCase();
    // MONITOR shows a script's own commands too, with "lua" as their source
    const fromScript = source === 'lua';
    if (!fromScript) roundTrips += 1;
    const key = fromScript ? `${cmd} (in a script)` : cmd;
    byCommand[key] = (byCommand[key] ?? 0) + 1;
  });
  try {
    const base = { targetUrl: api.url, sandboxUrl: sandbox.url, concurrency };
    await runSignupLoad({ ...base, first: 0, count: 300 });
    const s0 = await dbStats(db.url, db.name);
    const calls0 = (await sandbox.stats()).calls as unknown as Record<string, number>;
    const api0 = cpuMs(api.child.pid);
    const pg0 = await backendCpu(o.databaseUrl, db.name);
    counting = true;
    const load = await runSignupLoad({ ...base, first: 300, count: signups });
    counting = false;
    const api1 = cpuMs(api.child.pid);
    const pg1 = await backendCpu(o.databaseUrl, db.name);
    const calls1 = (await sandbox.stats()).calls as unknown as Record<string, number>;
    const s1 = await dbStats(db.url, db.name);
    const n = load.completed;
    const per = (x: number) => round(x / n, 3);
    const upstreamCalls: Record<string, number> = {};
    for (const k of Object.keys(calls1)) if (calls1[k] - (calls0[k] ?? 0) > 0) upstreamCalls[k] = per(calls1[k] - (calls0[k] ?? 0));
    const bytesPerSignup: Record<string, number> = {};
    for (const t of TABLES) bytesPerSignup[t] = round((s1.sizes[t] - s0.sizes[t]) / n, 0);
    const redisTotal = Object.values(byCommand).reduce((a, b) => a + b, 0);
    // Compact size per row: everything the api wrote (warm-up included) after VACUUM FULL.
    await api.stop();
    const total = 300 + n;
    await withClient(db.url, (c) => c.query(`VACUUM FULL ${TABLES.join(', ')}`));
    const s2 = await dbStats(db.url, db.name);
    const compactBytesPerSignup: Record<string, number> = {};
    for (const t of TABLES) compactBytesPerSignup[t] = round(s2.sizes[t] / total, 0);
    // the stats queries themselves: a few transactions, negligible over N signups
    const result: SignupCost = {
      signups: n,
      concurrency,
      signupsPerSecond: load.signupsPerSecond,
      perSignup: {
        apiCpuMs: api0 !== null && api1 !== null ? per(api1 - api0) : null,
        postgresCpuMs: pg0 !== null && pg1 !== null ? per(pg1 - pg0) : null,
        postgresTransactions: per(s1.xact - s0.xact),
        rowsInserted: per(s1.ins - s0.ins),
        rowsUpdated: per(s1.upd - s0.upd),
        rowsReturned: per(s1.ret - s0.ret),
        redisCommands: per(redisTotal),
        redisRoundTrips: per(roundTrips),
        redisByCommand: Object.fromEntries(Object.entries(byCommand).map(([k, v]) => [k, per(v)])),
        upstreamCalls,
      },
      bytesPerSignup,
      bytesPerSignupTotal: round(Object.values(bytesPerSignup).reduce((a, b) => a + b, 0), 0),
      compactBytesPerSignup,
      compactBytesPerSignupTotal: round(Object.values(compactBytesPerSignup).reduce((a, b) => a + b, 0), 0),
    };
    if (load.failed) log(`  cost: ${load.failed} failed flows ${JSON.stringify(load.errors)}`);
    log(`  cost: ${JSON.stringify(result.perSignup)}`);
    return result;
  } finally {
    monitor.disconnect();
    probe.disconnect();
    await api.stop();
    if (!o.keep) await db.drop();
  }
}

export function costMarkdown(c: SignupCost): string {
  const p = c.perSignup;
  const kv = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    '### Cost of one signup (PostgreSQL + Redis, one api process)',
    '',
    `${c.signups} signups at ${c.concurrency} virtual users after 300 warm-up (${c.signupsPerSecond}/s); deltas per completed signup.`,
    '',
    '| figure | per signup |',
    '|---|---:|',
    `| api CPU (ms) | ${p.apiCpuMs ?? '–'} |`,
    `| PostgreSQL backends' CPU (ms) | ${p.postgresCpuMs ?? '–'} |`,
    `| PostgreSQL transactions (autocommitted statements) | ${p.postgresTransactions} |`,
    `| rows inserted / updated / read | ${p.rowsInserted} / ${p.rowsUpdated} / ${p.rowsReturned} |`,
    `| Redis round trips (commands sent) / commands run, scripts' included | ${p.redisRoundTrips} / ${p.redisCommands} (${kv(p.redisByCommand)}) |`,
    `| upstream calls | ${kv(p.upstreamCalls)} |`,
    `| bytes stored as written (all tables, with indexes and dead row versions) | ${c.bytesPerSignupTotal} (${kv(Object.fromEntries(Object.entries(c.bytesPerSignup).filter(([, v]) => v !== 0)))}) |`,
    `| bytes stored after VACUUM FULL | ${c.compactBytesPerSignupTotal} (${kv(Object.fromEntries(Object.entries(c.compactBytesPerSignup).filter(([, v]) => v >= 20)))}) |`,
    '',
  ].join('\n');
}
