import { Logger } from '@nestjs/common';
import { BlindIndex, PiiCipher, generateKeyMaterial } from '@app/pii';
import type { CiLookupAudit, EraseRow, ErasedAccount, SignupRow, SignupState, User, UserStore, UserWithCertification } from '@app/user';
import { UserNotFoundError } from './admin.errors';
import type { AdminRequestContext } from './admin-request';
import { AdminUsersService } from './admin-users.service';

const keys = generateKeyMaterial();
const cipher = PiiCipher.fromConfig(keys.encryptionKeys);
const blindIndex = BlindIndex.fromConfig(keys.hmacKey);
const ctx: AdminRequestContext = { principal: { keyId: 'ops', scopes: new Set(['verifications:read']) }, clientIp: '10.0.0.2', requestId: 'r' };

/** The accounts of UserRepository in memory; CI lookups record their audit data as the statement writes it. */
class InMemoryUsers implements UserStore {
  readonly accounts: UserWithCertification[] = [];
  readonly lookups: Array<{ ciBidx: string; audit: CiLookupAudit; found: boolean }> = [];
  readonly byIdCalls: string[] = [];

  async signup(_row: SignupRow): Promise<null> {
    return null;
  }
  async findSignupState(_tokenHash: string): Promise<SignupState | null> {
    return null;
  }
  async findById(id: string): Promise<User | null> {
    return this.accounts.find((a) => a.user.id === id)?.user ?? null;
  }
  async findWithCertification(id: string): Promise<UserWithCertification | null> {
    this.byIdCalls.push(id);
    return this.accounts.find((a) => a.user.id === id) ?? null;
  }
  async findIdByCertificationId(certificationId: string): Promise<string | null> {
    return this.accounts.find((a) => a.user.certificationId === certificationId)?.user.id ?? null;
  }
  async findByCiBidxAudited(ciBidx: string, audit: CiLookupAudit): Promise<UserWithCertification | null> {
    const found = this.accounts.find((a) => a.user.ciBidx === ciBidx) ?? null;
    this.lookups.push({ ciBidx, audit, found: found !== null });
    return found;
  }
  async erase(_row: EraseRow): Promise<ErasedAccount> {
    return { outcome: 'not_found', impUids: [] };
  }
  async findByDiBidxAudited(diBidx: string, _audit: CiLookupAudit): Promise<UserWithCertification | null> {
    return this.accounts.find((a) => a.user.diBidx === diBidx) ?? null;
  }
}

describe('AdminUsersService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  const users = new InMemoryUsers();
  const tombstones = { ids: new Set<string>(), find: async (tid: string) => (tombstones.ids.has(tid) ? { id: tid, erasedAt: new Date(), reason: 'withdrawal' } : null) };
  const service = new AdminUsersService(users, cipher, blindIndex, tombstones);
  const id = '81ee3c14-33af-45e5-8c09-784388873751';
  users.accounts.push({
    user: {
      id, ciBidx: blindIndex.compute('ci', 'CI+/=='), ciEnc: cipher.encrypt('CI+/==', 'ci_enc'), diEnc: null, diBidx: null, provider: 'iamport', nameEnc: cipher.encrypt('홍길동', 'name_enc'),
      phoneEnc: cipher.encrypt('01012345678', 'phone_enc'), phoneBidx: null, birthday: '1990-01-01', gender: 'male', foreigner: false,
      certificationId: 'c1', nickname: '길동', marketingOptIn: true, createdAt: new Date('2026-01-01T00:00:00Z'),
    },
    certification: { impUid: 'imp_1', flow: 'otp', status: 'used', certifiedAt: new Date('2026-01-01T00:00:00Z'), piiErasedAt: null },
  });

  it('finds by the blind index of the CI, passes who asked to the audited statement, and masks the answer', async () => {
    const view = await service.findByCi('CI+/==', ctx);
    expect(users.lookups[0]).toEqual({ ciBidx: blindIndex.compute('ci', 'CI+/=='), audit: { keyId: 'ops', clientIp: '10.0.0.2', requestId: 'r' }, found: true });
    expect(view).toMatchObject({ id, birthday: '1990-01-01', marketing_opt_in: true, certification: { imp_uid: 'imp_1', erased: false } });
    expect(view.name).not.toBe('홍길동');
    expect(JSON.stringify(view)).not.toContain('CI+/==');
  });

  it('nobody with this CI: 404, after the lookup was audited', async () => {
    await expect(service.findByCi('other', ctx)).rejects.toBeInstanceOf(UserNotFoundError);
    expect(users.lookups.at(-1)).toMatchObject({ found: false });
  });

  it('by id: a non-UUID is 404 without a query', async () => {
    expect(await service.getById(id)).toMatchObject({ id, nickname: '길동' });
    await expect(service.getById('nope')).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(service.getById('00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(UserNotFoundError);
    expect(users.byIdCalls).toEqual([id, '00000000-0000-4000-8000-000000000000']);
  });

  it('an erased account (a tombstone) answers ACCOUNT_ERASED, an unknown one USER_NOT_FOUND', async () => {
    const erased = '11111111-1111-4111-8111-111111111111';
    tombstones.ids.add(erased);
    await expect(service.getById(erased)).rejects.toMatchObject({ code: 'ACCOUNT_ERASED', status: 404 });
    await expect(service.getById('22222222-2222-4222-8222-222222222222')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});
