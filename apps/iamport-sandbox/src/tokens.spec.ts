import { SandboxClock } from './clock';
import { TokenStore } from './tokens';

describe('TokenStore (the upstream token rules)', () => {
  let clock: SandboxClock;
  let tokens: TokenStore;

  beforeEach(() => {
    clock = new SandboxClock();
    tokens = new TokenStore(clock);
  });

  it('a token lives 30 minutes', () => {
    const t = tokens.issue();
    expect(t.expired_at - t.now).toBe(1800);
    expect(tokens.check(t.access_token)).toBe('valid');
    clock.advance(1799);
    expect(tokens.check(t.access_token)).toBe('valid');
    clock.advance(1);
    expect(tokens.check(t.access_token)).toBe('expired');
    expect(tokens.check('unknown')).toBe('unknown');
  });

  it('before expiry: the same token and expired_at, +5 minutes within the last minute', () => {
    const t = tokens.issue();
    clock.advance(1800 - 61);
    expect(tokens.issue()).toMatchObject({ access_token: t.access_token, expired_at: t.expired_at });
    clock.advance(1);
    // exactly 60 s left: within the last minute
    expect(tokens.issue()).toMatchObject({ access_token: t.access_token, expired_at: t.expired_at + 300 });
    expect(tokens.issue().expired_at).toBe(t.expired_at + 300);
    clock.advance(300);
    // 60 s left of the extended expiry: extended again
    expect(tokens.issue().expired_at).toBe(t.expired_at + 600);
  });

  it('after expiry: a new token', () => {
    const t = tokens.issue();
    clock.advance(1800);
    const next = tokens.issue();
    expect(next.access_token).not.toBe(t.access_token);
    expect(next.expired_at - next.now).toBe(1800);
    expect(tokens.check(t.access_token)).toBe('expired');
  });

  it('expireAll expires every valid token', () => {
    const t = tokens.issue();
    expect(tokens.expireAll()).toBe(1);
    expect(tokens.check(t.access_token)).toBe('expired');
    expect(tokens.issue().access_token).not.toBe(t.access_token);
  });
});
