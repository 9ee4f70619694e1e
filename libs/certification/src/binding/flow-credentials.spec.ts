import { FLOW_COOKIE_PREFIX, flowCookie, hashFlowSecret, newFlowSecret, secretFor, secretMatches } from './flow-credentials';

describe('flow credentials', () => {
  const merchantUid = 'flow_abcdefghijklmnopqrstuvwx';
  const secret = newFlowSecret();

  it('reads the flow\'s own cookie among others, and prefers an explicit secret', () => {
    const cookieHeader = `a=1; ${FLOW_COOKIE_PREFIX}flow_other000000000000000=${'z'.repeat(43)};  ${FLOW_COOKIE_PREFIX}${merchantUid}=${secret}`;
    expect(secretFor(merchantUid, { cookieHeader })).toBe(secret);
    expect(secretFor(merchantUid, { cookieHeader, secret: 'S'.repeat(40) })).toBe('S'.repeat(40));
    expect(secretFor(merchantUid, { cookieHeader: 'a=1' })).toBeNull();
    expect(secretFor(merchantUid, { cookieHeader: `${FLOW_COOKIE_PREFIX}${merchantUid}=short` })).toBeNull();
    expect(secretFor(merchantUid, { secret: 'short', cookieHeader: null })).toBeNull();
  });

  it('compares secrets by hash', () => {
    expect(secretMatches(secret, hashFlowSecret(secret))).toBe(true);
    expect(secretMatches(newFlowSecret(), hashFlowSecret(secret))).toBe(false);
    expect(secretMatches(secret, 'not-hex')).toBe(false);
  });

  it('sets an HttpOnly, SameSite=Lax cookie, Secure only when asked', () => {
    expect(flowCookie(merchantUid, secret, 1500, false)).toBe(`${FLOW_COOKIE_PREFIX}${merchantUid}=${secret}; Path=/; Max-Age=1500; HttpOnly; SameSite=Lax`);
    expect(flowCookie(merchantUid, secret, 1500, true)).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
  });
});
