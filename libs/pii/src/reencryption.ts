import { PII_COLUMNS, type PiiCipher, type PiiColumn } from './pii-cipher';

/** The encrypted columns of one row (null: no value). */
export type EncryptedColumns = Record<PiiColumn, string | null>;

export interface EncryptedRow {
  id: string;
  columns: EncryptedColumns;
}

/**
 * What `pii:rotate` needs of a table holding PII columns: its owner repository implements it
 * (CertificationRepository, UserRepository).
 */
export interface ReencryptionStore {
  /** Up to `limit` rows, by id after `afterId`, with a non-null PII column not starting with `prefix`. */
  pageEncryptedNotUnder(prefix: string, afterId: string | null, limit: number): Promise<EncryptedRow[]>;
  /** Writes `to` into each row whose columns still hold `from` (a row changed meanwhile is left alone); answers how many were written. */
  replaceEncrypted(changes: ReadonlyArray<{ id: string; from: EncryptedColumns; to: EncryptedColumns }>): Promise<number>;
}

export interface ReencryptionResult {
  /** Rows read that needed re-encryption. */
  scanned: number;
  /** Rows written under the active key. */
  reencrypted: number;
  /** Rows changed by the application between read and write (a rerun picks them up if needed). */
  changedMeanwhile: number;
  /** Rows with a value no configured key decrypts (left as they are). */
  undecryptable: number;
  batches: number;
  /** True when `maxBatches` stopped the run before the table was done. */
  stoppedEarly: boolean;
}

/**
 * Re-encrypts every PII value of a table that is not under the cipher's active key in the
 * current format, `batchSize` rows per statement. Resumable: rows already done are not read
 * again, so a rerun continues where a stopped run ended.
 */
export async function reencryptTable(
  store: ReencryptionStore,
  cipher: PiiCipher,
  options: { batchSize: number; maxBatches?: number; onBatch?: (result: ReencryptionResult) => void },
): Promise<ReencryptionResult> {
  const prefix = cipher.currentPrefix;
  const result: ReencryptionResult = { scanned: 0, reencrypted: 0, changedMeanwhile: 0, undecryptable: 0, batches: 0, stoppedEarly: false };
  let after: string | null = null;
  for (;;) {
    if (options.maxBatches !== undefined && result.batches >= options.maxBatches) {
      result.stoppedEarly = (await store.pageEncryptedNotUnder(prefix, after, 1)).length > 0;
      return result;
    }
    const rows = await store.pageEncryptedNotUnder(prefix, after, options.batchSize);
    if (rows.length === 0) return result;
    after = rows[rows.length - 1].id;
    const changes: Array<{ id: string; from: EncryptedColumns; to: EncryptedColumns }> = [];
    for (const row of rows) {
      const to = reencryptColumns(cipher, row.columns);
      if (to === null) result.undecryptable += 1;
      else changes.push({ id: row.id, from: row.columns, to });
    }
    const written = changes.length === 0 ? 0 : await store.replaceEncrypted(changes);
    result.scanned += rows.length;
    result.reencrypted += written;
    result.changedMeanwhile += changes.length - written;
    result.batches += 1;
    options.onBatch?.({ ...result });
  }
}

/** The columns under the active key, or null when one of them does not decrypt. */
function reencryptColumns(cipher: PiiCipher, columns: EncryptedColumns): EncryptedColumns | null {
  const out = { ...columns };
  try {
    for (const column of PII_COLUMNS) {
      const token = columns[column];
      if (token !== null) out[column] = cipher.reencrypt(token, column);
    }
  } catch {
    return null;
  }
  return out;
}
