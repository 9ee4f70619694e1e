/**
 * Issue 13 item 1, with real processes: an api process behind a proxy process (node:http that
 * appends the peer address to X-Forwarded-For, as a load balancer does), and clients on other
 * loopback addresses (127.0.0.2, 127.0.0.3) that write their own X-Forwarded-For entries, a new
 * one per request. With TRUST_PROXY as a hop count or as the proxy's address, the client IP is
 * the first untrusted hop from the right: the per-IP limit still bites, and the audit's client_ip
 * is the address the proxy saw. TRUST_PROXY=true with NODE_ENV=production does not boot.
 */
import { jest } from '@jest/globals';
import { generateAdminKey } from '@app/admin';
import { describeIf, processTestsUnavailable } from '../support/availability';
import { Deployment } from '../support/cluster';
import { freshPhone } from '../support/people';
import { startNode, type Proc } from '../support/processes';
import { rawRequest } from '../support/raw-http';
import { API_MAIN } from '../support/availability';

jest.setTimeout(120_000);

const PER_IP = 3;
const admin = generateAdminKey({ id: 'ops', scopes: ['verifications:read'] });

async function startProxy(target: string): Promise<{ url: string; proc: Proc }> {
  const proc = startNode('test/support/xff-proxy.mjs', { TARGET: target });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const line = proc.output().split('\n').find((l) => l.startsWith('{'));
    if (line) return { url: (JSON.parse(line) as { url: string }).url, proc };
    if (proc.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the proxy did not start:\n${proc.output()}`);
}

function otpRequest(url: string, from: string, forwardedFor: string) {
  return rawRequest(`${url}/certifications/otp/request`, {
    method: 'POST',
    localAddress: from,
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ name: '홍길동', phone: freshPhone(), birth: '19900101', gender_digit: '1', carrier: 'SKT' }),
  });
}

let d: Deployment;
const proxies: Proc[] = [];

describeIf('trust-proxy', processTestsUnavailable())('TRUST_PROXY behind a real proxy', () => {
  beforeAll(async () => {
    d = await Deployment.create();
  });
  afterAll(async () => {
    for (const p of proxies) p.child.kill('SIGKILL');
    await d?.close();
  });

  describe.each([
    ['a hop count', '1'],
    ["the proxy's address", '127.0.0.1'],
    ["the proxy's CIDR range, among others", '10.0.0.0/8, 127.0.0.1/32, fd00::/8'],
  ])('TRUST_PROXY as %s (%s)', (_form, trustProxy) => {
    let proxyUrl: string;

    beforeAll(async () => {
      const api = await d.startApi({
        TRUST_PROXY: trustProxy,
        OTP_SEND_LIMIT_PER_IP: String(PER_IP),
        OTP_SEND_LIMIT_PER_PHONE: '1000',
        ADMIN_API_KEYS: admin.entry,
      });
      const proxy = await startProxy(api.url);
      proxies.push(proxy.proc);
      proxyUrl = proxy.url;
    });

    it('a client rotating its own X-Forwarded-For still meets the per-IP limit; another client does not', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < PER_IP + 3; i++) {
        // a fresh forged chain each time, including one that ends in the trusted proxy's own address
        const forged = i % 2 === 0 ? `198.51.100.${i + 1}` : `203.0.113.${i + 1}, 127.0.0.1`;
        statuses.push((await otpRequest(proxyUrl, '127.0.0.2', forged)).status);
      }
      expect(statuses).toEqual([...Array(PER_IP).fill(201), 429, 429, 429]);
      expect((await otpRequest(proxyUrl, '127.0.0.3', '198.51.100.1')).status).toBe(201);
    });

    it("records the proxy-seen address as the audit's client_ip, not the forged one", async () => {
      const requestId = `xff-${Math.random().toString(36).slice(2)}`;
      const res = await rawRequest(`${proxyUrl}/admin/users?ci=${encodeURIComponent('ci-not-registered')}`, {
        localAddress: '127.0.0.2',
        headers: { authorization: `Bearer ${admin.key}`, 'x-forwarded-for': '198.51.100.77', 'x-request-id': requestId },
      });
      expect([200, 404]).toContain(res.status);
      const rows = await d.sql<{ client_ip: string }>(`SELECT host(client_ip) AS client_ip FROM audit_log WHERE request_id = $1`, [requestId]);
      expect(rows).toEqual([{ client_ip: '127.0.0.2' }]);
    });
  });

  it('TRUST_PROXY=true with NODE_ENV=production stops the boot with a clear message', async () => {
    const proc = startNode(API_MAIN, {
      NODE_ENV: 'production',
      TRUST_PROXY: 'true',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_FORMAT: 'json',
      DATABASE_URL: d.db.url,
      IAMPORT_IMP_KEY: 'k',
      IAMPORT_IMP_SECRET: 's',
      IAMPORT_BASE_URL: 'https://api.iamport.kr',
      PII_ENCRYPTION_KEYS: d.keys.encryptionKeys,
      PII_HMAC_KEY: d.keys.hmacKey,
    });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('TRUST_PROXY=true trusts every X-Forwarded-For hop');
  });
});
