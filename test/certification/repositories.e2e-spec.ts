/**
 * The certification lib's repositories against the real database: the statements the admin
 * side (erasure, retention) calls, and the unique index turned into a domain error.
 */
import { DataSource } from 'typeorm';
import { CertificationRepository, DuplicateImpUidError, VerificationTokenRepository } from '@app/certification';
import { Database } from '@app/common';
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';

let f: Flows;
let certifications: CertificationRepository;
let tokens: VerificationTokenRepository;
let db: Database;

beforeAll(async () => {
  f = await Flows.start();
  certifications = f.t.app.get(CertificationRepository);
  tokens = f.t.app.get(VerificationTokenRepository);
  db = new Database(f.t.app.get(DataSource));
});

afterAll(async () => {
  await f?.close();
});

function person(): Person {
  return { name: '정다은', phone: freshPhone(), birth: '19920304', gender_digit: '2', carrier: 'KT' };
}

async function verified(): Promise<{ impUid: string; id: string }> {
  const { impUid } = await f.verifyByPopup(person());
  const row = await certifications.findLiveByImpUid(impUid);
  return { impUid, id: row!.id };
}

it('finds a verification by imp_uid with its row mapped, and locks it inside a transaction', async () => {
  const { impUid, id } = await verified();
  const live = await certifications.findLiveByImpUid(impUid);
  expect(live).toMatchObject({ id, impUid, flow: 'popup', status: 'verified', birthday: '1992-03-04', gender: 'female', piiErasedAt: null });
  expect(live!.certifiedAt).toBeInstanceOf(Date);
  const locked = await db.transaction((tx) => certifications.lockByImpUid(impUid, tx));
  expect(locked).toEqual(live);
  expect(await db.transaction((tx) => certifications.lockByImpUid('imp_none', tx))).toBeNull();
});

it('reads the admin list and detail without the CI, the DI and the blind indexes (they stay in the row)', async () => {
  const { impUid, id } = await verified();
  const full = await certifications.findByImpUid(impUid);
  expect(full).toMatchObject({ id, ciEnc: expect.any(String), ciBidx: expect.any(String), phoneBidx: expect.any(String) });
  const shown = await certifications.findShownByImpUid(impUid);
  expect(shown).toEqual({ ...full, ciEnc: null, ciBidx: null, diEnc: null, diBidx: null, phoneBidx: null });
  const [listed] = await certifications.list({ phoneBidx: full!.phoneBidx!, limit: 1 });
  expect(listed).toMatchObject({ id, impUid, nameEnc: full!.nameEnc, phoneEnc: full!.phoneEnc, ciEnc: null, ciBidx: null, diEnc: null, diBidx: null, phoneBidx: null });
  expect(listed.cursorT).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  expect(await certifications.findShownByImpUid('imp_none')).toBeNull();
});

it('erases the personal data once, expires the unused token, and keeps the tombstone', async () => {
  const { impUid, id } = await verified();
  const at = new Date();
  const erased = await db.transaction(async (tx) => {
    const first = await certifications.erasePii([id], at, tx);
    await tokens.expireUnused([id], at, tx);
    return first;
  });
  expect(erased).toEqual([impUid]);
  expect(await db.transaction((tx) => certifications.erasePii([id], new Date(), tx))).toEqual([]);
  expect(await certifications.findLiveByImpUid(impUid)).toBeNull();
  const tombstone = await certifications.findById(id);
  expect(tombstone).toMatchObject({ impUid, nameEnc: null, ciBidx: null, birthday: null, status: 'verified' });
  expect(tombstone!.piiErasedAt!.getTime()).toBe(at.getTime());
  const [token] = await f.t.query<{ expires_at: Date }>(`SELECT expires_at FROM verification_tokens WHERE certification_id = $1`, [id]);
  expect(new Date(token.expires_at).getTime()).toBe(at.getTime());
});

it('counts and locks the unused verifications created before a cutoff (retention)', async () => {
  const { id } = await verified();
  const cutoff = new Date(Date.now() + 60_000);
  const count = await certifications.countUnusedCreatedBefore(cutoff);
  expect(count).toBeGreaterThanOrEqual(1);
  expect(await certifications.countUnusedCreatedBefore(new Date(0))).toBe(0);
  const ids = await db.transaction((tx) => certifications.lockUnusedCreatedBefore(cutoff, 10_000, tx));
  expect(ids).toContain(id);
  expect(ids.length).toBe(count);
});

it('turns the unique index on imp_uid into DuplicateImpUidError', async () => {
  const { impUid } = await verified();
  const values = {
    nameEnc: 'x', phoneEnc: null, phoneBidx: null, ciEnc: 'x', ciBidx: 'b'.repeat(64), diEnc: null, birthday: '1990-01-01',
    gender: null, foreigner: false, carrier: null, certifiedAt: new Date(), merchantUid: null,
  };
  await expect(db.transaction((tx) => certifications.insertVerified(impUid, values, tx))).rejects.toBeInstanceOf(DuplicateImpUidError);
  await expect(certifications.insertVerifiedWithToken(impUid, values, 'c'.repeat(64), new Date(Date.now() + 60_000))).rejects.toBeInstanceOf(DuplicateImpUidError);
  await expect(
    certifications.insertPending({
      impUid, merchantUid: null, nameEnc: 'x', phoneEnc: 'x', phoneBidx: 'b'.repeat(64), birthday: '1990-01-01', carrier: 'SKT', otpExpiresAt: new Date(),
    }),
  ).rejects.toMatchObject({ code: 'UPSTREAM_ERROR', status: 502 });
});

it('records a popup verification and its token in one statement, or neither', async () => {
  const impUid = `imp_${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const values = {
    nameEnc: 'x', phoneEnc: null, phoneBidx: null, ciEnc: 'x', ciBidx: null, diEnc: 'y', diBidx: 'd'.repeat(64), birthday: '1990-01-01',
    gender: 'male' as const, foreigner: false, carrier: null, certifiedAt: new Date(), merchantUid: 'flow_abcdefghijklmnopqrstuvwx', provider: 'portone',
  };
  const id = await certifications.insertVerifiedWithToken(impUid, values, 'e'.repeat(64), new Date(Date.now() + 60_000));
  expect(await certifications.findLiveByImpUid(impUid)).toMatchObject({ id, flow: 'popup', status: 'verified', provider: 'portone', diBidx: 'd'.repeat(64) });
  expect(await db.transaction((tx) => tokens.hasToken(id, tx))).toBe(true);
  // A second token for another imp_uid with the same hash violates the token's unique hash: no verification row is left behind.
  const other = `${impUid}_2`;
  await expect(certifications.insertVerifiedWithToken(other, values, 'e'.repeat(64), new Date(Date.now() + 60_000))).rejects.toThrow();
  expect(await certifications.findLiveByImpUid(other)).toBeNull();
});
