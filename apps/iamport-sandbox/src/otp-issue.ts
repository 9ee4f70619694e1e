import type { SandboxContext } from './context';
import type { PersonInput } from './person';
import { newOtp, newPgTid, smsText } from './store';

/**
 * Stores a pending V1 certification for `input` and texts its OTP: the OTP API's request and the
 * window's "send OTP" do the same, they differ only in the flow, the merchant_uid and the origin.
 */
export function issueOtpCertification(
  ctx: SandboxContext,
  input: PersonInput,
  how: { flow: 'otp' | 'popup'; merchantUid: string | null; origin: string | null; company?: unknown },
): { impUid: string; otp: string } {
  const now = ctx.clock.now();
  const impUid = ctx.store.allocateImpUid();
  const otp = newOtp();
  ctx.store.add({
    impUid,
    merchantUid: how.merchantUid,
    pgTid: newPgTid(ctx.clock.nowMs()),
    flow: how.flow,
    person: input.person,
    phone: input.phone,
    carrier: input.carrier,
    diMerchant: input.diMerchant,
    origin: how.origin,
    certified: false,
    certifiedAt: 0,
    ci: null,
    di: null,
    otp,
    otpSentAt: now,
    otpExpiresAt: now + ctx.settings.otpTtlSeconds,
  });
  ctx.store.sendSms(input.phone, { imp_uid: impUid, otp, text: smsText(how.company, otp), sent_at: now });
  return { impUid, otp };
}
