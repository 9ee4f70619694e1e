/**
 * Helpers of the admin e2e tests. The certification and signup HTTP flows live in other libs,
 * so the verifications these tests look at are inserted straight into the database, encrypted
 * and blind-indexed with the app's own PiiCipher and BlindIndex, exactly as the certification
 * lib stores them. For the upstream side (erasure), real certifications are created in the
 * sandbox through its control path and mirrored into rows.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { generateAdminKey, type AdminScope } from '@app/admin';
import { IamportClient } from '@app/iamport';
import { BlindIndex, PiiCipher } from '@app/pii';
import { startTestApp, type TestApp } from './app';

export const ALL_SCOPES: AdminScope[] = ['verifications:read', 'pii:reveal', 'verifications:erase', 'audit:read', 'users:erase'];

export interface AdminKeys {
  /** Every scope. */
  all: string;
  /** Each scope alone, by scope. */
  only: Record<AdminScope, string>;
  /** Every scope but one, by the missing scope. */
  without: Record<AdminScope, string>;
  /** verifications:read + pii:reveal. */
  revealer: string;
  /** The `ADMIN_API_KEYS` value. */
  env: string;
}

/** Fresh keys and their configuration entries (through the same function as `npm run admin:key`). */
export function makeAdminKeys(): AdminKeys {
  const entries: string[] = [];
  const make = (id: string, scopes: AdminScope[]): string => {
    const generated = generateAdminKey({ id, scopes });
    entries.push(generated.entry);
    return generated.key;
  };
  const all = make('all', ALL_SCOPES);
  const only = {} as Record<AdminScope, string>;
  const without = {} as Record<AdminScope, string>;
  for (const scope of ALL_SCOPES) {
    const slug = scope.replace(':', '-');
    only[scope] = make(`only-${slug}`, [scope]);
    without[scope] = make(`without-${slug}`, ALL_SCOPES.filter((s) => s !== scope));
  }
  const revealer = make('revealer', ['verifications:read', 'pii:reveal']);
  return { all, only, without, revealer, env: entries.join(',') };
}

