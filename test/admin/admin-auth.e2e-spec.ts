/**
 * The admin API's authentication and authorization matrix on every route (no key 401, unknown
 * key 401, key without the scope 403, key with it 200), request validation (400
 * VALIDATION_FAILED naming the field) and the stable 404 codes.
 */
import request from 'supertest';
import type { AdminScope } from '@app/admin';
import type { TestApp } from '../support/app';
import {
  bearer,
  fakeCi,
  insertCertification,
  insertUser,
  makeAdminKeys,
  startAdminApp,
  type AdminKeys,
  type Fixture,
} from '../support/admin-fixtures';

let t: TestApp;
let keys: AdminKeys;
let cert: Fixture;
let erasable: Fixture;
let userId: string;

beforeAll(async () => {
  keys = makeAdminKeys();
  t = await startAdminApp(keys);
  cert = await insertCertification(t, { status: 'used' });
  userId = await insertUser(t, cert);
  erasable = await insertCertification(t);
});

afterAll(async () => {
  await t?.close();
});

interface Route {
  name: string;
  method: 'get' | 'delete';
  path: () => string;
  /** Every scope the route needs. */
  scopes: AdminScope[];
}

const routes: Route[] = [
  { name: 'GET /admin/certifications', method: 'get', path: () => '/admin/certifications', scopes: ['verifications:read'] },
  {
    name: 'GET /admin/certifications/:imp_uid',
    method: 'get',
    path: () => `/admin/certifications/${cert.impUid}`,
    scopes: ['verifications:read'],
  },
  {
    name: 'GET /admin/certifications/:imp_uid?reveal=true',
    method: 'get',
    path: () => `/admin/certifications/${cert.impUid}?reveal=true`,
    scopes: ['verifications:read', 'pii:reveal'],
  },
  {
    name: 'DELETE /admin/certifications/:imp_uid',
    method: 'delete',
    path: () => `/admin/certifications/${erasable.impUid}`,
    scopes: ['verifications:erase'],
  },
  { name: 'GET /admin/users/:id', method: 'get', path: () => `/admin/users/${userId}`, scopes: ['verifications:read'] },
  {
    name: 'GET /admin/users?ci=',
    method: 'get',
    path: () => `/admin/users?ci=${encodeURIComponent(cert.ci!)}`,
    scopes: ['verifications:read'],
  },
  { name: 'GET /admin/audit-log', method: 'get', path: () => '/admin/audit-log', scopes: ['audit:read'] },
  { name: 'GET /admin/users/:id/export', method: 'get', path: () => `/admin/users/${userId}/export`, scopes: ['pii:reveal'] },
];

const call = (route: Route, headers: Record<string, string> = {}) =>
  request(t.http)[route.method](route.path()).set(headers);

