import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ADMIN_SCOPES, isAdminScope, type AdminScope } from './admin-scopes';

/**
 * Admin API keys (`ADMIN_API_KEYS` = `id:sha256hex:scope+scope,...`, see docs/admin.md): keys are
 * 256 random bits, so an unsalted SHA-256 is enough; parse errors never echo a hash or a secret.
 */

/** Key ids: letters, digits, `_`, `.`, `-`; no `:` (so system actors like `system:retention` never clash). */
export const ADMIN_KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const HASH_PATTERN = /^[0-9a-fA-F]{64}$/;
/** Only text shaped like a scope name is ever echoed in an error message. */
const ECHOABLE_SCOPE = /^[a-z][a-z_-]{0,23}(:[a-z_-]{1,24})?$/;
/** Prefix of generated keys, so a leaked key is recognisable (e.g. by secret scanners). */
export const ADMIN_KEY_PREFIX = 'adm_';

export interface AdminKeyEntry {
  readonly id: string;
  /** SHA-256 of the key (32 bytes). */
  readonly hash: Buffer;
  readonly scopes: ReadonlySet<AdminScope>;
}

export class AdminKeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminKeyConfigError';
  }
}

/**
 * Parses `ADMIN_API_KEYS`. An empty or blank value means no keys (every admin request is then
 * answered 401). @throws AdminKeyConfigError on the first malformed entry, an unknown scope, a
 * hash that is not 64 hex characters, or a duplicate id or hash.
 */
export function parseAdminApiKeys(raw: string | null | undefined): AdminKeyEntry[] {
  if (raw === null || raw === undefined) return [];
  if (typeof raw !== 'string') throw new AdminKeyConfigError('ADMIN_API_KEYS must be a string');
  if (raw.trim() === '') return [];
  const entries: AdminKeyEntry[] = [];
  const ids = new Set<string>();
  const hashes = new Map<string, number>();
  raw.split(',').forEach((text, index) => {
    const n = index + 1;
    const entry = text.trim();
    if (entry === '') throw new AdminKeyConfigError(`ADMIN_API_KEYS entry ${n} is empty`);
    const first = entry.indexOf(':');
    const second = first === -1 ? -1 : entry.indexOf(':', first + 1);
    if (first === -1 || second === -1) {
      throw new AdminKeyConfigError(`ADMIN_API_KEYS entry ${n} must have the form id:sha256hex:scopes`);
    }
    const id = entry.slice(0, first).trim();
    const hashHex = entry.slice(first + 1, second).trim();
    const scopeText = entry.slice(second + 1).trim();
    if (!ADMIN_KEY_ID_PATTERN.test(id)) {
      throw new AdminKeyConfigError(
        `ADMIN_API_KEYS entry ${n}: the id must be 1-64 letters, digits, "_", "." or "-" (starting with a letter or digit)`,
      );
    }
    const label = `ADMIN_API_KEYS entry ${n} ("${id}")`;
    if (!HASH_PATTERN.test(hashHex)) {
      throw new AdminKeyConfigError(`${label}: the key hash must be 64 hexadecimal characters (a SHA-256)`);
    }
    if (ids.has(id)) throw new AdminKeyConfigError(`${label}: duplicate id`);
    const hash = hashHex.toLowerCase();
    const earlier = hashes.get(hash);
    if (earlier !== undefined) {
      throw new AdminKeyConfigError(`${label}: same key hash as entry ${earlier}; every key must be distinct`);
    }
    if (scopeText === '') throw new AdminKeyConfigError(`${label}: no scopes`);
    const scopes = new Set<AdminScope>();
    for (const part of scopeText.split('+')) {
      const scope = part.trim();
      if (scope === '') throw new AdminKeyConfigError(`${label}: empty scope (scopes are joined by "+")`);
      if (!isAdminScope(scope)) {
        const shown = ECHOABLE_SCOPE.test(scope) ? `"${scope}"` : 'a value';
        throw new AdminKeyConfigError(`${label}: unknown scope ${shown}; known scopes: ${ADMIN_SCOPES.join(', ')}`);
      }
      scopes.add(scope);
    }
    ids.add(id);
    hashes.set(hash, n);
    entries.push(Object.freeze({ id, hash: Buffer.from(hash, 'hex'), scopes }));
  });
  return entries;
}

/** SHA-256 of a presented key (32 bytes). */
export function hashAdminKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * The entry whose hash equals `digest`, or undefined. Every entry is compared with
 * `crypto.timingSafeEqual` and the loop never stops early, so the time taken does not depend
 * on which entry (if any) matched nor on how many leading bytes agree.
 */
export function findKeyConstantTime(digest: Buffer, entries: readonly AdminKeyEntry[]): AdminKeyEntry | undefined {
  let match: AdminKeyEntry | undefined;
  for (const entry of entries) {
    // Both are 32-byte SHA-256 digests, so timingSafeEqual never throws on a length mismatch.
    const equal = digest.length === entry.hash.length && timingSafeEqual(digest, entry.hash);
    if (equal && match === undefined) match = entry;
  }
  return match;
}

