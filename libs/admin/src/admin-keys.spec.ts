import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  ADMIN_KEY_PREFIX,
  AdminKeyConfigError,
  findKeyConstantTime,
  generateAdminKey,
  runAdminKeyCommand,
  hashAdminKey,
  parseAdminApiKeys,
  parseAdminKeyArgs,
  type AdminKeyEntry,
} from './admin-keys';
import { AdminKeyService } from './admin-key.service';
import { resolveAdminOptions } from './admin.options';

const sha = (key: string) => createHash('sha256').update(key).digest('hex');

beforeAll(() => Logger.overrideLogger(false));
const H1 = sha('key-one');
const H2 = sha('key-two');

function parseError(raw: string): AdminKeyConfigError {
  try {
    parseAdminApiKeys(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(AdminKeyConfigError);
    return e as AdminKeyConfigError;
  }
  throw new Error('expected a parse error');
}

describe('parseAdminApiKeys', () => {
  it('parses entries, splitting at the first two colons and scopes at "+"', () => {
    const [ops, auditor] = parseAdminApiKeys(` ops:${H1}:verifications:read+pii:reveal , auditor:${H2.toUpperCase()}:audit:read`);
    expect(ops.id).toBe('ops');
    expect(ops.hash.toString('hex')).toBe(H1);
    expect([...ops.scopes]).toEqual(['verifications:read', 'pii:reveal']);
    expect(auditor.id).toBe('auditor');
    expect(auditor.hash.toString('hex')).toBe(H2); // upper-case hex accepted, normalized
    expect([...auditor.scopes]).toEqual(['audit:read']);
  });

  it('treats an empty or blank value as no keys', () => {
    expect(parseAdminApiKeys('')).toEqual([]);
    expect(parseAdminApiKeys('   ')).toEqual([]);
    expect(parseAdminApiKeys(undefined)).toEqual([]);
  });

  it('accepts all four scopes and de-duplicates repeats', () => {
    const [k] = parseAdminApiKeys(`all:${H1}:verifications:read+pii:reveal+verifications:erase+audit:read+audit:read`);
    expect([...k.scopes].sort()).toEqual(['audit:read', 'pii:reveal', 'verifications:erase', 'verifications:read']);
  });

  it.each([
    ['no colon', 'ops', /entry 1 must have the form id:sha256hex:scopes/],
    ['one colon', `ops:${H1}`, /entry 1 must have the form/],
    ['empty entry', `ops:${H1}:audit:read,,x:${H2}:audit:read`, /entry 2 is empty/],
    ['bad id', `o ps:${H1}:audit:read`, /entry 1: the id must be/],
    ['id with colon position', `:${H1}:audit:read`, /entry 1: the id must be/],
    ['short hash', `ops:${H1.slice(1)}:audit:read`, /64 hexadecimal characters/],
    ['non-hex hash', `ops:${'g'.repeat(64)}:audit:read`, /64 hexadecimal characters/],
    ['no scopes', `ops:${H1}:`, /no scopes/],
    ['empty scope', `ops:${H1}:audit:read++pii:reveal`, /empty scope/],
    ['unknown scope', `ops:${H1}:audit:write`, /unknown scope "audit:write"/],
    ['duplicate id', `ops:${H1}:audit:read,ops:${H2}:audit:read`, /entry 2 \("ops"\): duplicate id/],
    ['duplicate hash', `a:${H1}:audit:read,b:${H1}:pii:reveal`, /entry 2 \("b"\): same key hash as entry 1/],
  ])('rejects %s', (_case, raw, message) => {
    expect(parseError(raw).message).toMatch(message);
  });

  it('never echoes a hash or a secret-looking value in its messages', () => {
    const pasted = 'adm_' + 'Z'.repeat(43);
    const cases = [
      `ops:${H1.slice(2)}:audit:read`, // bad hash
      `ops:${H1}:${H2}`, // a hash where the scopes go
      `ops:${H1}:${pasted}`, // a key where the scopes go
      `ops:${pasted}:audit:read`, // a key where the hash goes
      `ops:${H1}:audit:read,b:${H1}:audit:read`, // duplicate
    ];
    for (const raw of cases) {
      const message = parseError(raw).message;
      expect(message).not.toContain(H1);
      expect(message).not.toContain(H1.slice(2));
      expect(message).not.toContain(H2);
      expect(message).not.toContain(pasted);
    }
  });

  it('fails the AdminKeyService (and so the module) at construction', () => {
    expect(() => new AdminKeyService(resolveAdminOptions({ apiKeys: `ops:${H1}:nope` }))).toThrow(AdminKeyConfigError);
  });
});

describe('findKeyConstantTime', () => {
  /** Entries whose `hash` reads are counted. */
  function countingEntries(hashes: string[]): { entries: AdminKeyEntry[]; reads: number[] } {
    const reads = hashes.map(() => 0);
    const entries = hashes.map((h, i) => {
      const hash = Buffer.from(h, 'hex');
      return {
        id: `k${i}`,
        scopes: new Set(['audit:read'] as const),
        get hash() {
          reads[i]++;
          return hash;
        },
      } as AdminKeyEntry;
    });
    return { entries, reads };
  }

  it('compares the digest with every entry, also after a match (no early exit)', () => {
    const hashes = [sha('a'), sha('b'), sha('c'), sha('d')];
    const { entries, reads } = countingEntries(hashes);
    expect(findKeyConstantTime(hashAdminKey('a'), entries)?.id).toBe('k0');
    expect(reads.every((n) => n > 0)).toBe(true);
    const { entries: e2, reads: r2 } = countingEntries(hashes);
    expect(findKeyConstantTime(hashAdminKey('zzz'), e2)).toBeUndefined();
    expect(r2.every((n) => n > 0)).toBe(true);
  });

  it('rejects a key differing in one character and a digest of another length without throwing', () => {
    const entries = parseAdminApiKeys(`ops:${sha('adm_secret1')}:audit:read`);
    expect(findKeyConstantTime(hashAdminKey('adm_secret1'), entries)?.id).toBe('ops');
    expect(findKeyConstantTime(hashAdminKey('adm_secret2'), entries)).toBeUndefined();
    expect(findKeyConstantTime(Buffer.alloc(16), entries)).toBeUndefined();
  });
});

describe('AdminKeyService', () => {
  const service = new AdminKeyService(
    resolveAdminOptions({ apiKeys: `reader:${sha('adm_reader')}:verifications:read,all:${sha('adm_all')}:verifications:read+pii:reveal` }),
  );

  it('authenticates a Bearer key (scheme case-insensitive) to its id and scopes', () => {
    expect(service.authenticate('Bearer adm_reader').keyId).toBe('reader');
    expect(service.authenticate('bearer adm_all').keyId).toBe('all');
  });

  it.each([undefined, '', 'adm_reader', 'Basic adm_reader', 'Bearer', 'Bearer  ', 'Bearer adm_reader extra', 'Bearer adm_unknown', ['Bearer adm_reader']])(
    'answers 401 for %p',
    (header) => {
      expect(() => service.authenticate(header)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED', status: 401 }));
    },
  );

  it('answers 403 naming the missing scope', () => {
    expect(() => service.authorize('Bearer adm_reader', ['verifications:read', 'pii:reveal'])).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', status: 403, details: { required_scopes: ['pii:reveal'] } }),
    );
    expect(service.authorize('Bearer adm_all', ['verifications:read', 'pii:reveal']).keyId).toBe('all');
  });
});

describe('generateAdminKey and the admin:key arguments', () => {
  it('prints a prefixed 256-bit key and an entry the parser accepts and that authenticates', () => {
    const { key, hash, entry } = generateAdminKey({ id: 'ops', scopes: ['verifications:read', 'pii:reveal'] });
    expect(key).toMatch(new RegExp(`^${ADMIN_KEY_PREFIX}[A-Za-z0-9_-]{43}$`));
    expect(hash).toBe(sha(key));
    expect(entry).toBe(`ops:${hash}:verifications:read+pii:reveal`);
    expect(entry).not.toContain(key);
    const service = new AdminKeyService(resolveAdminOptions({ apiKeys: entry }));
    expect(service.authorize(`Bearer ${key}`, ['pii:reveal']).keyId).toBe('ops');
    expect(generateAdminKey({ id: 'ops', scopes: ['audit:read'] }).key).not.toBe(key);
  });

  it('rejects a bad id, no scopes and unknown scopes', () => {
    expect(() => generateAdminKey({ id: 'a:b', scopes: ['audit:read'] })).toThrow(/--id/);
    expect(() => generateAdminKey({ id: 'ops', scopes: [] })).toThrow(/--scopes is required/);
    expect(() => generateAdminKey({ id: 'ops', scopes: ['root'] })).toThrow(/unknown scope "root"/);
  });

  it('parses --id/--scopes in both spellings', () => {
    expect(parseAdminKeyArgs(['--id', 'ops', '--scopes', 'verifications:read+pii:reveal'])).toEqual({
      id: 'ops',
      scopes: ['verifications:read', 'pii:reveal'],
      json: false,
    });
    expect(parseAdminKeyArgs(['--id=ops', '--scopes=audit:read', '--scope', 'pii:reveal', '--json'])).toEqual({
      id: 'ops',
      scopes: ['audit:read', 'pii:reveal'],
      json: true,
    });
    expect(() => parseAdminKeyArgs(['--scopes', 'audit:read'])).toThrow(/--id is required/);
    expect(() => parseAdminKeyArgs(['--id'])).toThrow(/--id needs a value/);
    expect(() => parseAdminKeyArgs(['--id', 'ops', '--force'])).toThrow(/unknown argument "--force"/);
  });
});

describe('npm run admin:key (runAdminKeyCommand, all that scripts/admin-key.ts runs)', () => {
  it('prints the key once and the ADMIN_API_KEYS entry for it', () => {
    const { exitCode, stdout, stderr } = runAdminKeyCommand(['--id', 'ops', '--scopes', 'verifications:read+pii:reveal']);
    expect(exitCode).toBe(0);
    expect(stderr).toBe('');
    const key = /\n {2}(adm_[A-Za-z0-9_-]{43})\n/.exec(stdout)?.[1];
    const entry = /\n {2}(ops:[0-9a-f]{64}:verifications:read\+pii:reveal)\n/.exec(stdout)?.[1];
    expect(key).toBeDefined();
    expect(entry).toBeDefined();
    expect(stdout).toContain('New admin API key "ops" (scopes: verifications:read, pii:reveal)');
    expect(stdout.split(key!).length - 1).toBe(2); // the key line and the curl example
    expect(entry).toBe(`ops:${sha(key!)}:verifications:read+pii:reveal`);
    const service = new AdminKeyService(resolveAdminOptions({ apiKeys: entry! }));
    expect(service.authorize(`Bearer ${key}`, ['verifications:read', 'pii:reveal']).keyId).toBe('ops');
  });

  it('prints JSON with --json', () => {
    const { exitCode, stdout } = runAdminKeyCommand(['--id=auditor', '--scopes=audit:read', '--json']);
    expect(exitCode).toBe(0);
    const out = JSON.parse(stdout);
    expect(out).toEqual({ id: 'auditor', scopes: ['audit:read'], key: expect.stringMatching(/^adm_/), entry: expect.any(String) });
    expect(out.entry).toBe(`auditor:${sha(out.key)}:audit:read`);
  });

  it('exits 2 with the error and the usage on bad arguments', () => {
    for (const argv of [[], ['--id', 'ops'], ['--id', 'ops', '--scopes', 'admin:all'], ['--id', 'o/p', '--scopes', 'audit:read']]) {
      const { exitCode, stdout, stderr } = runAdminKeyCommand(argv);
      expect(exitCode).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^admin:key: .+\nUsage: npm run admin:key -- --id/);
    }
  });
});
