import type { CertificationEventListener, OtpConfirmLimiter, OtpRequestLimiter } from './certification.events';
import { DEFAULT_REDIRECT_FAILURE_URL, DEFAULT_REDIRECT_SUCCESS_URL, isAcceptableRedirectTarget } from './redirect-url';

/** Options of `CertificationModule.forRoot` / `forRootAsync`. */
export interface CertificationModuleOptions {
  /** How long a pending OTP can be confirmed, in seconds (1-600). Default 180. */
  otpTtlSeconds?: number;
  /** Wrong confirmations allowed per imp_uid before it locks (1-10). Default 5. */
  otpMaxAttempts?: number;
  /** Lifetime of a verification token, in seconds (>= 1). Default 1800. */
  verificationTokenTtlSeconds?: number;
  /** Service name the carrier shows in the SMS (upstream `company`); a request cannot name another. */
  company?: string | null;
  /**
   * Where `GET /certifications/redirect` sends the browser: absolute http(s) URLs or same-origin
   * paths. Defaults `/certification/success` and `/certification/failure`.
   */
  redirect?: { successUrl?: string | null; failureUrl?: string | null };
  /** Observer of what happens (metrics): see `CertificationEvent`. Must not throw. */
  onEvent?: CertificationEventListener;
  /** Rate-limit hook of the OTP request (none by default): see `OtpRequestLimiter`. */
  otpRequestLimiter?: OtpRequestLimiter;
  /** Cap of wrong OTPs per phone over time (none by default): see `OtpConfirmLimiter`. */
  otpConfirmLimiter?: OtpConfirmLimiter;
  /**
   * Background recovery (needs `ScheduleModule.forRoot()` in the host): every `intervalSeconds`,
   * `recoverPending` checks up to `batchSize` pending OTP verifications older than
   * `minAgeSeconds`. Off when unset (call `CertificationService.recoverPending` yourself).
   */
  recovery?: { intervalSeconds: number; batchSize?: number; minAgeSeconds?: number } | null;
  /** Source of "now" (tests). Default `() => new Date()`. */
  clock?: () => Date;
  /**
   * The identity provider: `iamport` (V1, default; needs `IamportClient` from IamportModule) or
   * `portone` (V2; needs `PortOneClient` from PortOneModule and `portone.channelKey`).
   */
  provider?: 'iamport' | 'portone';
  /** PortOne V2: the channel (PG) key the OTP and the window go through; the store the browser SDK names. */
  portone?: { channelKey: string; storeId?: string | null } | null;
  /** The browser window flows (`POST /certifications/window`) and the binding of their results. */
  window?: WindowFlowOptions;
}

/** Options of the window flows; see docs/flows.md. */
export interface WindowFlowOptions {
  /** How long after `certified_at` a result can be claimed, in seconds (1-86400). Default 600. */
  claimWindowSeconds?: number;
  /** How long a started flow accepts a certification, in seconds (60-86400). Default 900. */
  flowTtlSeconds?: number;
  /** The merchant code for `IMP.init` answered by the start (`imp_code`); null when unset. */
  impCode?: string | null;
  /** `min_age` answered by the start, for `IMP.certification` (the window refuses younger people); null when unset. */
  minAge?: number | null;
  /** The flow cookie's Secure attribute: `auto` (on HTTPS requests, default), always, or never. */
  secureCookie?: 'auto' | boolean;
}

export interface CertificationModuleExtras {
  /** Register the module globally (default false). */
  isGlobal?: boolean;
  /** Name of the host's TypeORM DataSource to use (default: the default DataSource). */
  dataSource?: string;
  /**
   * Mount `CertificationController` (`/certifications/...`). Default true; false for a host that
   * exposes its own routes over `CertificationService`.
   */
  controller?: boolean;
}

export interface ResolvedCertificationOptions {
  otpTtlSeconds: number;
  otpMaxAttempts: number;
  verificationTokenTtlSeconds: number;
  company: string | null;
  redirect: { successUrl: string; failureUrl: string };
  onEvent: CertificationEventListener | null;
  otpRequestLimiter: OtpRequestLimiter | null;
  otpConfirmLimiter: OtpConfirmLimiter | null;
  recovery: { intervalSeconds: number; batchSize: number; minAgeSeconds: number } | null;
  clock: () => Date;
  provider: 'iamport' | 'portone';
  portone: { channelKey: string; storeId: string | null } | null;
  window: {
    claimWindowSeconds: number;
    flowTtlSeconds: number;
    impCode: string | null;
    minAge: number | null;
    secureCookie: 'auto' | boolean;
  };
}

export const CERTIFICATION_DEFAULTS = Object.freeze({
  claimWindowSeconds: 600,
  flowTtlSeconds: 900,
  otpTtlSeconds: 180,
  otpMaxAttempts: 5,
  verificationTokenTtlSeconds: 1800,
  recoveryBatchSize: 50,
  recoveryMinAgeSeconds: 60,
});