describe.each(routes)('$name', (route) => {
  it('401 UNAUTHORIZED without a key', async () => {
    const res = await call(route).expect(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(res.body.request_id).toEqual(expect.any(String));
  });

  it('401 UNAUTHORIZED with an unknown key or a malformed header', async () => {
    for (const header of [
      'Bearer adm_' + 'x'.repeat(43),
      `Bearer ${keys.all}x`, // one character more
      `Bearer ${keys.all.slice(0, -1)}`, // one character less
      keys.all, // no scheme
      `Basic ${keys.all}`,
      'Bearer',
    ]) {
      const res = await call(route, { Authorization: header }).expect(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  it('403 FORBIDDEN with a key that lacks a needed scope', async () => {
    for (const scope of route.scopes) {
      const res = await call(route, bearer(keys.without[scope])).expect(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required_scopes: [scope] } });
    }
    if (route.scopes.length > 1) {
      // Each needed scope alone is not enough either.
      for (const scope of route.scopes) await call(route, bearer(keys.only[scope])).expect(403);
    }
  });

  it('200 with a key that has the scope(s)', async () => {
    const key = route.scopes.length === 1 ? keys.only[route.scopes[0]] : keys.revealer;
    await call(route, bearer(key)).expect(200);
    await call(route, bearer(keys.all)).expect(200);
  });
});

it('refused requests change nothing: no erasure, no audit row', async () => {
  const fresh = await insertCertification(t);
  const before = await t.query<{ n: string }>(`SELECT count(*)::text AS n FROM audit_log`);
  await request(t.http).delete(`/admin/certifications/${fresh.impUid}`).expect(401);
  await request(t.http).delete(`/admin/certifications/${fresh.impUid}`).set(bearer(keys.without['verifications:erase'])).expect(403);
  await request(t.http).get(`/admin/certifications/${fresh.impUid}?reveal=true`).set(bearer(keys.only['verifications:read'])).expect(403);
  const [row] = await t.query<{ pii_erased_at: Date | null; name_enc: string | null }>(
    `SELECT pii_erased_at, name_enc FROM certifications WHERE id = $1`,
    [fresh.id],
  );
  expect(row.pii_erased_at).toBeNull();
  expect(row.name_enc).not.toBeNull();
  const after = await t.query<{ n: string }>(`SELECT count(*)::text AS n FROM audit_log`);
  expect(after[0].n).toBe(before[0].n);
});

it('authenticates before validating: a bad query without a key is 401, not 400', async () => {
  const res = await request(t.http).get('/admin/certifications?limit=1000&bogus=1').expect(401);
  expect(res.body.error.code).toBe('UNAUTHORIZED');
});

describe('validation: 400 VALIDATION_FAILED naming the field', () => {
  const expectField = async (path: string, field: string, method: 'get' | 'delete' = 'get') => {
    const res = await request(t.http)[method](path).set(bearer(keys.all));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    return res;
  };

  it.each([
    ['limit over 100', '/admin/certifications?limit=101', 'limit'],
    ['limit 0', '/admin/certifications?limit=0', 'limit'],
    ['limit not a number', '/admin/certifications?limit=ten', 'limit'],
    ['limit not an integer', '/admin/certifications?limit=2.5', 'limit'],
    ['unknown parameter', '/admin/certifications?sort=asc', 'sort'],
    ['unknown status', '/admin/certifications?status=deleted', 'status'],
    ['unknown flow', '/admin/certifications?flow=sms', 'flow'],
    ['from not a date', '/admin/certifications?from=yesterday', 'from'],
    ['from without an offset', '/admin/certifications?from=2025-01-01T00:00:00', 'from'],
    ['to before from', '/admin/certifications?from=2025-02-01&to=2025-01-01', 'to'],
    ['phone not a mobile number', '/admin/certifications?phone=02-123-4567', 'phone'],
    ['tampered cursor', '/admin/certifications?cursor=eyJ2IjoxLCJrIjoiYyJ9', 'cursor'],
    ['garbage cursor', '/admin/certifications?cursor=%24%25%5E', 'cursor'],
    ['audit cursor on the certification list', '', 'cursor'],
    ['audit limit over 100', '/admin/audit-log?limit=500', 'limit'],
    ['audit unknown parameter', '/admin/audit-log?imp_uid=x', 'imp_uid'],
    ['reveal not a boolean', '/admin/certifications/imp_000000000001?reveal=yes', 'reveal'],
    ['detail unknown parameter', '/admin/certifications/imp_000000000001?full=1', 'full'],
    ['imp_uid of a bad shape', '/admin/certifications/imp.1', 'imp_uid'],
    ['user id not a UUID', '/admin/users/42', 'id'],
    ['user lookup without ci', '/admin/users', 'ci'],
    ['user by id with a parameter', `/admin/users/00000000-0000-4000-8000-000000000000?ci=x`, 'ci'],
  ])('%s', async (name, path, field) => {
    if (name === 'audit cursor on the certification list') {
      // A real next_cursor of the audit log is not a cursor of the certification list.
      await request(t.http).get(`/admin/certifications/${cert.impUid}?reveal=true`).set(bearer(keys.all)).expect(200);
      await request(t.http).get(`/admin/certifications/${cert.impUid}?reveal=true`).set(bearer(keys.all)).expect(200);
      const audit = await request(t.http).get('/admin/audit-log?limit=1').set(bearer(keys.all)).expect(200);
      expect(audit.body.next_cursor).toEqual(expect.any(String));
      path = `/admin/certifications?cursor=${audit.body.next_cursor}`;
    }
    await expectField(path, field);
  });

  it('DELETE with a parameter', async () => {
    await expectField(`/admin/certifications/${erasable.impUid}?force=true`, 'force', 'delete');
  });

  it('never echoes the rejected value', async () => {
    const res = await expectField('/admin/certifications?phone=010-9999-000x', 'phone');
    expect(JSON.stringify(res.body)).not.toContain('9999');
  });
});

describe('404 with stable codes', () => {
  it('CERTIFICATION_NOT_FOUND for an unknown imp_uid (read, reveal, erase)', async () => {
    for (const [method, path] of [
      ['get', '/admin/certifications/imp_999999999999'],
      ['get', '/admin/certifications/imp_999999999999?reveal=true'],
      ['delete', '/admin/certifications/imp_999999999999'],
    ] as const) {
      const res = await request(t.http)[method](path).set(bearer(keys.all)).expect(404);
      expect(res.body.error.code).toBe('CERTIFICATION_NOT_FOUND');
    }
  });

  it('USER_NOT_FOUND for an unknown id or CI', async () => {
    const byId = await request(t.http).get('/admin/users/00000000-0000-4000-8000-000000000000').set(bearer(keys.all)).expect(404);
    expect(byId.body.error.code).toBe('USER_NOT_FOUND');
    const byCi = await request(t.http).get(`/admin/users?ci=${encodeURIComponent(fakeCi())}`).set(bearer(keys.all)).expect(404);
    expect(byCi.body.error.code).toBe('USER_NOT_FOUND');
  });
});
