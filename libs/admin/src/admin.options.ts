/** Options of `AdminModule`. */
export interface AdminModuleOptions {
  /**
   * `ADMIN_API_KEYS`: comma-separated `id:sha256hex:scopes` entries (see `parseAdminApiKeys`).
   * Parsed when the module starts: a malformed value stops the boot. Empty: no keys, every
   * admin request is answered 401.
   */
  apiKeys: string;
  /** Verifications never used for signup lose their personal data after this many days. Default 30. */
  unusedVerificationDays?: number;
  /** Pending, expired and locked verifications lose their personal data after this many hours. Default 24. */
  unfinishedVerificationHours?: number;
  /** A used verification's kept copy (UserModule `keepVerificationPiiHours`) is erased this many hours after the signup. 0 (default): nothing kept. */
  usedVerificationKeepHours?: number;
  /** Audit rows are deleted after this many days. Default 365 (PIPA: access logs at least a year for larger processors). */
  auditLogDays?: number;
  /** Completed upstream deletions are deleted from the outbox after this many days. Default 30. */
  finishedOutboxDays?: number;
  /** Rows erased per retention transaction. Default 500. */
  retentionBatchSize?: number;
  /** Run retention daily at 03:00 Asia/Seoul (needs `ScheduleModule.forRoot()` in the host). Default true. */
  retentionSchedule?: boolean;
  /** Retention also queues the upstream DELETE of what it erases. Default true. */
  retentionDeletesUpstream?: boolean;
  /**
   * How often the worker retries pending upstream deletions, in ms (needs
   * `ScheduleModule.forRoot()` in the host). 0 turns the worker off. Default 30000.
   */
  upstreamRetryIntervalMs?: number;
  /** Upstream deletions attempted per worker run. Default 50. */
  upstreamRetryBatchSize?: number;
  /** Backoff after the n-th failed upstream deletion: base * 2^(n-1), capped. Default 30000. */
  upstreamRetryBaseDelayMs?: number;
  /** Cap of that backoff. Default 3600000 (1 hour). */
  upstreamRetryMaxDelayMs?: number;
  /** Source of "now" (tests). Default `() => new Date()`. */
  clock?: () => Date;
}

export interface AdminModuleExtras {
  /** Register the module globally (default false). */
  isGlobal?: boolean;
}

export interface ResolvedAdminOptions {
  apiKeys: string;
  unusedVerificationDays: number;
  unfinishedVerificationHours: number;
  usedVerificationKeepHours: number;
  auditLogDays: number;
  finishedOutboxDays: number;
  retentionBatchSize: number;
  retentionSchedule: boolean;
  retentionDeletesUpstream: boolean;
  upstreamRetryIntervalMs: number;
  upstreamRetryBatchSize: number;
  upstreamRetryBaseDelayMs: number;
  upstreamRetryMaxDelayMs: number;
  clock: () => Date;
}

/** Fills defaults and checks ranges; the messages name the option, never the keys. */
export function resolveAdminOptions(options: AdminModuleOptions): ResolvedAdminOptions {
  if (!options || typeof options !== 'object') throw new Error('AdminModule: options are required');
  const int = (name: keyof AdminModuleOptions, value: unknown, def: number, min: number, max: number): number => {
    if (value === undefined || value === null) return def;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new Error(`AdminModule: ${name} must be an integer between ${min} and ${max}`);
    }
    return value;
  };
  const retryBase = int('upstreamRetryBaseDelayMs', options.upstreamRetryBaseDelayMs, 30_000, 1, 86_400_000);
  return {
    apiKeys: options.apiKeys ?? '',
    unusedVerificationDays: int('unusedVerificationDays', options.unusedVerificationDays, 30, 1, 36_500),
    unfinishedVerificationHours: int('unfinishedVerificationHours', options.unfinishedVerificationHours, 24, 1, 876_000),
    usedVerificationKeepHours: int('usedVerificationKeepHours', options.usedVerificationKeepHours, 0, 0, 876_000),
    auditLogDays: int('auditLogDays', options.auditLogDays, 365, 1, 36_500),
    finishedOutboxDays: int('finishedOutboxDays', options.finishedOutboxDays, 30, 1, 36_500),
    retentionBatchSize: int('retentionBatchSize', options.retentionBatchSize, 500, 1, 10_000),
    retentionSchedule: options.retentionSchedule !== false,
    retentionDeletesUpstream: options.retentionDeletesUpstream !== false,
    upstreamRetryIntervalMs: int('upstreamRetryIntervalMs', options.upstreamRetryIntervalMs, 30_000, 0, 86_400_000),
    upstreamRetryBatchSize: int('upstreamRetryBatchSize', options.upstreamRetryBatchSize, 50, 1, 10_000),
    upstreamRetryBaseDelayMs: retryBase,
    upstreamRetryMaxDelayMs: Math.max(
      retryBase,
      int('upstreamRetryMaxDelayMs', options.upstreamRetryMaxDelayMs, 3_600_000, 1, 7 * 86_400_000),
    ),
    clock: typeof options.clock === 'function' ? options.clock : () => new Date(),
  };
}

/** Per-key rate limit of the admin routes (`ADMIN_REQUEST_LIMITER`): throw a DomainError (429) to refuse. */
export interface AdminRequestLimiter {
  beforeAdminRequest(subject: { keyId: string }): Promise<void>;
}
