import { clientIpKey } from './client-ip';

describe('clientIpKey', () => {
  // Expected values are @nestjs/throttler 6.7's normalizeIp(ip, 64) for the same inputs.
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:0:0:1::1', '2001:db8::/64'],
    ['2001:0db8:0000:0000:abcd::1', '2001:db8::/64'],
    ['2001:db8:a:0::', '2001:db8:a::/64'],
    ['2001:db8::', '2001:db8::/64'],
    ['::', '::/64'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
  ])('counts %s as %s', (ip, key) => {
    expect(clientIpKey(ip)).toBe(key);
  });

  it('keeps loopback and IPv4-mapped addresses as the host they are', () => {
    expect(clientIpKey('::1')).toBe('::1');
    expect(clientIpKey('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(clientIpKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientIpKey('::ffff:c000:201')).toBe('192.0.2.1');
  });

  it('leaves what is not an address as it is', () => {
    expect(clientIpKey('not an ip')).toBe('not an ip');
    expect(clientIpKey('2001:db8:0:1::/x')).toBe('2001:db8:0:1::/x');
  });
});
