import { internationalAge, todayInSeoul } from '@app/age-policy';
import { maskName } from '@app/pii';

/**
 * What the verified person sees (snake_case, as the REST API): no CI, DI or phone number, the
 * name masked. Returned with the verification token, which is shown this once.
 */
export interface VerificationView {
  imp_uid: string;
  status: 'verified';
  /** ISO 8601. */
  certified_at: string;
  /** Masked: `홍*동`. */
  name: string;
  /** `YYYY-MM-DD`. */
  birthday: string;
  /** International age (만 나이) today in Asia/Seoul; null if the birthday is unusable. */
  age: number | null;
  gender: 'male' | 'female' | null;
  foreigner: boolean;
  verification_token: string;
  /** ISO 8601. */
  verification_expires_at: string;
}

export interface VerificationViewInput {
  impUid: string;
  certifiedAt: Date;
  /** The plaintext name (masked here; never returned as is). */
  name: string;
  birthday: string;
  gender: 'male' | 'female' | null;
  foreigner: boolean | null;
  token: string;
  tokenExpiresAt: Date;
}

/** Builds the view; `now` gives "today" in Asia/Seoul for the age. Pure. */
export function buildVerificationView(input: VerificationViewInput, now: Date): VerificationView {
  let age: number | null;
  try {
    age = internationalAge(input.birthday, todayInSeoul(now));
  } catch {
    age = null; // a malformed or future birthday: shown without an age rather than failing
  }
  return {
    imp_uid: input.impUid,
    status: 'verified',
    certified_at: input.certifiedAt.toISOString(),
    name: maskName(input.name),
    birthday: input.birthday,
    age,
    gender: input.gender,
    foreigner: input.foreigner === true,
    verification_token: input.token,
    verification_expires_at: input.tokenExpiresAt.toISOString(),
  };
}
