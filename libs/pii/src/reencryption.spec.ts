import { randomBytes } from 'node:crypto';
import { PiiCipher } from './pii-cipher';
import { reencryptTable, type EncryptedColumns, type EncryptedRow, type ReencryptionStore } from './reencryption';

/** A table in memory with the semantics of the repositories' two statements. */
class InMemoryStore implements ReencryptionStore {
  readonly rows = new Map<string, EncryptedColumns>();
  /** Runs between a page read and its write (a concurrent change by the application). */
  beforeWrite: (() => void) | null = null;
  writes = 0;

  async pageEncryptedNotUnder(prefix: string, afterId: string | null, limit: number): Promise<EncryptedRow[]> {
    return [...this.rows.entries()]
      .filter(([id]) => afterId === null || id > afterId)
      .filter(([, columns]) => Object.values(columns).some((v) => v !== null && !v.startsWith(prefix)))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .slice(0, limit)
      .map(([id, columns]) => ({ id, columns: { ...columns } }));
  }

  async replaceEncrypted(changes: ReadonlyArray<{ id: string; from: EncryptedColumns; to: EncryptedColumns }>): Promise<number> {
    this.beforeWrite?.();
    this.writes += 1;
    let n = 0;
    for (const { id, from, to } of changes) {
      const current = this.rows.get(id);
      if (current && JSON.stringify(current) === JSON.stringify(from)) {
        this.rows.set(id, { ...to });
        n += 1;
      }
    }
    return n;
  }
}

const entry = (kid: string) => `${kid}:${randomBytes(32).toString('base64')}`;

describe('reencryptTable', () => {
  const k1 = entry('k1');
  const k2 = entry('k2');
  const old = PiiCipher.fromConfig(k1);
  const rotated = PiiCipher.fromConfig(`${k2},${k1}`);

  function seed(store: InMemoryStore, n: number): void {
    for (let i = 0; i < n; i++) {
      store.rows.set(`id${String(i).padStart(3, '0')}`, {
        name_enc: old.encrypt(`name${i}`, 'name_enc'),
        phone_enc: i % 3 === 0 ? null : old.encrypt(`phone${i}`, 'phone_enc'),
        ci_enc: old.encrypt(`ci${i}`, 'ci_enc'),
        di_enc: null,
      });
    }
  }

  it('re-encrypts every row in batches, nulls kept, and a rerun has nothing to do', async () => {
    const store = new InMemoryStore();
    seed(store, 23);
    const result = await reencryptTable(store, rotated, { batchSize: 5 });
    expect(result).toEqual({ scanned: 23, reencrypted: 23, changedMeanwhile: 0, undecryptable: 0, batches: 5, stoppedEarly: false });
    const onlyNew = PiiCipher.fromConfig(k2);
    for (const [id, columns] of store.rows) {
      const i = Number(id.slice(2));
      expect(onlyNew.decrypt(columns.name_enc!, 'name_enc')).toBe(`name${i}`);
      expect(columns.phone_enc === null).toBe(i % 3 === 0);
      expect(columns.di_enc).toBeNull();
    }
    expect(await reencryptTable(store, rotated, { batchSize: 5 })).toMatchObject({ scanned: 0, batches: 0 });
  });

  it('stops after maxBatches and continues on the next run', async () => {
    const store = new InMemoryStore();
    seed(store, 12);
    expect(await reencryptTable(store, rotated, { batchSize: 4, maxBatches: 2 })).toMatchObject({ reencrypted: 8, stoppedEarly: true });
    expect(await reencryptTable(store, rotated, { batchSize: 4 })).toMatchObject({ scanned: 4, reencrypted: 4, stoppedEarly: false });
  });

  it('leaves a row the application changed meanwhile, and one no key decrypts, as they are', async () => {
    const store = new InMemoryStore();
    seed(store, 4);
    const foreign = PiiCipher.fromConfig(entry('k9')).encrypt('x', 'name_enc');
    store.rows.set('id900', { name_enc: foreign, phone_enc: null, ci_enc: null, di_enc: null });
    store.beforeWrite = () => {
      store.rows.set('id001', { name_enc: null, phone_enc: null, ci_enc: null, di_enc: null }); // erased meanwhile
      store.beforeWrite = null;
    };
    const result = await reencryptTable(store, rotated, { batchSize: 10 });
    expect(result).toMatchObject({ scanned: 5, reencrypted: 3, changedMeanwhile: 1, undecryptable: 1 });
    expect(store.rows.get('id001')!.name_enc).toBeNull();
    expect(store.rows.get('id900')!.name_enc).toBe(foreign);
  });
});
