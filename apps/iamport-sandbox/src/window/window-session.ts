import { randomBytes } from 'node:crypto';

/** One open certification window: what the page asked for, and the certification it is on. */
export interface WindowSession {
  id: string;
  /** `IMP.certification` (v1) or `PortOne.requestIdentityVerification` (v2). */
  version: 'v1' | 'v2';
  /** V1: the merchant_uid; V2: the identityVerificationId the page chose. */
  merchantUid: string;
  /** V2: the attempt's identityVerificationTxId; null on V1. */
  txId: string | null;
  /** The service name (`company`, V2 `bypass.danal.CPTITLE`). */
  company: string | null;
  /** V2: a failure found on opening (wrong store, verified already); the window reports it at once. */
  initialError: { code: string; message: string } | null;
  minAge: number | null;
  mode: 'popup' | 'redirect';
  /** Where the window reports: the opener's origin (popup) or `m_redirect_url` (redirect). */
  openerOrigin: string | null;
  redirectUrl: string | null;
  /** The certification of the OTP last sent from this window. */
  impUid: string | null;
  createdAt: number;
}

/** Windows stay usable this long (seconds of the sandbox clock). */
export const WINDOW_SESSION_TTL_SECONDS = 30 * 60;

const MAX_SESSIONS = 10_000;

/** The open windows, in memory; the oldest go first beyond MAX_SESSIONS. */
export class WindowSessions {
  private readonly sessions = new Map<string, WindowSession>();

  open(fields: Omit<WindowSession, 'id' | 'impUid'>): WindowSession {
    const session: WindowSession = { ...fields, id: randomBytes(18).toString('base64url'), impUid: null };
    this.sessions.set(session.id, session);
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return session;
  }

  get(id: unknown, now: number): WindowSession | null {
    if (typeof id !== 'string') return null;
    const session = this.sessions.get(id);
    if (session === undefined || now - session.createdAt > WINDOW_SESSION_TTL_SECONDS) return null;
    return session;
  }

  reset(): void {
    this.sessions.clear();
  }
}
