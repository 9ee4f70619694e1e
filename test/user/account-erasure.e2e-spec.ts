/**
 * Account erasure (UserService.erase, DELETE /admin/users/:id) through the real api: afterwards
 * `pg_dump --data-only` holds none of the person's values (plaintext, ciphertexts, blind
 * indexes), the sandbox has no copy, the audit row exists, admin lookups answer 404
 * ACCOUNT_ERASED and the person signs up again; an erasure racing a signup of the same person;
 * the export of an access request; the verification's copy erased by the signup.
 */
import request from 'supertest';
import { AdminErasureService } from '@app/admin';
import { IamportApiError, IamportClient } from '@app/iamport';
import { UserService } from '@app/user';
import { bearer, makeAdminKeys, type AdminKeys } from '../support/admin-fixtures';
import { describeIf, itIf, serverDatabaseMissing } from '../support/availability';
import { Flows } from '../support/flows';
import { freshPhone, type Person } from '../support/people';
import { dumpDataOnly, pgDumpMissing } from '../support/pg-dump';

let f: Flows;
let keys: AdminKeys;

beforeAll(async () => {
  keys = makeAdminKeys();
  f = await Flows.start({ env: { ADMIN_API_KEYS: keys.env } });
});

afterAll(async () => {
  await f?.close();
});

const person = (name: string, birth: string): Person => ({ name, phone: freshPhone(), birth, gender_digit: '1', carrier: 'SKT' });

/** OTP verification + signup; the person's values (plaintext, as stored, blind indexes) to look for later. */
async function signUp(p: Person, nickname: string) {
  const { impUid, view } = await f.verifyByOtp(p);
  const created = await f.signup(view.verification_token, { nickname }).expect(201);
  const upstream = await f.upstreamCertification(impUid);
  const [stored] = await f.t.query<Record<string, string | null>>(
    `SELECT ci_bidx, ci_enc, di_enc, name_enc, phone_enc, phone_bidx FROM users WHERE id = $1`,
    [created.body.id],
  );
  const values = [p.name, p.phone, upstream.unique_key, upstream.unique_in_site, nickname, ...Object.values(stored)].filter(
    (v): v is string => typeof v === 'string',
  );
  return { userId: created.body.id as string, impUid, values };
}

const found = (text: string, values: string[]) =>
  values.filter((v) => (/^\d+$/.test(v) ? new RegExp(`(?<!\\d)${v}(?!\\d)`).test(text) : text.includes(v)));

async function upstreamStatus(impUid: string): Promise<number> {
  try {
    await f.t.app.get(IamportClient).getCertification(impUid);
    return 200;
  } catch (e) {
    if (e instanceof IamportApiError) return e.httpStatus ?? -1;
    throw e;
  }
}

const eraseUser = (id: string, key = keys.only['users:erase']) =>
  f.http.delete(`/admin/users/${id}`).set(bearer(key)).send({ reason: 'withdrawal' });

describe('a signup', () => {
  it("erases the verification's own copy: the account holds the only one", async () => {
    const { impUid } = await signUp(person('사본없음', '19770707'), 'copyless');
    const [row] = await f.t.query<Record<string, unknown>>(`SELECT * FROM certifications WHERE imp_uid = $1`, [impUid]);
    expect(row).toMatchObject({ status: 'used', name_enc: null, phone_enc: null, ci_enc: null, ci_bidx: null, di_enc: null, birthday: null });
    expect(row.used_at).toBeInstanceOf(Date);
    // Used, not erased: a confirmation of it still answers 409 ALREADY_CONFIRMED.
    expect(row.pii_erased_at).toBeNull();
  });
});

