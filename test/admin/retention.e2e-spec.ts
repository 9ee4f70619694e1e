/**
 * Retention: unused verifications older than RETENTION_UNUSED_VERIFICATION_DAYS lose their
 * personal data (RetentionService.run and `npm run retention:run`), and nothing else does.
 * Also the scheduled jobs being registered.
 */
import request from 'supertest';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AdminErasureService, RetentionService } from '@app/admin';
import { IamportClient } from '@app/iamport';
import type { TestApp } from '../support/app';
import { runRetentionCli } from '../../scripts/retention-run';
import { itIf, serverDatabaseMissing } from '../support/availability';
import {
  auditRows,
  bearer,
  expectNoneContains,
  insertCertification,
  insertUpstreamCertification,
  insertUser,
  makeAdminKeys,
  startAdminApp,
  type AdminKeys,
  type Fixture,
} from '../support/admin-fixtures';

let t: TestApp;
let keys: AdminKeys;
const DAY = 86_400_000;

beforeAll(async () => {
  keys = makeAdminKeys();
  // Pending, expired and locked ones on the same 30 days as verified ones here (default 24 hours: test/admin/retention-rules).
  t = await startAdminApp(keys, { RETENTION_UNUSED_VERIFICATION_DAYS: '30', RETENTION_UNFINISHED_VERIFICATION_HOURS: '720' });
});

afterAll(async () => {
  await t?.close();
});

const erasedAt = async (f: Fixture) =>
  (await t.query<{ pii_erased_at: Date | null; name_enc: string | null; ci_bidx: string | null; phone_bidx: string | null }>(
    `SELECT pii_erased_at, name_enc, ci_bidx, phone_bidx FROM certifications WHERE id = $1`,
    [f.id],
  ))[0];

describe('RetentionService.run', () => {
  it('erases only verifications that are old and unused', async () => {
    const now = Date.now();
    const old = new Date(now - 31 * DAY);
    const oldVerified = await insertCertification(t, { createdAt: old, status: 'verified' });
    const oldPending = await insertCertification(t, { createdAt: old, status: 'pending' });
    const oldExpired = await insertCertification(t, { createdAt: old, status: 'expired' });
    const oldLocked = await insertCertification(t, { createdAt: old, status: 'locked' });
    const oldUsed = await insertCertification(t, { createdAt: old, status: 'used' });
    const userId = await insertUser(t, oldUsed);
    const recent = await insertCertification(t, { createdAt: new Date(now - 29 * DAY), status: 'verified' });
    const justInside = await insertCertification(t, { createdAt: new Date(now - 30 * DAY + 60_000), status: 'pending' });
    const fresh = await insertCertification(t, { status: 'verified' });

    const result = await t.app.get(RetentionService).run(new Date(now));
    expect(result).toMatchObject({ erased: 4, days: 30, upstream_queued: 4 });

    for (const f of [oldVerified, oldPending, oldExpired, oldLocked]) {
      const row = await erasedAt(f);
      expect(row).toEqual({ pii_erased_at: expect.any(Date), name_enc: null, ci_bidx: null, phone_bidx: null });
    }
    for (const f of [oldUsed, recent, justInside, fresh]) {
      const row = await erasedAt(f);
      expect(row.pii_erased_at).toBeNull();
      expect(row.name_enc).not.toBeNull();
    }
    // The account of the used one is untouched.
    const user = await request(t.http).get(`/admin/users/${userId}`).set(bearer(keys.all)).expect(200);
    expect(user.body.name).toBe('홍*동');

    // Audited, as the system actor, without personal data.
    const rows = (await auditRows(t)).filter((r) => r.action === 'certification.retention_erase');
    expect(rows.map((r) => r.subject_id).sort()).toEqual([oldVerified, oldPending, oldExpired, oldLocked].map((f) => f.impUid).sort());
    expect(rows.every((r) => r.key_id === 'system:retention' && r.client_ip === null)).toBe(true);
    expectNoneContains(rows, [oldVerified.name, oldVerified.phone, oldVerified.ci, oldVerified.di]);

    // Upstream deletions queued for the worker.
    const queued = await t.query<{ imp_uid: string; reason: string }>(
      `SELECT imp_uid, reason FROM upstream_deletions WHERE reason = 'retention' ORDER BY imp_uid`,
    );
    expect(queued.map((q) => q.imp_uid)).toEqual([oldVerified, oldPending, oldExpired, oldLocked].map((f) => f.impUid).sort());

    // A second run finds nothing more; a run 2 days later takes `recent` (29 days old now).
    expect((await t.app.get(RetentionService).run(new Date(now))).erased).toBe(0);
    const later = await t.app.get(RetentionService).run(new Date(now + 2 * DAY));
    expect(later.erased).toBe(2); // recent and justInside
    expect((await erasedAt(recent)).pii_erased_at).toBeInstanceOf(Date);
    expect((await erasedAt(fresh)).pii_erased_at).toBeNull();
    expect((await erasedAt(oldUsed)).pii_erased_at).toBeNull();
  });

  it('works in batches and its upstream deletions are completed by the worker', async () => {
    // The api's own 30 s worker would share these passes on a slow machine: stop its timer (it stays registered).
    clearInterval(t.app.get(SchedulerRegistry).getInterval('admin.upstream-deletions'));
    const upstream = await insertUpstreamCertification(t, { name: '최지우', birth: '19800808', gender_digit: '2', phone: '01066667777' });
    await t.query(`UPDATE certifications SET created_at = now() - interval '40 days' WHERE id = $1`, [upstream.id]);
    const many: Fixture[] = [];
    for (let i = 0; i < 1203; i++) many.push(await insertCertification(t, { createdAt: new Date(Date.now() - 45 * DAY) }));
    const result = await t.app.get(RetentionService).run();
    expect(result.erased).toBe(1204);
    expect(result.batches).toBe(3); // 500 + 500 + 204
    const [{ left }] = await t.query<{ left: string }>(
      `SELECT count(*)::text AS left FROM certifications WHERE created_at < now() - interval '30 days' AND status <> 'used' AND pii_erased_at IS NULL`,
    );
    expect(left).toBe('0');

    // The worker takes 50 per pass (oldest due first); run passes until nothing is due.
    const worker = t.app.get(AdminErasureService);
    let passes = 0;
    while ((await worker.processPendingUpstreamDeletions()).attempted > 0) passes++;
    expect(passes).toBeGreaterThanOrEqual(Math.ceil(1204 / 50));
    const [{ pending }] = await t.query<{ pending: string }>(
      `SELECT count(*)::text AS pending FROM upstream_deletions WHERE completed_at IS NULL`,
    );
    expect(pending).toBe('0');
    const [row] = await t.query<{ completed_at: Date | null }>(`SELECT completed_at FROM upstream_deletions WHERE imp_uid = $1`, [
      upstream.impUid,
    ]);
    expect(row.completed_at).toBeInstanceOf(Date);
    await expect(t.app.get(IamportClient).getCertification(upstream.impUid)).rejects.toMatchObject({ httpStatus: 404 });
  });
});

