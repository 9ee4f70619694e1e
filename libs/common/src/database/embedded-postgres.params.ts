import { PGlite } from '@electric-sql/pglite';

/**
 * PGlite's own start parameters plus smaller shared buffers: its 128 MB default is touched at
 * start (~120 MB of RSS), while the embedded database of a laptop works in a few MB
 * (docs/performance.md, "Embedded default").
 */
export const EMBEDDED_START_PARAMS: string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
