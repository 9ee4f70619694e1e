/** Options of `PiiModule`, in the raw environment formats (parsed at module init, so bad keys stop the boot). */
export interface PiiModuleOptions {
  /** `PII_ENCRYPTION_KEYS`: comma-separated `kid:base64-of-32-bytes`, the first is active. */
  encryptionKeys: string;
  /** `PII_HMAC_KEY`: base64 of at least 32 bytes, separate from the encryption keys. */
  hmacKey: string;
}

export interface PiiModuleExtras {
  /** Register the module globally (default false). */
  isGlobal?: boolean;
}
