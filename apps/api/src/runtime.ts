import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@app/common';
import { ensurePrivateDir, loadOrCreateKeyFile } from '@app/pii';
import type { AppConfig } from './config/app-config';

/** What the AppModule needs beyond the validated config: where the database is, and the keys. */
export interface ApiRuntime {
  database: {
    url: string;
    poolSize: number;
    /** A URL for the migration advisory lock's own connection; unset on the embedded database. */
    lockUrl?: string;
    embedded: boolean;
  };
  pii: { encryptionKeys: string; hmacKey: string };
}

export interface PreparedRuntime extends ApiRuntime {
  close(): Promise<void>;
}

/**
 * Resolves the embedded defaults: with no DATABASE_URL, PGlite runs in this process with its
 * files in DATA_DIR/pglite (a pool of one connection); with no PII keys on the embedded
 * database, keys are generated once into DATA_DIR/pii-keys.json (0600) with a warning.
 * DATA_DIR is 0700; a key file others may read stops the boot (PiiConfigError).
 */
export async function prepareRuntime(config: AppConfig, logger = new Logger('Runtime')): Promise<PreparedRuntime> {
  // Keys first: a refused key file stops the boot before the embedded database opens.
  const pii = config.pii.encryptionKeys && config.pii.hmacKey
    ? { encryptionKeys: config.pii.encryptionKeys, hmacKey: config.pii.hmacKey }
    : loadOrCreateKeys(config.dataDir, logger);
  let embedded: EmbeddedPostgres | null = null;
  let database: ApiRuntime['database'];
  if (config.database.url) {
    database = { url: config.database.url, poolSize: config.database.poolSize, lockUrl: config.database.url, embedded: false };
  } else {
    const dir = join(config.dataDir, 'pglite');
    ensurePrivateDir(config.dataDir);
    embedded = await startEmbeddedPostgres(dir);
    const how = embedded.created === 'template' ? " (created from the build's template)" : embedded.created === 'initdb' ? ' (created by initdb)' : '';
    logger.log(`Embedded PostgreSQL (PGlite) with its files in ${dir}${how}`);
    database = { url: embedded.url, poolSize: 1, embedded: true };
  }
  return {
    database,
    pii,
    async close() {
      await embedded?.close();
    },
  };
}

function loadOrCreateKeys(dataDir: string, logger: Logger): ApiRuntime['pii'] {
  const { keys, file, created } = loadOrCreateKeyFile(dataDir);
  if (created) {
    logger.warn(`Generated PII keys into ${file} (embedded mode). Back it up: without it the stored personal data cannot be read`);
  } else {
    logger.warn(`Using PII keys from ${file} (embedded mode); set PII_ENCRYPTION_KEYS and PII_HMAC_KEY in production`);
  }
  return keys;
}
