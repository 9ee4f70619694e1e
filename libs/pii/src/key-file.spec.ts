import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDir, loadOrCreateKeyFile } from './key-file';
import { PiiConfigError } from './pii-errors';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the embedded mode key file', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pii-key-file-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates DATA_DIR 0700 and the key file 0600, then reads the same keys back', () => {
    const dir = join(root, 'nested', '.data');
    const first = loadOrCreateKeyFile(dir);
    expect(first.created).toBe(true);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(first.file)).toBe(0o600);
    const again = loadOrCreateKeyFile(dir);
    expect(again).toEqual({ ...first, created: false });
  });

  it('tightens an existing DATA_DIR to 0700', () => {
    const dir = join(root, 'open');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    ensurePrivateDir(dir);
    expect(modeOf(dir)).toBe(0o700);
  });

  it.each([0o644, 0o640, 0o604, 0o660, 0o666])('refuses a key file of mode 0%o, naming it and the fix, never the keys', (mode) => {
    const { file, keys } = loadOrCreateKeyFile(root);
    chmodSync(file, mode);
    let error: unknown;
    try {
      loadOrCreateKeyFile(root);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PiiConfigError);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toContain(`0${mode.toString(8)}`);
    expect(message).toContain(`chmod 600 ${file}`);
    expect(message).not.toContain(keys.hmacKey);
    expect(message).not.toContain(keys.encryptionKeys.split(':')[1]);
  });

  it('accepts 0400 (read-only for the owner), refuses a file that is not a key file', () => {
    const { file } = loadOrCreateKeyFile(root);
    chmodSync(file, 0o400);
    expect(loadOrCreateKeyFile(root).created).toBe(false);
    chmodSync(file, 0o600);
    writeFileSync(file, '{"encryptionKeys": 1}');
    expect(() => loadOrCreateKeyFile(root)).toThrow(/must hold/);
    expect(readFileSync(file, 'utf8')).toBe('{"encryptionKeys": 1}');
  });
});