export async function startAdminApp(keys: AdminKeys, env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp({ env: { ADMIN_API_KEYS: keys.env, ...env } });
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

export interface FixtureInput {
  impUid?: string;
  flow?: 'otp' | 'popup';
  status?: 'pending' | 'locked' | 'expired' | 'verified' | 'used';
  name?: string;
  phone?: string;
  ci?: string | null;
  di?: string | null;
  birthday?: string;
  gender?: 'male' | 'female';
  carrier?: string;
  createdAt?: Date;
  certifiedAt?: Date | null;
}

export interface Fixture {
  id: string;
  impUid: string;
  name: string;
  phone: string;
  ci: string | null;
  di: string | null;
  birthday: string;
  createdAt: Date;
}

let serial = 0;
/** A unique imp_uid in the upstream's shape (`imp_` + 12 digits). */
export function newImpUid(): string {
  serial = (serial + 1) % 1000;
  return `imp_${String(Date.now() % 1e9).padStart(9, '0')}${String(serial).padStart(3, '0')}`;
}

/** A fake CI of the real length (88 base64 characters), unique per call. */
export function fakeCi(): string {
  return Buffer.from(randomUUID().repeat(2).slice(0, 66)).toString('base64').slice(0, 86) + '==';
}

/** Inserts a verification row as the certification lib stores it. */
export async function insertCertification(t: TestApp, input: FixtureInput = {}): Promise<Fixture> {
  const cipher = t.app.get(PiiCipher);
  const bidx = t.app.get(BlindIndex);
  const status = input.status ?? 'verified';
  const certified = status === 'verified' || status === 'used';
  const f = {
    impUid: input.impUid ?? newImpUid(),
    name: input.name ?? '홍길동',
    phone: input.phone ?? '01012345678',
    ci: input.ci === undefined ? (certified ? fakeCi() : null) : input.ci,
    di: input.di === undefined ? (certified ? fakeCi().slice(0, 44) : null) : input.di,
    birthday: input.birthday ?? '1990-01-02',
    createdAt: input.createdAt ?? new Date(),
  };
  const certifiedAt = input.certifiedAt === undefined ? (certified ? f.createdAt : null) : input.certifiedAt;
  const [row] = await t.query<{ id: string }>(
    `INSERT INTO certifications (imp_uid, flow, status, name_enc, phone_enc, phone_bidx, ci_enc, ci_bidx, di_enc,
        birthday, gender, foreigner, carrier, certified_at, used_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, false, $12, $13, $14, $15, $15)
     RETURNING id`,
    [
      f.impUid,
      input.flow ?? 'otp',
      status,
      cipher.encrypt(f.name, 'name_enc'),
      cipher.encrypt(f.phone, 'phone_enc'),
      bidx.compute('phone', f.phone),
      f.ci === null ? null : cipher.encrypt(f.ci, 'ci_enc'),
      f.ci === null ? null : bidx.compute('ci', f.ci),
      f.di === null ? null : cipher.encrypt(f.di, 'di_enc'),
      f.birthday,
      input.gender ?? 'male',
      input.carrier ?? 'SKT',
      certifiedAt,
      status === 'used' ? f.createdAt : null,
      f.createdAt,
    ],
  );
  return { id: row.id, ...f };
}

/** A user account for a (used) verification, as signup stores it. */
export async function insertUser(t: TestApp, cert: Fixture, nickname = 'gildong'): Promise<string> {
  const cipher = t.app.get(PiiCipher);
  const bidx = t.app.get(BlindIndex);
  if (!cert.ci) throw new Error('a user needs a CI');
  const [row] = await t.query<{ id: string }>(
    `INSERT INTO users (ci_bidx, ci_enc, di_enc, name_enc, phone_enc, phone_bidx, birthday, gender, foreigner,
        certification_id, nickname)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'male', false, $8, $9) RETURNING id`,
    [
      bidx.compute('ci', cert.ci),
      cipher.encrypt(cert.ci, 'ci_enc'),
      cert.di ? cipher.encrypt(cert.di, 'di_enc') : null,
      cipher.encrypt(cert.name, 'name_enc'),
      cipher.encrypt(cert.phone, 'phone_enc'),
      bidx.compute('phone', cert.phone),
      cert.birthday,
      cert.id,
      nickname,
    ],
  );
  return row.id;
}

/**
 * A certified popup-flow certification in the sandbox (`POST /__sandbox/certifications`),
 * mirrored into a verified row with the upstream's own values (CI, DI, birthday).
 */
export async function insertUpstreamCertification(
  t: TestApp,
  person: { name: string; birth: string; gender_digit: string; phone: string } = {
    name: '김민수',
    birth: '19920315',
    gender_digit: '1',
    phone: '01055556666',
  },
): Promise<Fixture> {
  const res = await request(t.sandboxUrl)
    .post('/__sandbox/certifications')
    .send({ ...person, carrier: 'KT' })
    .expect(200);
  const impUid = (res.body as { imp_uid: string }).imp_uid;
  const upstream = await t.app.get(IamportClient).getCertification(impUid);
  return insertCertification(t, {
    impUid,
    flow: 'popup',
    status: 'verified',
    name: upstream.name ?? person.name,
    phone: upstream.phone ?? person.phone,
    ci: upstream.unique_key,
    di: upstream.unique_in_site,
    birthday: upstream.birthday ?? undefined,
    carrier: 'KT',
  });
}

/** Every `(column, value)` of every audit row, for scanning them for personal data. */
export async function auditRows(t: TestApp): Promise<Array<Record<string, unknown>>> {
  return t.query(`SELECT * FROM audit_log ORDER BY occurred_at, id`);
}

/** Fails if any value of any row contains one of the needles. */
export function expectNoneContains(rows: Array<Record<string, unknown>>, needles: Array<string | null | undefined>): void {
  const text = JSON.stringify(rows);
  for (const needle of needles) {
    if (needle) expect(text).not.toContain(needle);
  }
}
