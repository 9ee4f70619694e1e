export { PiiModule } from './pii.module';
export { PII_MODULE_OPTIONS, type PiiModuleForRootOptions, type PiiModuleForRootAsyncOptions } from './pii.module-definition';
export type { PiiModuleOptions, PiiModuleExtras } from './pii.options';
export { PiiCipher, PII_COLUMNS, type PiiColumn } from './pii-cipher';
export { BlindIndex, type BlindIndexPurpose } from './blind-index';
export {
  parseEncryptionKeys,
  parseHmacKey,
  generateKeyMaterial,
  type PiiEncryptionKey,
} from './pii-keys';
export { ensurePrivateDir, loadOrCreateKeyFile, PII_KEY_FILE, type PiiKeyFileContents } from './key-file';
export { reencryptTable, type EncryptedColumns, type EncryptedRow, type ReencryptionResult, type ReencryptionStore } from './reencryption';
export { ReencryptionStatements, type PiiTable, type StatementRunner } from './reencryption.repository';
export { PiiConfigError, PiiDecryptionError, type PiiDecryptionFailure } from './pii-errors';
export { maskName, maskPhone, maskCi, maskBirthday } from './masking';
export {
  PII_LOG_REDACT_PATHS,
  PII_REDACTED,
  PII_SENSITIVE_KEYS,
  buildPiiRedactPaths,
  isSensitiveKey,
  redactObject,
  redactUrl,
} from './redaction';
