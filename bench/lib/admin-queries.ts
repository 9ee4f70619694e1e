/** The api's admin routes the bench measures, in the order it runs them. */
export const ADMIN_API_QUERIES = ['listFirstPage', 'listDeepPageByCursor', 'phoneFilter', 'ciLookup', 'diLookup', 'detail'] as const;
/** For comparison, not the api: raw SQL through pg, and a bare node:http server (the machine's floor). */
export const ADMIN_SQL_QUERIES = ['sqlOffsetDeepPage', 'sqlKeysetDeepPage', 'sqlCiSelect', 'sqlCiLookupAudited', 'httpFloor'] as const;
export type AdminQueryName = (typeof ADMIN_API_QUERIES)[number] | (typeof ADMIN_SQL_QUERIES)[number];
/** Statements run under EXPLAIN (ANALYZE, BUFFERS) after the measurement. */
export const ADMIN_PLANS = ['listFirstPage', 'listDeepPageByCursor', 'phoneFilter', 'ciLookup', 'diLookup', 'detail'] as const;
