import { invalidField } from './admin.errors';

/**
 * Opaque keyset cursors, base64url of `{"v":1,"k":kind,"t":sort time,"i":id}`; `t` keeps
 * PostgreSQL's microseconds (a Date has milliseconds only). Unsigned: a cursor grants nothing.
 */
export type CursorKind = 'certifications' | 'audit';

export interface Cursor {
  /** UTC timestamp with microseconds, `2025-01-02T03:04:05.123456Z`. */
  t: string;
  id: string;
}

const KIND_TAG: Record<CursorKind, string> = { certifications: 'c', audit: 'a' };
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;
const ID_PATTERN: Record<CursorKind, RegExp> = {
  certifications: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  audit: /^[1-9][0-9]{0,17}$/,
};
const MAX_CURSOR_LENGTH = 256;

export function encodeCursor(kind: CursorKind, cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ v: 1, k: KIND_TAG[kind], t: cursor.t, i: cursor.id }), 'utf8').toString('base64url');
}

/** @throws ValidationFailedError (`cursor`) for anything `encodeCursor(kind, ...)` did not produce. */
export function decodeCursor(kind: CursorKind, raw: string): Cursor {
  const bad = () => invalidField('cursor', 'cursor is not a valid next_cursor of this list');
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    throw bad();
  }
  const bytes = Buffer.from(raw, 'base64url');
  if (bytes.toString('base64url') !== raw) throw bad(); // not canonical base64url
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw bad();
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad();
  const { v, k, t, i, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || v !== 1 || k !== KIND_TAG[kind]) throw bad();
  if (typeof t !== 'string' || typeof i !== 'string' || !ID_PATTERN[kind].test(i)) throw bad();
  const m = TIMESTAMP.exec(t);
  if (!m) throw bad();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second ||
    year < 1970
  ) {
    throw bad();
  }
  return { t, id: i };
}
