import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/**
 * PGlite runs PostgreSQL in single-user mode: no autovacuum, so its tables are never analyzed and
 * the planner keeps tiny-table plans for good (a prepared UPDATE by id or imp_uid then walks the
 * whole partial retention index: every signup slower as the table grows; docs/performance.md,
 * "Embedded default"). This does autovacuum's ANALYZE through the app's own pool of one
 * connection, so it runs between the app's statements, never inside its transactions.
 */
export function startEmbeddedStatistics(dataSource: DataSource, options: { firstAfterMs?: number; everyMs?: number } = {}): () => void {
  const logger = new Logger('EmbeddedDatabase');
  let running = false;
  let stopped = false;
  const analyze = async (): Promise<void> => {
    if (running || stopped || !dataSource.isInitialized) return;
    running = true;
    try {
      await dataSource.query('ANALYZE');
    } catch (error) {
      logger.warn(`ANALYZE failed: ${(error as Error).name}: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void analyze(), options.firstAfterMs ?? 10_000);
  const every = setInterval(() => void analyze(), options.everyMs ?? 60_000);
  first.unref();
  every.unref();
  const stop = () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(every);
  };
  const destroy = dataSource.destroy.bind(dataSource);
  dataSource.destroy = async () => {
    stop();
    return destroy();
  };
  return stop;
}
