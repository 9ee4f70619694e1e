import { randomBytes, randomInt } from 'node:crypto';
import type { Person } from '../identity';

export type V2Status = 'READY' | 'VERIFIED' | 'FAILED';

export interface V2Verification {
  id: string;
  status: V2Status;
  /** Sent through the API (send); a window-flow verification is READY without it. */
  sent: boolean;
  person: Person | null;
  phone: string | null;
  operator: string | null;
  otp: string | null;
  otpExpiresAt: number | null;
  /** Unix ms of the sandbox clock. */
  requestedAt: number;
  updatedAt: number;
  statusChangedAt: number;
  verifiedAt: number | null;
  pgTxId: string | null;
  ci: string | null;
  di: string | null;
  failure: { reason: string; pgCode: string; pgMessage: string } | null;
  customData: string | null;
  /** The service name of the SMS (`bypass.danal.CPTITLE`, as V1's `company`). */
  company: string | null;
}

export interface V2Switches {
  /** Answer verified customers without `ci` (Danal without the CI contract). */
  omitCi: boolean;
  /** Answer verified customers without `di` (KG Inicis). */
  omitDi: boolean;
}

export interface V2Settings {
  apiSecret: string;
  storeId: string;
  channelKey: string;
}

export const DEFAULT_V2_SETTINGS: Readonly<V2Settings> = {
  apiSecret: 'sandbox_portone_api_secret',
  storeId: 'store-sandbox',
  channelKey: 'channel-key-sandbox',
};

/** SANDBOX_PORTONE_API_SECRET, SANDBOX_PORTONE_STORE_ID, SANDBOX_PORTONE_CHANNEL_KEY (as SandboxOptions fields). */
export function portoneOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): { portoneApiSecret: string; portoneStoreId: string; portoneChannelKey: string } {
  const value = (name: string, fallback: string) => env[name]?.trim() || fallback;
  return {
    portoneApiSecret: value('SANDBOX_PORTONE_API_SECRET', DEFAULT_V2_SETTINGS.apiSecret),
    portoneStoreId: value('SANDBOX_PORTONE_STORE_ID', DEFAULT_V2_SETTINGS.storeId),
    portoneChannelKey: value('SANDBOX_PORTONE_CHANNEL_KEY', DEFAULT_V2_SETTINGS.channelKey),
  };
}

export const V2_ACCESS_TOKEN_TTL_MS = 30 * 60 * 1000;

/** The V2 side of one sandbox: verifications, tokens (refresh tokens rotate) and the CI/DI switches. */
export class V2State {
  readonly verifications = new Map<string, V2Verification>();
  switches: V2Switches = { omitCi: false, omitDi: false };
  private readonly accessTokens = new Map<string, number>();
  private readonly refreshTokens = new Set<string>();
  calls = 0;

  constructor(readonly settings: V2Settings) {}

  issueTokens(nowMs: number): { accessToken: string; refreshToken: string } {
    const accessToken = `v2at_${randomBytes(24).toString('base64url')}`;
    const refreshToken = `v2rt_${randomBytes(24).toString('base64url')}`;
    this.accessTokens.set(accessToken, nowMs + V2_ACCESS_TOKEN_TTL_MS);
    this.refreshTokens.add(refreshToken);
    return { accessToken, refreshToken };
  }

  /** A refresh token is good once: it is consumed by its use. */
  consumeRefreshToken(token: string): boolean {
    return this.refreshTokens.delete(token);
  }

  accessTokenValid(token: string, nowMs: number): boolean {
    const expiry = this.accessTokens.get(token);
    return expiry !== undefined && nowMs < expiry;
  }

  reset(): void {
    this.verifications.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.switches = { omitCi: false, omitDi: false };
    this.calls = 0;
  }
}

/** The fields a new verification starts with; the rest starts empty (READY, no OTP, not verified). */
export type V2VerificationStart = Pick<V2Verification, 'id' | 'sent' | 'person' | 'phone' | 'operator' | 'customData' | 'company'>;

/** A new READY verification (send, the window, the control route); `requestedAt` survives a re-send of the same id. */
export function readyVerification(start: V2VerificationStart, nowMs: number, requestedAt = nowMs): V2Verification {
  return {
    ...start,
    status: 'READY',
    otp: null,
    otpExpiresAt: null,
    requestedAt,
    updatedAt: nowMs,
    statusChangedAt: nowMs,
    verifiedAt: null,
    pgTxId: newPgTxId(nowMs),
    ci: null,
    di: null,
    failure: null,
  };
}

export function newPgTxId(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/\D/g, '').slice(0, 14);
  return `${stamp}${String(randomInt(0, 10_000_000_000)).padStart(10, '0')}`;
}