/** Validates the module options and fills the defaults; a bad option fails the boot (TypeError). */
export function resolveCertificationOptions(options: CertificationModuleOptions | undefined): ResolvedCertificationOptions {
  const o = options ?? {};
  const int = (name: string, value: number | undefined, def: number, min: number, max: number): number => {
    const v = value ?? def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new TypeError(`CertificationModule options: ${name} must be an integer between ${min} and ${max}`);
    }
    return v;
  };
  const target = (name: string, value: string | null | undefined, def: string): string => {
    if (value === undefined || value === null || value === '') return def;
    if (!isAcceptableRedirectTarget(value)) {
      throw new TypeError(`CertificationModule options: ${name} must be an http(s) URL or a path starting with /`);
    }
    return value;
  };
  if (o.onEvent !== undefined && o.onEvent !== null && typeof o.onEvent !== 'function') {
    throw new TypeError('CertificationModule options: onEvent must be a function');
  }
  if (o.clock !== undefined && typeof o.clock !== 'function') {
    throw new TypeError('CertificationModule options: clock must be a function returning a Date');
  }
  if (o.otpRequestLimiter && typeof o.otpRequestLimiter.beforeOtpRequest !== 'function') {
    throw new TypeError('CertificationModule options: otpRequestLimiter must have beforeOtpRequest()');
  }
  if (o.otpConfirmLimiter && (typeof o.otpConfirmLimiter.beforeOtpConfirm !== 'function' || typeof o.otpConfirmLimiter.afterOtpMismatch !== 'function')) {
    throw new TypeError('CertificationModule options: otpConfirmLimiter must have beforeOtpConfirm() and afterOtpMismatch()');
  }
  if (o.company !== undefined && o.company !== null && (typeof o.company !== 'string' || o.company.length > 50)) {
    throw new TypeError('CertificationModule options: company must be a string of at most 50 characters');
  }
  const provider = o.provider ?? 'iamport';
  if (provider !== 'iamport' && provider !== 'portone') throw new TypeError('CertificationModule options: provider must be iamport or portone');
  if (provider === 'portone' && !(typeof o.portone?.channelKey === 'string' && o.portone.channelKey.length > 0)) {
    throw new TypeError('CertificationModule options: portone.channelKey is required with provider portone');
  }
  const recovery = o.recovery
    ? {
        intervalSeconds: int('recovery.intervalSeconds', o.recovery.intervalSeconds, 60, 1, 86400),
        batchSize: int('recovery.batchSize', o.recovery.batchSize, CERTIFICATION_DEFAULTS.recoveryBatchSize, 1, 10000),
        minAgeSeconds: int('recovery.minAgeSeconds', o.recovery.minAgeSeconds, CERTIFICATION_DEFAULTS.recoveryMinAgeSeconds, 0, 86400),
      }
    : null;
  return {
    otpTtlSeconds: int('otpTtlSeconds', o.otpTtlSeconds, CERTIFICATION_DEFAULTS.otpTtlSeconds, 1, 600),
    otpMaxAttempts: int('otpMaxAttempts', o.otpMaxAttempts, CERTIFICATION_DEFAULTS.otpMaxAttempts, 1, 10),
    verificationTokenTtlSeconds: int(
      'verificationTokenTtlSeconds',
      o.verificationTokenTtlSeconds,
      CERTIFICATION_DEFAULTS.verificationTokenTtlSeconds,
      1,
      7 * 86400,
    ),
    company: o.company ? o.company : null,
    redirect: {
      successUrl: target('redirect.successUrl', o.redirect?.successUrl, DEFAULT_REDIRECT_SUCCESS_URL),
      failureUrl: target('redirect.failureUrl', o.redirect?.failureUrl, DEFAULT_REDIRECT_FAILURE_URL),
    },
    onEvent: o.onEvent ?? null,
    otpRequestLimiter: o.otpRequestLimiter ?? null,
    otpConfirmLimiter: o.otpConfirmLimiter ?? null,
    recovery,
    clock: o.clock ?? (() => new Date()),
    provider,
    portone: provider === 'portone' ? { channelKey: o.portone!.channelKey, storeId: o.portone!.storeId || null } : null,
    window: resolveWindow(o.window ?? {}, int),
  };
}

function resolveWindow(
  w: WindowFlowOptions,
  int: (name: string, value: number | undefined, def: number, min: number, max: number) => number,
): ResolvedCertificationOptions['window'] {
  if (w.impCode !== undefined && w.impCode !== null && (typeof w.impCode !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(w.impCode))) {
    throw new TypeError('CertificationModule options: window.impCode must be 1-40 letters, digits, _ or -');
  }
  if (w.secureCookie !== undefined && w.secureCookie !== 'auto' && typeof w.secureCookie !== 'boolean') {
    throw new TypeError("CertificationModule options: window.secureCookie must be 'auto', true or false");
  }
  return {
    claimWindowSeconds: int('window.claimWindowSeconds', w.claimWindowSeconds, CERTIFICATION_DEFAULTS.claimWindowSeconds, 1, 86400),
    flowTtlSeconds: int('window.flowTtlSeconds', w.flowTtlSeconds, CERTIFICATION_DEFAULTS.flowTtlSeconds, 60, 86400),
    impCode: w.impCode ? w.impCode : null,
    minAge: w.minAge === undefined || w.minAge === null ? null : int('window.minAge', w.minAge, 0, 0, 150),
    secureCookie: w.secureCookie ?? 'auto',
  };
}
