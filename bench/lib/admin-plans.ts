import type { Client } from 'pg';

/** One statement's EXPLAIN (ANALYZE, BUFFERS): times, buffers, and its plan as a one-line tree. */
export interface PlanSummary {
  planningMs: number;
  executionMs: number;
  /** Shared buffers found in PostgreSQL's cache / read from the OS (8 kB pages), whole plan. */
  sharedHit: number;
  sharedRead: number;
  /** e.g. `Limit > Index Scan Backward using ix_certifications_created on certifications`. */
  plan: string;
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Scan Direction'?: string;
  Plans?: PlanNode[];
}

function describe(node: PlanNode): string {
  let s = node['Node Type'];
  if (node['Node Type'].includes('Index') && node['Scan Direction'] === 'Backward') s += ' Backward';
  if (node['Index Name']) s += ` using ${node['Index Name']}`;
  if (node['Relation Name'] && !node['Index Name']) s += ` on ${node['Relation Name']}`;
  const kids = (node.Plans ?? []).map(describe);
  if (kids.length === 1) return `${s} > ${kids[0]}`;
  if (kids.length > 1) return `${s} > (${kids.join(' | ')})`;
  return s;
}

/** Runs the statement under EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON), once warm (the second run). */
export async function explain(c: Client, text: string, values: unknown[]): Promise<PlanSummary> {
  let out: PlanSummary | null = null;
  for (let i = 0; i < 2; i++) {
    const r = await c.query<{ 'QUERY PLAN': [{ Plan: PlanNode & Record<string, number>; 'Planning Time': number; 'Execution Time': number }] }>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`,
      values,
    );
    const top = r.rows[0]['QUERY PLAN'][0];
    out = {
      planningMs: top['Planning Time'],
      executionMs: top['Execution Time'],
      sharedHit: top.Plan['Shared Hit Blocks'] ?? 0,
      sharedRead: top.Plan['Shared Read Blocks'] ?? 0,
      plan: describe(top.Plan),
    };
  }
  return out!;
}
