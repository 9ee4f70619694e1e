/** Body of POST /certifications/otp/request (upstream field names). */
export interface IamportOtpRequest {
  name: string;
  /** Digits; upstream strips every non-digit. */
  phone: string;
  /** YYMMDD per the upstream spec (the century follows from gender_digit); YYYYMMDD is accepted too. */
  birth: string;
  /** 7th digit of the resident registration number: 1-8. */
  gender_digit: string;
  carrier: 'SKT' | 'KT' | 'LGT';
  /** Budget carrier (알뜰폰) on top of `carrier`. */
  is_mvno?: boolean;
  /** Service name the carrier shows in the SMS. */
  company?: string;
  merchant_uid?: string;
  pg?: string;
}

export interface IamportOtpResponse {
  imp_uid: string;
}

/**
 * A certification as upstream returns it (CertificationAnnotation), normalized: fields the
 * upstream omits (phone and carrier need carrier approval) are `null`, never `undefined`.
 */
export interface IamportCertification {
  imp_uid: string;
  merchant_uid: string | null;
  pg_tid: string | null;
  pg_provider: string;
  pg_type?: string;
  name: string | null;
  gender: 'male' | 'female' | null;
  /**
   * YYYY-MM-DD. When upstream omits it but sends the legacy `birth` (unix seconds of midnight
   * of the birth date in Korea), the date is derived in Asia/Seoul (UTC+9, no DST since 1988).
   */
  birthday: string | null;
  /** Legacy unix seconds, passed through when upstream sends it. */
  birth?: number | null;
  foreigner: boolean;
  foreigner_v2: boolean | null;
  phone: string | null;
  /** SKT | KT | LGT | SKT_MVNO | KT_MVNO | LGT_MVNO (with carrier approval only). */
  carrier: string | null;
  certified: boolean;
  /** Unix seconds (0 when upstream sends none). */
  certified_at: number;
  /** CI. */
  unique_key: string | null;
  /** DI. */
  unique_in_site: string | null;
  origin: string | null;
}
