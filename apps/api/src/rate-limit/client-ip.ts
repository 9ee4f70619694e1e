import { isIP } from 'node:net';

/**
 * The client as the IP limits count it: an IPv4 address, or the /64 of an IPv6 one (a subscriber
 * usually holds a whole /64). Same strings as @nestjs/throttler's `normalizeIp`, so existing
 * counters keep their keys.
 */
export function clientIpKey(ip: string, ipv6Prefix = 64): string {
  const zone = ip.indexOf('%');
  const bare = zone === -1 ? ip : ip.slice(0, zone);
  const version = isIP(bare);
  if (version === 4) return bare;
  if (version !== 6) return ip;
  const hextets = hextetsOf(bare.toLowerCase());
  if (hextets[7] === 1 && hextets.slice(0, 7).every((h) => h === 0)) return '::1';
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    return [hextets[6] >> 8, hextets[6] & 0xff, hextets[7] >> 8, hextets[7] & 0xff].join('.');
  }
  const masked = hextets.map((h, i) => {
    const keep = Math.min(16, Math.max(0, ipv6Prefix - i * 16));
    return h & ((0xffff << (16 - keep)) & 0xffff);
  });
  return `${formatIpv6(masked)}/${ipv6Prefix}`;
}

/** The 8 groups of an address `isIP` accepted as IPv6 (a trailing dotted IPv4 included). */
function hextetsOf(address: string): number[] {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16));
}

/** RFC 5952 form: the first longest run of two or more zero groups becomes `::`. */
function formatIpv6(hextets: number[]): string {
  let best = { start: -1, length: 0 };
  let run = { start: -1, length: 0 };
  hextets.forEach((h, i) => {
    run = h === 0 ? { start: run.start === -1 ? i : run.start, length: run.length + 1 } : { start: -1, length: 0 };
    if (run.length > best.length) best = run;
  });
  const groups = hextets.map((h) => h.toString(16));
  if (best.length < 2) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}
