import type { DataSource, EntityManager } from 'typeorm';
import { queryPrepared, type PreparedStatement } from './prepared-statement';
import { rowsOf } from './rows';

/** An open transaction, handed by `Database.transaction` to the repositories that join it. */
export interface Transaction {
  readonly manager: EntityManager;
}

/**
 * The one way repositories reach PostgreSQL: plain statements (in a transaction when given
 * one), hot statements as named prepared statements, and transactions for services that
 * span several repositories. Services never see the DataSource.
 */
export class Database {
  constructor(private readonly dataSource: DataSource) {}

  async query<Row>(text: string, params: readonly unknown[] = [], tx?: Transaction): Promise<Row[]> {
    const runner = tx?.manager ?? this.dataSource;
    return rowsOf<Row>(await runner.query(text, [...params]));
  }

  /** A prepared statement; inside a transaction it runs there as a plain statement. */
  prepared<Row>(statement: PreparedStatement, params: readonly unknown[], tx?: Transaction): Promise<Row[]> {
    if (tx) return this.query<Row>(statement.text, params, tx);
    return queryPrepared<Row>(this.dataSource, statement, [...params]);
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work({ manager }));
  }

  /** `SELECT 1`, for readiness checks. */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
