/** The rows of a TypeORM `query` answer: its postgres driver answers `[rows, count]` for UPDATE/DELETE. */
export function rowsOf<Row>(raw: unknown): Row[] {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') return raw[0] as Row[];
  return Array.isArray(raw) ? (raw as Row[]) : [];
}
