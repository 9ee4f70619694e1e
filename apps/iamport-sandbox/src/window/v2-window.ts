import { randomUUID } from 'node:crypto';
import type { SandboxContext } from '../context';
import { MESSAGES } from '../messages';
import type { PersonInput } from '../person';
import { markVerified, sendSms } from '../v2/routes';
import { readyVerification } from '../v2/state';
import type { WindowSession } from './window-session';

/**
 * The V2 side of the certification window (`PortOne.requestIdentityVerification`): the same page
 * as V1, its person and OTP kept as a V2 verification (READY, not `sent`: the API's confirm and
 * resend refuse it with NOT_SENT), VERIFIED on the right OTP so the API's GET answers it.
 */

/** Checks what the page asked for; a failure is reported by the window as soon as it opens. */
export function openV2Window(ctx: SandboxContext, session: WindowSession, asked: { storeId: string; channelKey: string }): void {
  session.txId = randomUUID();
  if (asked.storeId !== ctx.v2.settings.storeId) {
    session.initialError = { code: 'FAILURE_TYPE_INVALID_PARAMETER', message: MESSAGES.windowMissingStoreId };
  } else if (asked.channelKey !== '' && asked.channelKey !== ctx.v2.settings.channelKey) {
    session.initialError = { code: 'CHANNEL_NOT_FOUND', message: MESSAGES.windowChannelNotFound };
  } else if (ctx.v2.verifications.get(session.merchantUid)?.status === 'VERIFIED') {
    session.initialError = { code: 'IDENTITY_VERIFICATION_ALREADY_VERIFIED', message: MESSAGES.windowAlreadyVerified };
  }
}

/** The window's "send OTP" on V2; a person younger than `AGELIMIT` fails the verification (FAILED). */
export function sendV2WindowOtp(
  ctx: SandboxContext,
  session: WindowSession,
  input: PersonInput,
  tooYoung: boolean,
): { otp: string } | { refused: string; errorCode?: string } {
  const id = session.merchantUid;
  const existing = ctx.v2.verifications.get(id);
  if (existing?.status === 'VERIFIED') return { refused: MESSAGES.windowAlreadyVerified };
  const nowMs = ctx.clock.nowMs();
  const v = readyVerification(
    {
      id,
      sent: false,
      person: input.person,
      phone: input.phone,
      operator: input.carrier.replace(/^LGT/, 'LGU'),
      customData: existing?.customData ?? null,
      company: session.company,
    },
    nowMs,
    existing?.requestedAt,
  );
  ctx.v2.verifications.set(id, v);
  if (tooYoung) {
    v.status = 'FAILED';
    v.failure = { reason: MESSAGES.windowMinAgeV2, pgCode: 'AGELIMIT', pgMessage: MESSAGES.windowMinAgeV2 };
    return { refused: MESSAGES.windowMinAgeV2, errorCode: 'MIN_AGE' };
  }
  sendSms(ctx, v, nowMs);
  return { otp: v.otp! };
}

/** The window's "confirm" on V2: null when verified, else the message the window shows. */
export function confirmV2Window(ctx: SandboxContext, session: WindowSession, otp: string): string | null {
  const v = ctx.v2.verifications.get(session.merchantUid);
  if (v === undefined || v.status !== 'READY' || v.otp === null || v.otpExpiresAt === null) return MESSAGES.otpRequestNotFound;
  if (otp === '') return MESSAGES.missingOtp;
  const nowMs = ctx.clock.nowMs();
  if (nowMs > v.otpExpiresAt) return MESSAGES.otpExpired;
  if (otp !== v.otp) return MESSAGES.otpMismatch;
  markVerified(ctx, v, nowMs);
  return null;
}
