/**
 * Every retention rule, each with its default or setting, run at an injected instant
 * (`RetentionService.runAll(now)` / `plan(now)`): unfinished verifications (24 h), verified unused
 * ones (30 days), a used one's kept copy (SIGNUP_KEEP_VERIFICATION_PII_HOURS), audit rows (365
 * days), finished outbox rows (30 days); and `npm run retention:run -- --dry-run` per rule.
 */
import { RetentionService } from '@app/admin';
import { runRetentionCli } from '../../scripts/retention-run';
import type { TestApp } from '../support/app';
import { itIf, serverDatabaseMissing } from '../support/availability';
import { insertCertification, insertUser, makeAdminKeys, startAdminApp, type Fixture } from '../support/admin-fixtures';

let t: TestApp;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The injected clock: every rule is judged from this instant (rows are dated from it).
const NOW = new Date();
const ago = (ms: number) => new Date(NOW.getTime() - ms);

beforeAll(async () => {
  t = await startAdminApp(makeAdminKeys(), { SIGNUP_KEEP_VERIFICATION_PII_HOURS: '48' });
});

afterAll(async () => {
  await t?.close();
});

const erased = async (f: Fixture) =>
  (await t.query<{ pii_erased_at: Date | null }>(`SELECT pii_erased_at FROM certifications WHERE id = $1`, [f.id]))[0].pii_erased_at !== null;

async function audit(occurredAt: Date, subject: string): Promise<void> {
  await t.query(
    `INSERT INTO audit_log (occurred_at, key_id, action, subject_type, subject_id, result) VALUES ($1, 'ops', 'certification.reveal', 'certification', $2, 'ok')`,
    [occurredAt, subject],
  );
}

async function outbox(impUid: string, completedAt: Date | null, createdAt: Date): Promise<void> {
  await t.query(
    `INSERT INTO upstream_deletions (imp_uid, reason, next_attempt_at, completed_at, created_at) VALUES ($1, 'admin', $2, $3, $2)`,
    [impUid, createdAt, completedAt],
  );
}

const count = async (sql: string, params: unknown[] = []) => Number((await t.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${sql}`, params))[0].n);

describe('retention of every table at an injected instant', () => {
  const rows: Record<string, Fixture> = {};

  beforeAll(async () => {
    for (const status of ['pending', 'expired', 'locked'] as const) {
      rows[`${status}-25h`] = await insertCertification(t, { status, createdAt: ago(25 * HOUR) });
      rows[`${status}-23h`] = await insertCertification(t, { status, createdAt: ago(23 * HOUR) });
    }
    rows['verified-31d'] = await insertCertification(t, { status: 'verified', createdAt: ago(31 * DAY) });
    rows['verified-29d'] = await insertCertification(t, { status: 'verified', createdAt: ago(29 * DAY) });
    // used_at = created_at in the fixture; each backs an account.
    rows['used-49h'] = await insertCertification(t, { status: 'used', createdAt: ago(49 * HOUR) });
    rows['used-47h'] = await insertCertification(t, { status: 'used', createdAt: ago(47 * HOUR) });
    await insertUser(t, rows['used-49h'], 'u49');
    await insertUser(t, rows['used-47h'], 'u47');
    await audit(ago(366 * DAY), 'imp_old_audit');
    await audit(ago(364 * DAY), 'imp_recent_audit');
    await outbox('imp_done_31d', ago(31 * DAY), ago(32 * DAY));
    await outbox('imp_done_29d', ago(29 * DAY), ago(30 * DAY));
    await outbox('imp_pending_90d', null, ago(90 * DAY));
  });

  it('plans each rule without removing anything', async () => {
    const plan = await t.app.get(RetentionService).plan(NOW);
    expect(Object.fromEntries(plan.map((r) => [r.rule, r.due]))).toEqual({
      unfinished_verifications: 3,
      unused_verifications: 1,
      used_verifications: 1,
      audit_log: 1,
      finished_outbox: 1,
    });
    expect(plan.find((r) => r.rule === 'audit_log')!.cutoff).toBe(ago(365 * DAY).toISOString());
    expect(await erased(rows['pending-25h'])).toBe(false);
    expect(await count(`audit_log WHERE subject_id = 'imp_old_audit'`)).toBe(1);
  });

  it('runs every rule: erases what is due, deletes old audit and finished outbox rows, keeps the rest', async () => {
    const run = await t.app.get(RetentionService).runAll(NOW);
    expect(run.verifications).toMatchObject({ erased: 5, days: 30 });
    expect(run.audit_log).toEqual({ cutoff: ago(365 * DAY).toISOString(), days: 365, deleted: 1 });
    expect(run.upstream_deletions).toEqual({ cutoff: ago(30 * DAY).toISOString(), days: 30, deleted: 1 });

    for (const key of ['pending-25h', 'expired-25h', 'locked-25h', 'verified-31d', 'used-49h']) expect([key, await erased(rows[key])]).toEqual([key, true]);
    for (const key of ['pending-23h', 'expired-23h', 'locked-23h', 'verified-29d', 'used-47h']) expect([key, await erased(rows[key])]).toEqual([key, false]);
    expect(await count(`audit_log WHERE subject_id = 'imp_old_audit'`)).toBe(0);
    expect(await count(`audit_log WHERE subject_id = 'imp_recent_audit'`)).toBe(1);
    expect(await count(`upstream_deletions WHERE imp_uid = 'imp_done_31d'`)).toBe(0);
    expect(await count(`upstream_deletions WHERE imp_uid IN ('imp_done_29d', 'imp_pending_90d')`)).toBe(2);
    // The accounts are untouched by the erasure of their verification's copy.
    expect(await count(`users WHERE nickname IN ('u49', 'u47') AND name_enc IS NOT NULL`)).toBe(2);

    // Two hours later the 23 h and 47 h rows are due too.
    const later = await t.app.get(RetentionService).runAll(new Date(NOW.getTime() + 2 * HOUR));
    expect(later.verifications.erased).toBe(4);
  });

  itIf('retention CLI', serverDatabaseMissing())('npm run retention:run -- --dry-run prints what each rule would remove', async () => {
    await insertCertification(t, { status: 'pending', createdAt: new Date(Date.now() - 25 * HOUR) });
    const out: string[] = [];
    const err: string[] = [];
    const code = await runRetentionCli({
      argv: ['--dry-run'],
      env: {
        NODE_ENV: 'test',
        DATABASE_URL: t.db.url,
        PII_ENCRYPTION_KEYS: t.config.pii.encryptionKeys!,
        PII_HMAC_KEY: t.config.pii.hmacKey!,
        IAMPORT_BASE_URL: t.sandboxUrl,
        IAMPORT_IMP_KEY: 'sandbox_imp_key',
        IAMPORT_IMP_SECRET: 'sandbox_imp_secret',
      },
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const text = out.join('\n');
    expect(text).toMatch(/unfinished_verifications \(certifications\): 1 row\(s\) before .* would lose their personal data/);
    for (const rule of ['unused_verifications', 'used_verifications', 'audit_log', 'finished_outbox']) expect(text).toContain(`${rule} (`);
    expect(text).toMatch(/used_verifications \(certifications\): off/);
  });
});
