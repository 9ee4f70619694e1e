import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { AgePolicyService, AgeRestrictedError } from '@app/age-policy';
import { hashVerificationToken } from '@app/certification';
import type {
  CiLookupAudit,
  EraseRow,
  ErasedAccount,
  SignupRow,
  SignupState,
  User,
  UserStore,
  UserWithCertification,
} from './repositories/user.repository';
import {
  AlreadyRegisteredError,
  VerificationExpiredError,
  VerificationNotFoundError,
  VerificationUsedError,
} from './user.errors';
import type { UserEvent } from './user.events';
import { UserService } from './user.service';

const NOW = new Date('2026-03-01T00:00:00Z');

interface Verification {
  state: SignupState;
  ciBidx: string;
}

/** The users table and the verifications behind tokens, in memory, with the signup statement's rules. */
class InMemoryUserStore implements UserStore {
  readonly verifications = new Map<string, Verification>();
  readonly users = new Map<string, User>();
  readonly signups: SignupRow[] = [];
  /** Simulates rows that change between the statement and its diagnosis. */
  alwaysMiss = false;

  addToken(state: Partial<SignupState> = {}, ciBidx = randomBytes(32).toString('hex')): string {
    const token = randomBytes(32).toString('base64url');
    this.verifications.set(hashVerificationToken(token), {
      ciBidx,
      state: {
        expiresAt: new Date(NOW.getTime() + 30 * 60_000),
        usedAt: null,
        status: 'verified',
        piiErasedAt: null,
        complete: true,
        birthday: '1990-05-05',
        ...state,
      },
    });
    return token;
  }

  async signup(row: SignupRow): Promise<{ id: string; createdAt: Date } | null> {
    this.signups.push(row);
    const v = this.verifications.get(row.tokenHash);
    if (this.alwaysMiss || !v) return null;
    const s = v.state;
    const usable = s.usedAt === null && s.expiresAt > row.now && s.status === 'verified' && s.piiErasedAt === null && s.complete;
    if (!usable || !s.birthday || s.birthday > row.cutoff) return null;
    if ([...this.users.values()].some((u) => u.ciBidx === v.ciBidx)) throw new AlreadyRegisteredError();
    const user: User = {
      id: randomUUID(),
      ciBidx: v.ciBidx,
      ciEnc: 'ci',
      diEnc: null,
      diBidx: null,
      provider: 'iamport',
      nameEnc: 'name',
      phoneEnc: null,
      phoneBidx: null,
      birthday: s.birthday,
      gender: null,
      foreigner: false,
      certificationId: randomUUID(),
      nickname: row.nickname,
      marketingOptIn: row.marketingOptIn,
      createdAt: row.now,
    };
    this.users.set(user.id, user);
    v.state = { ...s, usedAt: row.now, status: 'used' };
    return { id: user.id, createdAt: user.createdAt };
  }

  async findSignupState(tokenHash: string): Promise<SignupState | null> {
    return this.verifications.get(tokenHash)?.state ?? null;
  }

  async findById(id: string): Promise<User | null> {
    return this.users.get(id) ?? null;
  }

  async findWithCertification(id: string): Promise<UserWithCertification | null> {
    const user = this.users.get(id);
    return user ? { user, certification: null } : null;
  }

  async findIdByCertificationId(certificationId: string): Promise<string | null> {
    return [...this.users.values()].find((u) => u.certificationId === certificationId)?.id ?? null;
  }

  async findByCiBidxAudited(ciBidx: string, _audit: CiLookupAudit): Promise<UserWithCertification | null> {
    const user = [...this.users.values()].find((u) => u.ciBidx === ciBidx);
    return user ? { user, certification: null } : null;
  }

  readonly tombstones = new Map<string, string>();
  readonly erasures: EraseRow[] = [];

  /** The erase statement's outcome rules: the row becomes a tombstone, its CI no longer blocks a signup. */
  async erase(row: EraseRow): Promise<ErasedAccount> {
    this.erasures.push(row);
    if (this.users.delete(row.userId)) {
      this.tombstones.set(row.userId, row.reason);
      return { outcome: 'erased', impUids: ['imp_1'] };
    }
    return { outcome: this.tombstones.has(row.userId) ? 'already_erased' : 'not_found', impUids: [] };
  }

  async findByDiBidxAudited(diBidx: string, _audit: CiLookupAudit): Promise<UserWithCertification | null> {
    const user = [...this.users.values()].find((u) => u.diBidx === diBidx);
    return user ? { user, certification: null } : null;
  }
}

