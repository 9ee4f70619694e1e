/**
 * GET /admin/certifications: keyset pagination (every row exactly once while rows are inserted
 * between pages), the filters, and masking (no CI/DI, masked name and phone).
 */
import request from 'supertest';
import type { TestApp } from '../support/app';
import { bearer, insertCertification, makeAdminKeys, startAdminApp, type AdminKeys, type Fixture } from '../support/admin-fixtures';

let t: TestApp;
let keys: AdminKeys;

beforeAll(async () => {
  keys = makeAdminKeys();
  t = await startAdminApp(keys);
});

afterAll(async () => {
  await t?.close();
});

interface Item {
  imp_uid: string;
  flow: string;
  status: string;
  name: string | null;
  phone: string | null;
  birthday: string | null;
  created_at: string;
  used: boolean;
  erased: boolean;
  [key: string]: unknown;
}

async function page(query: Record<string, string | number>): Promise<{ items: Item[]; next_cursor: string | null }> {
  const res = await request(t.http).get('/admin/certifications').query(query).set(bearer(keys.only['verifications:read']));
  expect(res.status).toBe(200);
  return res.body;
}

/** Follows next_cursor to the end; `between` runs after each page. */
async function walk(query: Record<string, string | number>, between?: (n: number) => Promise<void>): Promise<Item[]> {
  const all: Item[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 1000; n++) {
    const body = await page(cursor ? { ...query, cursor } : query);
    all.push(...body.items);
    if (between) await between(n);
    if (!body.next_cursor) return all;
    cursor = body.next_cursor;
  }
  throw new Error('pagination did not end');
}

