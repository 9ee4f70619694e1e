import { registerAs } from '@nestjs/config';
import { AGE_MODES, type AgeMode } from '@iamport-identity/nest/age-policy';

/**
 * The host's own configuration (its own variable names, read through @nestjs/config). Only
 * what the identity libs need is shown; a real host has more.
 */
export interface HostConfig {
  port: number;
  databaseUrl: string;
  databasePoolSize: number;
  iamport: { baseUrl: string; impKey: string; impSecret: string; timeoutMs: number };
  pii: { encryptionKeys: string; hmacKey: string };
  signup: { minAge: number; ageMode: AgeMode };
  serviceName: string;
  redirect: { successUrl: string | null; failureUrl: string | null };
  /** OTP requests allowed per phone number per 10 minutes (the host's limiter). */
  otpRequestsPerPhone: number;
  adminApiKeys: string;
}

export class HostConfigError extends Error {}

/** Reads and checks the environment; the messages name the variable, never its value. */
export function loadHostConfig(env: Record<string, string | undefined>): HostConfig {
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new HostConfigError(`${name} is required`);
    return value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) throw new HostConfigError(`${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  const ageMode = (env.SIGNUP_AGE_MODE?.trim() || 'international') as AgeMode;
  if (!AGE_MODES.includes(ageMode)) throw new HostConfigError(`SIGNUP_AGE_MODE must be one of ${AGE_MODES.join(', ')}`);
  return {
    port: int('PORT', 3000, 0, 65535),
    databaseUrl: required('DATABASE_URL'),
    databasePoolSize: int('DATABASE_POOL_SIZE', 10, 1, 100),
    iamport: {
      baseUrl: env.IAMPORT_BASE_URL?.trim() || 'https://api.iamport.kr',
      impKey: required('IAMPORT_IMP_KEY'),
      impSecret: required('IAMPORT_IMP_SECRET'),
      timeoutMs: int('IAMPORT_TIMEOUT_MS', 5000, 100, 60000),
    },
    pii: { encryptionKeys: required('PII_ENCRYPTION_KEYS'), hmacKey: required('PII_HMAC_KEY') },
    signup: { minAge: int('SIGNUP_MIN_AGE', 19, 0, 150), ageMode },
    serviceName: env.SERVICE_NAME?.trim() || '길동마켓',
    redirect: { successUrl: env.VERIFIED_URL?.trim() || null, failureUrl: env.VERIFICATION_FAILED_URL?.trim() || null },
    otpRequestsPerPhone: int('OTP_REQUESTS_PER_PHONE', 5, 1, 1000),
    adminApiKeys: env.ADMIN_API_KEYS?.trim() ?? '',
  };
}

/** The `host` namespace of ConfigService, read from `env` (process.env by default). */
export const hostConfig = (env: Record<string, string | undefined> = process.env) => registerAs('host', () => loadHostConfig(env));