describe('UserService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  let store: InMemoryUserStore;
  let events: UserEvent['type'][];
  let service: UserService;
  const make = (onEvent: (e: UserEvent) => void) =>
    new UserService({ onEvent, clock: () => NOW }, store, new AgePolicyService({ minAge: 19, clock: () => NOW }));

  beforeEach(() => {
    store = new InMemoryUserStore();
    events = [];
    service = make((e) => events.push(e.type));
  });

  it('creates the account, passes the normalised input and the age cutoff, and reports it', async () => {
    const token = store.addToken();
    const created = await service.signup({ verificationToken: token, nickname: '  길동 ' });
    expect(store.signups[0]).toMatchObject({ tokenHash: hashVerificationToken(token), now: NOW, cutoff: '2007-03-01', nickname: '길동', marketingOptIn: false });
    expect(await service.findById(created.id)).toMatchObject({ nickname: '길동', birthday: '1990-05-05' });
    expect(events).toEqual(['signup_completed']);
  });

  it('answers a malformed token 404 without asking the store', async () => {
    await expect(service.signup({ verificationToken: 'short' })).rejects.toBeInstanceOf(VerificationNotFoundError);
    expect(store.signups).toHaveLength(0);
  });

  it('tells why a token cannot be used: unknown, used, expired, erased, incomplete, too young', async () => {
    const cases: Array<[Partial<SignupState>, new (...args: never[]) => Error]> = [
      [{ usedAt: NOW }, VerificationUsedError],
      [{ expiresAt: NOW }, VerificationExpiredError],
      [{ piiErasedAt: NOW }, VerificationNotFoundError],
      [{ status: 'used' }, VerificationUsedError],
      [{ status: 'pending' }, VerificationNotFoundError],
      [{ complete: false }, VerificationNotFoundError],
      [{ birthday: '2010-01-01' }, AgeRestrictedError],
    ];
    for (const [state, error] of cases) {
      await expect(service.signup({ verificationToken: store.addToken(state) })).rejects.toBeInstanceOf(error);
    }
    await expect(service.signup({ verificationToken: randomBytes(32).toString('base64url') })).rejects.toBeInstanceOf(
      VerificationNotFoundError,
    );
    expect(events).toEqual([]);
  });

  it('a token used once answers 409 VERIFICATION_USED the second time', async () => {
    const token = store.addToken();
    await service.signup({ verificationToken: token });
    await expect(service.signup({ verificationToken: token })).rejects.toBeInstanceOf(VerificationUsedError);
  });

  it('the same person again: 409 ALREADY_REGISTERED and a signup_conflict event', async () => {
    await service.signup({ verificationToken: store.addToken({}, 'same-ci') });
    await expect(service.signup({ verificationToken: store.addToken({}, 'same-ci') })).rejects.toBeInstanceOf(AlreadyRegisteredError);
    expect(events).toEqual(['signup_completed', 'signup_conflict']);
  });

  it('a miss whose diagnosis finds nothing wrong is tried once more, then answered 404', async () => {
    store.alwaysMiss = true;
    await expect(service.signup({ verificationToken: store.addToken() })).rejects.toBeInstanceOf(VerificationNotFoundError);
    expect(store.signups).toHaveLength(2);
  });

  it('a throwing listener does not fail the signup', async () => {
    service = make(() => {
      throw new Error('metrics down');
    });
    await expect(service.signup({ verificationToken: store.addToken(), marketingOptIn: true })).resolves.toHaveProperty('id');
    expect(store.signups[0].marketingOptIn).toBe(true);
  });

  it('erases an account: the same person signs up again; a repeat is already_erased; the actor defaults to the person', async () => {
    const first = await service.signup({ verificationToken: store.addToken({}, 'ci-p') });
    expect(await service.erase(first.id, { reason: ' withdrawal ' })).toEqual({ outcome: 'erased', impUids: ['imp_1'] });
    expect(store.erasures[0]).toMatchObject({ userId: first.id, now: NOW, reason: 'withdrawal', audit: { keyId: 'user:self', clientIp: null } });
    expect(await service.findById(first.id)).toBeNull();
    expect((await service.erase(first.id, { reason: 'again' })).outcome).toBe('already_erased');
    const again = await service.signup({ verificationToken: store.addToken({}, 'ci-p') });
    expect(again.id).not.toBe(first.id);
    expect(events).toEqual(['signup_completed', 'account_erased', 'signup_completed']);
  });

  it('erase: a non-UUID is not_found without a statement; a reason is required', async () => {
    expect(await service.erase('nope', { reason: 'x' })).toEqual({ outcome: 'not_found', impUids: [] });
    expect(store.erasures).toHaveLength(0);
    await expect(service.erase(randomUUID(), { reason: '  ' })).rejects.toThrow(/reason/);
  });

  it('asks the signup statement to keep the verification copy only when keepVerificationPiiHours > 0', async () => {
    await service.signup({ verificationToken: store.addToken() });
    const keeping = new UserService({ clock: () => NOW, keepVerificationPiiHours: 72 }, store, new AgePolicyService({ minAge: 19, clock: () => NOW }));
    await keeping.signup({ verificationToken: store.addToken() });
    expect(store.signups.map((s) => s.keepVerificationPii)).toEqual([false, true]);
    expect(() => new UserService({ keepVerificationPiiHours: -1 }, store, new AgePolicyService({}))).toThrow(/keepVerificationPiiHours/);
  });

  it('refuses a clock that is not a function', () => {
    expect(() => new UserService({ clock: 'now' as never }, store, new AgePolicyService({}))).toThrow(/clock must be a function/);
  });
});
