import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PiiConfigError } from './pii-errors';
import { generateKeyMaterial } from './pii-keys';

/** The key material of the embedded mode, in the environment formats. */
export interface PiiKeyFileContents {
  encryptionKeys: string;
  hmacKey: string;
}

export const PII_KEY_FILE = 'pii-keys.json';

/**
 * Creates `dir` (and its parents) with mode 0700 and tightens it to 0700 if it exists: it holds
 * the embedded database and the generated keys, for this user only.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * The embedded mode's keys: read from `dir/pii-keys.json`, or generated into it (mode 0600).
 * @throws PiiConfigError when the file is readable or writable by others (mode wider than 0600)
 *   or is not a key file; the message names the file and the mode, never the contents.
 */
export function loadOrCreateKeyFile(dir: string): { keys: PiiKeyFileContents; file: string; created: boolean } {
  ensurePrivateDir(dir);
  const file = join(dir, PII_KEY_FILE);
  if (!existsSync(file)) {
    const keys = generateKeyMaterial();
    writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return { keys, file, created: true };
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new PiiConfigError(`${file} has mode 0${mode.toString(8)}: other users may read the PII keys; run chmod 600 ${file}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new PiiConfigError(`${file} is not JSON`);
  }
  const keys = parsed as Partial<PiiKeyFileContents> | null;
  if (typeof keys?.encryptionKeys !== 'string' || typeof keys.hmacKey !== 'string') {
    throw new PiiConfigError(`${file} must hold {"encryptionKeys": "...", "hmacKey": "..."}`);
  }
  return { keys: { encryptionKeys: keys.encryptionKeys, hmacKey: keys.hmacKey }, file, created: false };
}
