import { isIP } from 'node:net';

/**
 * TRUST_PROXY, in the forms Fastify's `trustProxy` (proxy-addr) takes: `false`; a hop count
 * (`1`: the load balancer in front); a comma-separated list of proxy addresses, CIDR ranges or
 * proxy-addr's named ranges; `true` (every hop, refused in production: a client's own
 * X-Forwarded-For entries would become its IP).
 */
export type TrustProxy = boolean | number | string[];

const TRUE = /^(true|yes|on)$/i;
const FALSE = /^(false|no|off)$/i;
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** The parsed value, or undefined when `raw` is none of the forms. */
export function parseTrustProxy(raw: string): TrustProxy | undefined {
  const value = raw.trim();
  if (TRUE.test(value)) return true;
  if (FALSE.test(value)) return false;
  if (/^\d{1,3}$/.test(value)) return Number(value) === 0 ? false : Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  return entries.length > 0 && entries.every(isProxyAddress) ? entries : undefined;
}

function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * The value for Fastify's `trustProxy`. Fastify 5 reads a bare number as "trust nothing", so a
 * hop count becomes proxy-addr's function form: the socket peer is hop 0, X-Forwarded-For's
 * rightmost entry hop 1, and the client IP is the first address past the trusted hops.
 */
export function fastifyTrustProxy(value: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof value !== 'number') return value;
  return (_address, hop) => hop < value;
}