describe('DELETE /admin/users/:id', () => {
  const p = person('탈퇴자', '19610723');
  let account: Awaited<ReturnType<typeof signUp>>;

  beforeAll(async () => {
    account = await signUp(p, 'leaver-61');
    expect(await upstreamStatus(account.impUid)).toBe(200);
  });

  it('needs the users:erase scope', async () => {
    await f.http.delete(`/admin/users/${account.userId}`).send({ reason: 'x' }).expect(401);
    const res = await eraseUser(account.userId, keys.without['users:erase']).expect(403);
    expect(res.body.error.details).toEqual({ required_scopes: ['users:erase'] });
    const bad = await f.http.delete(`/admin/users/${account.userId}`).set(bearer(keys.all)).send({}).expect(400);
    expect(bad.body.error.details.fields[0].field).toBe('reason');
  });

  it('exports everything held about the person first (scope pii:reveal, audited)', async () => {
    await f.http.get(`/admin/users/${account.userId}/export`).set(bearer(keys.without['pii:reveal'])).expect(403);
    const res = await f.http.get(`/admin/users/${account.userId}/export`).set(bearer(keys.only['pii:reveal'])).set('x-request-id', 'export-1').expect(200);
    const upstream = await f.upstreamCertification(account.impUid);
    expect(res.body.account).toMatchObject({
      id: account.userId, name: p.name, phone: p.phone, ci: upstream.unique_key, di: upstream.unique_in_site, birthday: '1961-07-23', nickname: 'leaver-61',
    });
    expect(res.body.verifications).toEqual([expect.objectContaining({ imp_uid: account.impUid, status: 'used', name: null, ci: null, pii_erased_at: null })]);
    expect(res.body.audit_log).toEqual([expect.objectContaining({ action: 'user.export', key_id: 'only-pii-reveal', subject_id: account.userId })]);
    const [audit] = await f.t.query(`SELECT * FROM audit_log WHERE action = 'user.export' AND request_id = 'export-1'`);
    expect(audit).toMatchObject({ subject_id: account.userId, result: 'ok' });
  });

  it('erases: the dump holds none of its values, the sandbox no copy, the audit row exists', async () => {
    const res = await eraseUser(account.userId).set('x-request-id', 'erase-user-1').expect(200);
    expect(res.body).toEqual({
      id: account.userId,
      erased: true,
      erased_at: expect.any(String),
      reason: 'withdrawal',
      verifications: [{ imp_uid: account.impUid, upstream_deletion: 'done' }],
    });
    await f.t.app.get(AdminErasureService).processPendingUpstreamDeletions(new Date(Date.now() + 86_400_000));
    expect(await upstreamStatus(account.impUid)).toBe(404);
    const [outbox] = await f.t.query(`SELECT reason, completed_at FROM upstream_deletions WHERE imp_uid = $1`, [account.impUid]);
    expect(outbox).toMatchObject({ reason: 'account', completed_at: expect.any(Date) });

    const [audit] = await f.t.query(`SELECT * FROM audit_log WHERE action = 'user.erase' AND subject_id = $1`, [account.userId]);
    expect(audit).toMatchObject({ key_id: 'only-users-erase', subject_type: 'user', result: 'ok', request_id: 'erase-user-1' });
    const [tombstone] = await f.t.query(`SELECT * FROM user_tombstones WHERE id = $1`, [account.userId]);
    expect(tombstone).toEqual({ id: account.userId, erased_at: expect.any(Date), reason: 'withdrawal' });
    expect(await f.count(`users WHERE id = '${account.userId}'`)).toBe(0);
  });

  itIf('pg_dump', pgDumpMissing())('pg_dump --data-only holds none of the personal values of the erased person', async () => {
    const dump = await dumpDataOnly(f.t.db.url);
    expect(dump).toContain(account.impUid); // the dump is real: the tombstones are in it
    expect(dump).toContain(account.userId);
    expect(found(dump, [...account.values, '1961-07-23'])).toEqual([]);
  });

  it('answers 404 ACCOUNT_ERASED on admin lookups, and a repeat is audited as already_erased', async () => {
    for (const path of [`/admin/users/${account.userId}`, `/admin/users/${account.userId}/export`]) {
      const res = await f.http.get(path).set(bearer(keys.all)).expect(404);
      expect(res.body.error.code).toBe('ACCOUNT_ERASED');
    }
    expect((await eraseUser(account.userId).expect(404)).body.error.code).toBe('ACCOUNT_ERASED');
    const results = await f.t.query<{ result: string }>(
      `SELECT result FROM audit_log WHERE action = 'user.erase' AND subject_id = $1 ORDER BY id`,
      [account.userId],
    );
    expect(results.map((r) => r.result)).toEqual(['ok', 'already_erased']);
    expect((await eraseUser('6a81872a-0b14-43ed-a1be-b99600021d3b').expect(404)).body.error.code).toBe('USER_NOT_FOUND');
  });

  it('the same person signs up again, as a new account', async () => {
    const again = await signUp(p, 'back-again');
    expect(again.userId).not.toBe(account.userId);
    const view = await f.http.get(`/admin/users/${again.userId}`).set(bearer(keys.all)).expect(200);
    expect(view.body).toMatchObject({ id: again.userId, nickname: 'back-again', birthday: '1961-07-23' });
  });
});

describe('UserService.erase (a host\'s own withdraw route calls it)', () => {
  it('erases, audits as user:self, and tells an unknown or erased id apart', async () => {
    const account = await signUp(person('자진탈퇴', '19880808'), 'self-88');
    const users = f.t.app.get(UserService);
    expect(await users.erase(account.userId, { reason: 'withdrawal' })).toEqual({ outcome: 'erased', impUids: [account.impUid] });
    expect(await users.findById(account.userId)).toBeNull();
    expect((await users.erase(account.userId, { reason: 'withdrawal' })).outcome).toBe('already_erased');
    expect((await users.erase('6a81872a-0b14-43ed-a1be-b99600021d3b', { reason: 'withdrawal' })).outcome).toBe('not_found');
    const [audit] = await f.t.query(`SELECT key_id, result FROM audit_log WHERE action = 'user.erase' AND subject_id = $1 ORDER BY id LIMIT 1`, [account.userId]);
    expect(audit).toEqual({ key_id: 'user:self', result: 'ok' });
  });
});

// Concurrent statements on one database need a server (PGlite is one session).
describeIf('erasure racing a signup', serverDatabaseMissing())('erasure racing a signup of the same person', () => {
  it('ends with the old account erased and exactly one account for the person, whatever the order', async () => {
    const p = person('경주자', '19720202');
    let current = await signUp(p, 'racer');
    const outcomes: number[] = [];
    for (let round = 0; round < 6; round++) {
      const { view } = await f.verifyByOtp(p);
      const token = view.verification_token as string;
      const [erased, signup] = await Promise.all([eraseUser(current.userId), f.signup(token)]);
      expect(erased.status).toBe(200);
      outcomes.push(signup.status);
      let newId: string;
      if (signup.status === 201) {
        newId = signup.body.id;
      } else {
        // The signup saw the old account before the erasure committed: its token is still usable.
        expect({ status: signup.status, code: signup.body.error.code }).toEqual({ status: 409, code: 'ALREADY_REGISTERED' });
        newId = (await f.signup(token).expect(201)).body.id;
      }
      expect(await f.count(`users WHERE id = '${current.userId}'`)).toBe(0);
      expect(await f.count(`user_tombstones WHERE id = '${current.userId}'`)).toBe(1);
      const [{ n }] = await f.t.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM users WHERE ci_bidx = (SELECT ci_bidx FROM users WHERE id = $1)`,
        [newId],
      );
      expect(n).toBe('1');
      current = { ...current, userId: newId };
    }
    expect(outcomes.every((s) => s === 201 || s === 409)).toBe(true);
  });
});
