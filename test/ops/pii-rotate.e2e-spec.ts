/**
 * `npm run pii:rotate` on PostgreSQL: rows under an old key (some still in the v1 format, one
 * users row copied by a real signup), a new key prepended, a rotation stopped after two batches
 * and resumed, then the old key dropped: every value decrypts under the new key alone.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PII_COLUMNS, PiiCipher, generateKeyMaterial, type PiiColumn } from '@app/pii';
import { runPiiRotateCli } from '../../scripts/pii-rotate';
import { startTestApp } from '../support/app';
import { insertCertification, insertUser, type Fixture } from '../support/admin-fixtures';
import { serverDatabaseMissing, describeIf } from '../support/availability';
import { walkSignup } from '../support/flows';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

/** A v1 token (AAD `v1.<kid>`, before column binding), as older releases wrote them. */
function legacyToken(plaintext: string, kid: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(`v1.${kid}`, 'ascii'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', kid, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

describeIf('pii:rotate on PostgreSQL', serverDatabaseMissing())('npm run pii:rotate', () => {
  const old = generateKeyMaterial();
  const [oldKid, oldKeyB64] = old.encryptionKeys.split(':');
  const fresh = `knew:${randomBytes(32).toString('base64')}`;
  let db: TestDatabase;
  const certifications: Fixture[] = [];
  let signupPhone: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const t = await startTestApp({ db, env: { PII_ENCRYPTION_KEYS: old.encryptionKeys, PII_HMAC_KEY: old.hmacKey } });
    try {
      for (let i = 0; i < 30; i++) {
        certifications.push(await insertCertification(t, { name: `김서${String.fromCharCode(0xac00 + i)}`, phone: `0101234${String(1000 + i)}` }));
      }
      for (const cert of certifications.slice(0, 11)) await insertUser(t, cert, `user${cert.id.slice(0, 8)}`);
      // a real signup: its users row is the SQL copy of the certification's ciphertexts
      signupPhone = '01077778888';
      const { signup } = await walkSignup(t.http, t.sandboxUrl, { name: '이서연', phone: signupPhone, birth: '19950704', gender_digit: '2', carrier: 'KT' });
      expect(signup.status).toBe(201);
      // five rows still in the v1 format
      for (const cert of certifications.slice(20, 25)) {
        await t.query(`UPDATE certifications SET name_enc = $2, phone_enc = $3 WHERE id = $1`, [
          cert.id,
          legacyToken(cert.name, oldKid, Buffer.from(oldKeyB64, 'base64')),
          legacyToken(cert.phone, oldKid, Buffer.from(oldKeyB64, 'base64')),
        ]);
      }
    } finally {
      await t.close();
    }
  }, 120000);
  afterAll(async () => db?.drop());

  const env = (keys: string) => ({ NODE_ENV: 'test', DATABASE_URL: db.url, PII_ENCRYPTION_KEYS: keys, PII_HMAC_KEY: old.hmacKey });
  async function rotate(argv: string[]): Promise<{ code: number; report: any; lines: string[] }> {
    const lines: string[] = [];
    const code = await runPiiRotateCli({ argv, env: env(`${fresh},${old.encryptionKeys}`), out: (l) => lines.push(l), err: (l) => lines.push(l) });
    return { code, report: argv.includes('--json') ? JSON.parse(lines[lines.length - 1]) : null, lines };
  }
  async function rows(table: string): Promise<Array<Record<string, string | null>>> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(`SELECT id, name_enc, phone_enc, ci_enc, di_enc FROM ${table} ORDER BY id`)).rows;
    } finally {
      await c.end();
    }
  }

  it('stops after --max-batches, then a rerun continues with what is left, then finds nothing to do', async () => {
    const first = await rotate(['--batch-size', '7', '--max-batches', '2', '--json']);
    expect(first.code).toBe(0);
    // 30 certifications with personal data (the signup's own copy was erased by the signup), 12 users
    expect(first.report.tables.certifications).toMatchObject({ scanned: 14, reencrypted: 14, batches: 2, stoppedEarly: true });
    expect(first.report.tables.users).toMatchObject({ scanned: 12, reencrypted: 12, batches: 2, stoppedEarly: false });
    expect(first.report.done).toBe(false);

    const second = await rotate(['--batch-size', '7', '--json']);
    expect(second.code).toBe(0);
    expect(second.report.tables.certifications).toMatchObject({ scanned: 16, reencrypted: 16, undecryptable: 0, stoppedEarly: false });
    expect(second.report.tables.users).toMatchObject({ scanned: 0, reencrypted: 0 });
    expect(second.report.done).toBe(true);

    const third = await rotate([]);
    expect(third.code).toBe(0);
    expect(third.lines.join('\n')).toMatch(/certifications: 0 row\(s\) re-encrypted under "knew"/);
    expect(third.lines.join('\n')).toContain('the other keys of PII_ENCRYPTION_KEYS can be removed');
    // no personal data in its output
    for (const cert of certifications) expect([...first.lines, ...second.lines, ...third.lines].join('\n')).not.toContain(cert.phone);
  }, 60000);

  it('leaves every value under the new key, bound to its column: the old key can go', async () => {
    const onlyNew = PiiCipher.fromConfig(fresh);
    const byId = new Map(certifications.map((c) => [c.id, c]));
    for (const row of await rows('certifications')) {
      for (const column of PII_COLUMNS) {
        const token = row[column];
        if (token === null) continue;
        expect(token.startsWith('v2.knew.')).toBe(true);
        const plain = onlyNew.decrypt(token, column);
        const fixture = byId.get(row.id!);
        if (fixture) expect(plain).toBe({ name_enc: fixture.name, phone_enc: fixture.phone, ci_enc: fixture.ci, di_enc: fixture.di }[column]);
        else if (column === 'phone_enc') expect(plain).toBe(signupPhone);
      }
    }
    const users = await rows('users');
    expect(users).toHaveLength(12);
    for (const row of users) {
      for (const column of ['name_enc', 'ci_enc'] as PiiColumn[]) expect(onlyNew.decrypt(row[column]!, column)).toEqual(expect.any(String));
    }
  });

  it('the api boots with the new key alone and reads the rotated rows', async () => {
    const t = await startTestApp({ db, env: { PII_ENCRYPTION_KEYS: fresh, PII_HMAC_KEY: old.hmacKey } });
    try {
      const cipher = t.app.get(PiiCipher);
      expect(cipher.kids).toEqual(['knew']);
      const [row] = await t.query<{ name_enc: string }>(`SELECT name_enc FROM certifications WHERE id = $1`, [certifications[22].id]);
      expect(cipher.decrypt(row.name_enc, 'name_enc')).toBe(certifications[22].name);
    } finally {
      await t.close();
    }
  });
});