export interface GeneratedAdminKey {
  /** The secret key: shown once, never stored. */
  key: string;
  /** SHA-256 of the key, hex. */
  hash: string;
  /** The `ADMIN_API_KEYS` entry: `id:hash:scopes`. */
  entry: string;
}

/** A new random key (256 bits) and its `ADMIN_API_KEYS` entry. @throws AdminKeyConfigError */
export function generateAdminKey(input: { id: string; scopes: readonly string[] }): GeneratedAdminKey {
  const id = String(input.id ?? '').trim();
  if (!ADMIN_KEY_ID_PATTERN.test(id)) {
    throw new AdminKeyConfigError('--id must be 1-64 letters, digits, "_", "." or "-" (starting with a letter or digit)');
  }
  const scopes = [...new Set((input.scopes ?? []).map((s) => String(s).trim()).filter((s) => s !== ''))];
  if (scopes.length === 0) throw new AdminKeyConfigError(`--scopes is required (any of ${ADMIN_SCOPES.join(', ')}, joined by "+")`);
  for (const scope of scopes) {
    if (!isAdminScope(scope)) {
      const shown = ECHOABLE_SCOPE.test(scope) ? `"${scope}"` : 'a value';
      throw new AdminKeyConfigError(`unknown scope ${shown}; known scopes: ${ADMIN_SCOPES.join(', ')}`);
    }
  }
  const key = ADMIN_KEY_PREFIX + randomBytes(32).toString('base64url');
  const hash = hashAdminKey(key).toString('hex');
  const entry = `${id}:${hash}:${scopes.join('+')}`;
  // Round-trip through the parser: what we print is exactly what the api accepts.
  parseAdminApiKeys(entry);
  return { key, hash, entry };
}

/**
 * Arguments of `npm run admin:key -- --id ops --scopes verifications:read+pii:reveal [--json]`
 * (`--id=ops` and `--scopes=...` work too; `--scopes` may be repeated).
 */
export function parseAdminKeyArgs(argv: readonly string[]): { id: string; scopes: string[]; json: boolean } {
  let id: string | undefined;
  let json = false;
  const scopes: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new AdminKeyConfigError(`${name} needs a value`);
      i++;
      return next;
    };
    if (arg === '--json') json = true;
    else if (name === '--id') id = value();
    else if (name === '--scopes' || name === '--scope') scopes.push(...value().split(/[+,]/));
    else throw new AdminKeyConfigError(`unknown argument ${ECHOABLE_ARG.test(arg) ? `"${arg}"` : ''}`.trim());
  }
  if (id === undefined) throw new AdminKeyConfigError('--id is required');
  return { id, scopes, json };
}

export const ADMIN_KEY_USAGE = `Usage: npm run admin:key -- --id <key id> --scopes <scope>[+<scope>...] [--json]
Scopes: ${ADMIN_SCOPES.join(', ')}
Example: npm run admin:key -- --id ops --scopes verifications:read+pii:reveal`;

/**
 * What `npm run admin:key` prints (scripts/admin-key.ts is only this plus process I/O): a new
 * key and its `ADMIN_API_KEYS` entry, or the error and the usage with exit code 2.
 */
export function runAdminKeyCommand(argv: readonly string[]): { exitCode: number; stdout: string; stderr: string } {
  let args: ReturnType<typeof parseAdminKeyArgs>;
  let generated: GeneratedAdminKey;
  try {
    args = parseAdminKeyArgs(argv);
    generated = generateAdminKey(args);
  } catch (error) {
    if (!(error instanceof AdminKeyConfigError)) throw error;
    return { exitCode: 2, stdout: '', stderr: `admin:key: ${error.message}\n${ADMIN_KEY_USAGE}\n` };
  }
  const id = args.id.trim();
  // The entry is `id:hash:scopes`; the scopes (de-duplicated, as stored) follow the 64-hex hash.
  const scopes = generated.entry.slice(id.length + 1 + 64 + 1);
  if (args.json) {
    return {
      exitCode: 0,
      stdout: `${JSON.stringify({ id, scopes: scopes.split('+'), key: generated.key, entry: generated.entry })}\n`,
      stderr: '',
    };
  }
  const stdout = [
    `New admin API key "${id}" (scopes: ${scopes.split('+').join(', ')})`,
    '',
    'Key: give it to the operator now; it is shown once and stored nowhere:',
    `  ${generated.key}`,
    '',
    'ADMIN_API_KEYS entry: append it to the comma-separated list and restart the api:',
    `  ${generated.entry}`,
    '',
    'Use it as:',
    `  curl -H "Authorization: Bearer ${generated.key}" http://127.0.0.1:3000/admin/certifications`,
    '',
  ].join('\n');
  return { exitCode: 0, stdout, stderr: '' };
}

const ECHOABLE_ARG = /^--?[a-z-]{1,32}$/;