describe('npm run retention:run (scripts/retention-run.ts)', () => {
  const env = () => ({
    NODE_ENV: 'test',
    DATABASE_URL: t.db.url,
    PII_ENCRYPTION_KEYS: t.config.pii.encryptionKeys!,
    PII_HMAC_KEY: t.config.pii.hmacKey!,
    IAMPORT_BASE_URL: t.sandboxUrl,
    IAMPORT_IMP_KEY: 'sandbox_imp_key',
    IAMPORT_IMP_SECRET: 'sandbox_imp_secret',
    RETENTION_UNUSED_VERIFICATION_DAYS: '10',
    RETENTION_UNFINISHED_VERIFICATION_HOURS: '240',
  });
  const run = async (argv: string[], environment: Record<string, string> = env()) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runRetentionCli({ argv, env: environment, out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  // The CLI opens its own connection: PGlite (one session) cannot serve it.
  itIf('retention CLI', serverDatabaseMissing())('counts with --dry-run, erases what is due, prints the counts', async () => {
    const due = await insertCertification(t, { createdAt: new Date(Date.now() - 11 * DAY), status: 'expired' });
    const notDue = await insertCertification(t, { createdAt: new Date(Date.now() - 9 * DAY), status: 'expired' });

    const dry = await run(['--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ dry_run: true, eligible: 1, days: 10 });
    expect((await erasedAt(due)).pii_erased_at).toBeNull();

    const real = await run([]);
    expect(real.err).toBe('');
    expect(real.code).toBe(0);
    expect(real.out).toMatch(/^retention: erased the personal data of 1 unused verification\(s\) created before .* \(10 days\)/);
    expect((await erasedAt(due)).pii_erased_at).toBeInstanceOf(Date);
    expect((await erasedAt(notDue)).pii_erased_at).toBeNull();
    expectNoneContains([{ out: real.out }], [due.name, due.phone]);
  });

  it('refuses the embedded database without --embedded, and unknown arguments', async () => {
    const { DATABASE_URL: _ignored, ...noDb } = env();
    const refused = await run([], { ...noDb, DATA_DIR: '/nonexistent/admin-test' });
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--embedded/);
    expect((await run(['--force'])).code).toBe(2);
  });
});

describe('scheduled jobs', () => {
  it('registers the upstream deletion interval and the daily retention cron (03:00 Asia/Seoul)', () => {
    const registry = t.app.get(SchedulerRegistry);
    expect(registry.doesExist('interval', 'admin.upstream-deletions')).toBe(true);
    const cron = registry.getCronJob('admin.retention');
    const next = cron.nextDate().setZone('Asia/Seoul');
    expect([next.hour, next.minute, next.second]).toEqual([3, 0, 0]);
  });
});
