import type { Database } from '@app/common';

/** The admin tables retention trims, each by its own time column. */
export type TrimmedTable = { table: 'audit_log'; column: 'occurred_at' } | { table: 'upstream_deletions'; column: 'completed_at' };

/** Deletes up to `limit` of the oldest rows whose time column is before `cutoff` (short statements, no long lock); answers how many. */
export async function deleteOldestBefore(db: Database, { table, column }: TrimmedTable, cutoff: Date, limit: number): Promise<number> {
  const rows = await db.query<{ n: string }>(
    `WITH gone AS (
       DELETE FROM ${table} WHERE id IN (
         SELECT id FROM ${table} WHERE ${column} < $1 ORDER BY ${column}, id LIMIT $2)
       RETURNING 1)
     SELECT count(*)::text AS n FROM gone`,
    [cutoff, limit],
  );
  return Number(rows[0]?.n ?? 0);
}
