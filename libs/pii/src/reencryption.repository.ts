import type { EncryptedColumns, EncryptedRow, ReencryptionStore } from './reencryption';

/** What the statements need of `Database` (@app/common), named here so pii stays a leaf. */
export interface StatementRunner {
  query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** The tables holding the four PII columns; their owner repositories delegate pii:rotate here. */
export type PiiTable = 'certifications' | 'users';

/** pii:rotate's two statements for one PII table, shared by its owner repositories. */
export class ReencryptionStatements implements ReencryptionStore {
  constructor(
    private readonly db: StatementRunner,
    private readonly table: PiiTable,
  ) {}

  async pageEncryptedNotUnder(prefix: string, afterId: string | null, limit: number): Promise<EncryptedRow[]> {
    const rows = await this.db.query<{ id: string } & EncryptedColumns>(
      `SELECT id, name_enc, phone_enc, ci_enc, di_enc FROM ${this.table}
        WHERE ($2::uuid IS NULL OR id > $2::uuid)
          AND (NOT starts_with(name_enc, $1) OR NOT starts_with(phone_enc, $1) OR NOT starts_with(ci_enc, $1) OR NOT starts_with(di_enc, $1))
        ORDER BY id
        LIMIT $3`,
      [prefix, afterId, limit],
    );
    return rows.map(({ id, name_enc, phone_enc, ci_enc, di_enc }) => ({ id, columns: { name_enc, phone_enc, ci_enc, di_enc } }));
  }

  /** One statement for a batch; a row whose ciphertexts changed since they were read is left alone. */
  async replaceEncrypted(changes: ReadonlyArray<{ id: string; from: EncryptedColumns; to: EncryptedColumns }>): Promise<number> {
    const col = (pick: (c: (typeof changes)[number]) => string | null) => changes.map(pick);
    const rows = await this.db.query<{ id: string }>(
      `UPDATE ${this.table} t
          SET name_enc = v.name_to, phone_enc = v.phone_to, ci_enc = v.ci_to, di_enc = v.di_to
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
              AS v(id, name_from, phone_from, ci_from, di_from, name_to, phone_to, ci_to, di_to)
        WHERE t.id = v.id
          AND t.name_enc IS NOT DISTINCT FROM v.name_from AND t.phone_enc IS NOT DISTINCT FROM v.phone_from
          AND t.ci_enc IS NOT DISTINCT FROM v.ci_from AND t.di_enc IS NOT DISTINCT FROM v.di_from
        RETURNING t.id`,
      [
        col((c) => c.id),
        col((c) => c.from.name_enc), col((c) => c.from.phone_enc), col((c) => c.from.ci_enc), col((c) => c.from.di_enc),
        col((c) => c.to.name_enc), col((c) => c.to.phone_enc), col((c) => c.to.ci_enc), col((c) => c.to.di_enc),
      ],
    );
    return rows.length;
  }
}