describe('keyset pagination', () => {
  let seeded: Fixture[];

  beforeAll(async () => {
    // 47 rows; several share one created_at to the microsecond (the id breaks the tie), the
    // rest are spread over a minute.
    const base = Date.now() - 3_600_000;
    const same = new Date(base + 10_000);
    seeded = [];
    for (let i = 0; i < 47; i++) {
      const createdAt = i % 5 === 0 ? same : new Date(base + i * 1_000 + (i % 3));
      seeded.push(await insertCertification(t, { createdAt, flow: i % 4 === 0 ? 'popup' : 'otp' }));
    }
  });

  it('returns every row exactly once, newest first, while rows are inserted between pages', async () => {
    const inserted: Fixture[] = [];
    const items = await walk({ limit: 7 }, async (n) => {
      // Concurrent signups: new (newest) rows arrive between pages.
      inserted.push(await insertCertification(t));
      inserted.push(await insertCertification(t));
      if (n === 2) {
        // A late row with the same created_at as a group of rows already listed (e.g. a slow
        // transaction committing): listed at most once, whichever side of the cursor it falls on.
        inserted.push(await insertCertification(t, { createdAt: seeded[0].createdAt }));
      }
    });
    const seen = items.map((i) => i.imp_uid);
    expect(new Set(seen).size).toBe(seen.length); // no duplicates
    for (const f of seeded) expect(seen).toContain(f.impUid); // none skipped
    // Order: non-increasing created_at.
    for (let i = 1; i < items.length; i++) {
      expect(Date.parse(items[i - 1].created_at)).toBeGreaterThanOrEqual(Date.parse(items[i].created_at));
    }
    // Rows inserted after the walk started are newer than the first page: not part of this walk.
    expect(inserted.length).toBeGreaterThan(0);
  });

  it('keeps rows of the same microsecond apart by id (no skip at a page boundary)', async () => {
    const [{ n }] = await t.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM certifications WHERE created_at = $1`,
      [seeded[0].createdAt],
    );
    expect(Number(n)).toBeGreaterThanOrEqual(10);
    // Pages of 3 cut through the group of equal timestamps several times.
    const items = await walk({ limit: 3, to: new Date(seeded[46].createdAt.getTime() + 1).toISOString() });
    const ids = items.map((i) => i.imp_uid);
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of seeded) expect(ids).toContain(f.impUid);
  });

  it('keeps microseconds in the cursor (rows one microsecond apart in one millisecond)', async () => {
    const base = new Date('2031-05-05T05:05:05.555Z');
    const rows: Fixture[] = [];
    for (let k = 1; k <= 6; k++) {
      const f = await insertCertification(t, { createdAt: base });
      await t.query(`UPDATE certifications SET created_at = $1::timestamptz + make_interval(secs => $2 / 1e6) WHERE id = $3`, [
        base,
        k,
        f.id,
      ]);
      rows.push(f);
    }
    const items = await walk({ limit: 1, from: '2031-05-05T05:05:05Z', to: '2031-05-05T05:05:06Z' });
    expect(items.map((i) => i.imp_uid)).toEqual(rows.map((f) => f.impUid).reverse());
  });

  it('defaults to 20 items and ends with next_cursor null', async () => {
    const first = await page({});
    expect(first.items).toHaveLength(20);
    expect(first.next_cursor).toEqual(expect.any(String));
    const last = await page({ limit: 100 });
    expect(last.next_cursor === null || last.items.length === 100).toBe(true);
  });

  it('filters by flow and by a created_at range (from inclusive, to exclusive)', async () => {
    const popups = await walk({ flow: 'popup', limit: 5 });
    expect(popups.every((i) => i.flow === 'popup')).toBe(true);
    expect(popups.map((i) => i.imp_uid).sort()).toEqual(
      seeded.filter((_, i) => i % 4 === 0).map((f) => f.impUid).sort(),
    );
    const from = seeded[21].createdAt;
    const to = seeded[34].createdAt;
    const range = await walk({ from: from.toISOString(), to: to.toISOString(), limit: 4 });
    const expected = seeded.filter((f) => f.createdAt >= from && f.createdAt < to).map((f) => f.impUid);
    expect(range.map((i) => i.imp_uid).sort()).toEqual(expected.sort());
  });
});

describe('filters and masking', () => {
  it('filters by status and by phone (any usual spelling) through the blind index', async () => {
    const target = await insertCertification(t, { phone: '01077778888', status: 'locked', name: '남궁민수' });
    const other = await insertCertification(t, { phone: '01077778889', status: 'locked' });
    for (const phone of ['01077778888', '010-7777-8888', '+82 10-7777-8888']) {
      const body = await page({ phone });
      expect(body.items.map((i) => i.imp_uid)).toEqual([target.impUid]);
    }
    const locked = await walk({ status: 'locked' });
    expect(locked.map((i) => i.imp_uid).sort()).toEqual([target.impUid, other.impUid].sort());
    const both = await page({ status: 'verified', phone: '01077778888' });
    expect(both.items).toEqual([]);
  });

  it('masks name, phone and birthday (its year kept), never shows CI or DI', async () => {
    const f = await insertCertification(t, { name: '홍길동', phone: '01012345679', birthday: '1988-07-06', status: 'used' });
    const res = await request(t.http)
      .get('/admin/certifications')
      .query({ phone: '01012345679', limit: 1 })
      .set(bearer(keys.all));
    const item = res.body.items[0] as Item;
    expect(item).toMatchObject({
      imp_uid: f.impUid,
      name: '홍*동',
      phone: '010-****-5679',
      birthday: '1988-**-**',
      status: 'used',
      used: true,
      erased: false,
    });
    expect(Object.keys(item).sort()).toEqual(
      ['birthday', 'carrier', 'certified_at', 'created_at', 'erased', 'flow', 'foreigner', 'gender', 'imp_uid', 'name', 'phone', 'provider', 'status', 'used'].sort(),
    );
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('홍길동');
    expect(text).not.toContain('01012345679');
    expect(text).not.toContain(f.ci!);
    expect(text).not.toContain(f.di!);
  });

  it('answers a date-only range in Asia/Seoul days', async () => {
    // 2030-01-01T23:30:00+09:00 is 2030-01-01 in Seoul (14:30 UTC).
    const f = await insertCertification(t, { createdAt: new Date('2030-01-01T14:30:00Z') });
    const inDay = await page({ from: '2030-01-01', to: '2030-01-02' });
    expect(inDay.items.map((i) => i.imp_uid)).toEqual([f.impUid]);
    const nextDay = await page({ from: '2030-01-02', to: '2030-01-03' });
    expect(nextDay.items).toEqual([]);
  });
});
