/**
 * Backups (docs/operations.md): a dump taken before an erasure brings the person back when
 * restored; `npm run erasures:replay -- --since <date> --from <url>` re-applies every erasure
 * the audit log recorded since then. PostgreSQL: dump, erase, restore the dump into a fresh
 * database, replay, check (and a second replay changes nothing).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { runErasuresReplayCli } from '../../scripts/erasures-replay';
import type { TestApp } from '../support/app';
import { describeIf } from '../support/availability';
import { bearer, insertCertification, insertUpstreamCertification, insertUser, makeAdminKeys, startAdminApp, type AdminKeys, type Fixture } from '../support/admin-fixtures';
import { dumpDataOnly, dumpToFile, pgDumpMissing, restoreFromFile } from '../support/pg-dump';

describeIf('restore then replay', pgDumpMissing())('restore a backup, then replay the erasures', () => {
  let t: TestApp;
  let keys: AdminKeys;
  let dir: string;
  let restoredUrl: string;
  let dropRestored: () => Promise<void>;
  let person: Fixture;
  let userId: string;
  let verification: Fixture;
  let since: Date;

  beforeAll(async () => {
    keys = makeAdminKeys();
    t = await startAdminApp(keys);
    dir = mkdtempSync(join(tmpdir(), 'erasure-replay-'));
    person = await insertUpstreamCertification(t, { name: '복원자', birth: '19830303', gender_digit: '1', phone: '01033334444' });
    userId = await insertUser(t, person, 'restored-83');
    verification = await insertCertification(t, { name: '검증만', phone: '01077778888', birthday: '1979-09-09' });

    // The backup, taken before the erasures.
    await dumpToFile(t.db.url, join(dir, 'backup.dump'));
    since = new Date(Date.now() - 1000);
    await request(t.http).delete(`/admin/users/${userId}`).set(bearer(keys.all)).send({ reason: 'withdrawal' }).expect(200);
    await request(t.http).delete(`/admin/certifications/${verification.impUid}`).set(bearer(keys.all)).expect(200);

    // The restore, into a fresh database.
    const admin = new Client({ connectionString: t.db.url });
    await admin.connect();
    const name = `itest_restore_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(t.db.url);
    url.pathname = `/${name}`;
    restoredUrl = url.toString();
    dropRestored = async () => {
      const c = new Client({ connectionString: t.db.url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
    await restoreFromFile(restoredUrl, join(dir, 'backup.dump'));
  });

  afterAll(async () => {
    await dropRestored?.();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const restored = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const c = new Client({ connectionString: restoredUrl });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  };

  const replay = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runErasuresReplayCli({
      argv,
      env: {
        NODE_ENV: 'test',
        DATABASE_URL: restoredUrl,
        PII_ENCRYPTION_KEYS: t.config.pii.encryptionKeys!,
        PII_HMAC_KEY: t.config.pii.hmacKey!,
        IAMPORT_BASE_URL: t.sandboxUrl,
        IAMPORT_IMP_KEY: 'sandbox_imp_key',
        IAMPORT_IMP_SECRET: 'sandbox_imp_secret',
      },
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('the restored database has the erased person back', async () => {
    expect(await restored(`SELECT id FROM users WHERE id = $1`, [userId])).toHaveLength(1);
    const [cert] = await restored<{ pii_erased_at: Date | null }>(`SELECT pii_erased_at FROM certifications WHERE id = $1`, [verification.id]);
    expect(cert.pii_erased_at).toBeNull();
  });

  it('refuses without --since; --dry-run counts and changes nothing', async () => {
    expect((await replay([])).code).toBe(2);
    const dry = await replay(['--since', since.toISOString(), '--from', t.db.url, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ dry_run: true, recorded: 2, accounts: 1, verifications: 1 });
    expect(await restored(`SELECT id FROM users WHERE id = $1`, [userId])).toHaveLength(1);
  });

  it('replays every erasure recorded since the backup: the dump of the restored database holds none of their values', async () => {
    const res = await replay(['--since', since.toISOString(), '--from', t.db.url, '--json']);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({ recorded: 2, accounts_erased: 1, verifications_erased: 1, unchanged: 0 });

    expect(await restored(`SELECT id FROM users WHERE id = $1`, [userId])).toHaveLength(0);
    expect(await restored(`SELECT reason FROM user_tombstones WHERE id = $1`, [userId])).toEqual([
      { reason: expect.stringMatching(/^replay of the erasure of /) },
    ]);
    const audit = await restored<{ key_id: string; action: string }>(`SELECT key_id, action FROM audit_log WHERE key_id = 'system:replay' ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(['user.erase', 'certification.erase']);
    const queued = await restored<{ imp_uid: string }>(`SELECT imp_uid FROM upstream_deletions ORDER BY imp_uid`);
    expect(queued.map((q) => q.imp_uid)).toEqual(expect.arrayContaining([person.impUid, verification.impUid]));

    const dump = await dumpDataOnly(restoredUrl);
    expect(dump).toContain(person.impUid);
    for (const value of [person.name, person.phone, person.ci, person.di, '1983-03-03', 'restored-83', verification.name, verification.phone, '1979-09-09']) {
      expect([value, dump.includes(value!)]).toEqual([value, false]);
    }
  });

  it('a second replay changes nothing', async () => {
    const res = await replay(['--since', since.toISOString(), '--from', t.db.url, '--json']);
    expect(JSON.parse(res.out)).toMatchObject({ recorded: 2, accounts_erased: 0, verifications_erased: 0, unchanged: 2 });
  });
});
