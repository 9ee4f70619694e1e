import { ApiProperty } from '@nestjs/swagger';
import type { VerificationView } from '../verification-view';

/**
 * OpenAPI schemas of the answers of CertificationController (documentation only: the
 * controller returns plain objects of the same shape). The examples are fake data.
 */

/** 201 of POST /certifications/otp/request. */
export class OtpRequestedResponse {
  @ApiProperty({ description: "i'mport's id of this certification; confirm it with the OTP", example: 'imp_522754061483' })
  imp_uid: string;

  @ApiProperty({ description: 'Until when the OTP can be confirmed (ISO 8601)', format: 'date-time', example: '2026-11-23T06:53:35.639Z' })
  expires_at: string;
}

/**
 * 200 of the confirmations: what the verified person may see. No CI, DI or phone number; the
 * name masked. `verification_token` is shown this once.
 */
export class VerificationViewResponse implements VerificationView {
  @ApiProperty({ example: 'imp_522754061483' })
  imp_uid: string;

  @ApiProperty({ enum: ['verified'], example: 'verified' })
  status: 'verified';

  @ApiProperty({ format: 'date-time', example: '2026-11-23T06:50:36.000Z' })
  certified_at: string;

  @ApiProperty({ description: 'The verified name, masked', example: '홍*동' })
  name: string;

  @ApiProperty({ description: 'Verified birth date (YYYY-MM-DD)', format: 'date', example: '1990-01-01' })
  birthday: string;

  @ApiProperty({ type: 'integer', nullable: true, description: 'International age (만 나이) today in Asia/Seoul', example: 36 })
  age: number | null;

  @ApiProperty({ enum: ['male', 'female'], nullable: true, example: 'male' })
  gender: 'male' | 'female' | null;

  @ApiProperty({ example: false })
  foreigner: boolean;

  @ApiProperty({
    description: 'Single-use capability for `POST /users` (43 base64url characters), shown only in this answer',
    example: '8w9UXL-Yp-gaWom8PKUDvrG0bJg3xuke6Ns6tz0Ll1M',
  })
  verification_token: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-23T07:20:36.347Z' })
  verification_expires_at: string;
}

/** 201 of POST /certifications/window: what the page passes to `IMP.init` and `IMP.certification`. */
export class WindowStartedResponse {
  @ApiProperty({ description: 'Pass as `merchant_uid` to `IMP.certification`: random, names this flow upstream', example: 'flow_3m9Qx1bV7tZk2LpR0aWcYe4N' })
  merchant_uid: string;

  @ApiProperty({ description: 'The merchant code for `IMP.init` (null when the api was not given one)', nullable: true, type: String, example: 'imp00000000' })
  imp_code: string | null;

  @ApiProperty({ description: 'Pass as `min_age`: the window refuses younger people (null: no minimum)', nullable: true, type: Number, example: 14 })
  min_age: number | null;

  @ApiProperty({ description: 'Until when the window may be completed (ISO 8601)', format: 'date-time', example: '2026-11-23T07:05:36.000Z' })
  expires_at: string;

  @ApiProperty({ required: false, description: 'Present when not i\'mport V1: `portone`', example: 'portone' })
  provider?: string;

  @ApiProperty({
    required: false,
    description: 'PortOne V2 only: the verification id, to pass as `identityVerificationId` to `PortOne.requestIdentityVerification` and later to `POST /certifications`',
    example: 'identity-verification-flow_3m9Qx1bV7tZk2LpR0aWcYe4N',
  })
  imp_uid?: string;

  @ApiProperty({ required: false, nullable: true, type: String, description: 'PortOne V2 only: `storeId` for the browser SDK', example: 'store-sandbox' })
  store_id?: string | null;

  @ApiProperty({ required: false, nullable: true, type: String, description: 'PortOne V2 only: `channelKey` for the browser SDK', example: 'channel-key-sandbox' })
  channel_key?: string | null;
}
