import { Body, Controller, Get, HttpCode, Ip, Param, Post, Query, Redirect } from '@nestjs/common';
import { CertificationService } from './certification.service';
import { ConfirmOtpDto, ImpUidParams } from './dto/confirm-otp.dto';
import { RequestOtpDto } from './dto/request-otp.dto';
import { VerifyCertificationDto } from './dto/verify-certification.dto';
import type { VerificationView } from './verification-view';

/**
 * The person-facing certification endpoints. Adapter-agnostic (Express or Fastify): only Nest
 * decorators, no request or response objects. Bodies are validated by the host's global
 * ValidationPipe (`createValidationPipe` of @app/common: unknown fields rejected).
 */
@Controller('certifications')
export class CertificationController {
  constructor(private readonly certifications: CertificationService) {}

  /** 201 `{imp_uid, expires_at}`: an OTP was sent to the phone. */
  @Post('otp/request')
  async requestOtp(@Body() body: RequestOtpDto, @Ip() ip: string | undefined): Promise<{ imp_uid: string; expires_at: string }> {
    const { impUid, expiresAt } = await this.certifications.requestOtp(
      {
        name: body.name,
        phone: body.phone,
        birth: body.birth,
        genderDigit: body.gender_digit,
        carrier: body.carrier,
        isMvno: body.is_mvno,
        company: body.company,
        merchantUid: body.merchant_uid,
      },
      { ip: ip ?? null },
    );
    return { imp_uid: impUid, expires_at: expiresAt.toISOString() };
  }

  /** 200 verification view (with the verification token, shown this once). */
  @Post('otp/confirm/:imp_uid')
  @HttpCode(200)
  confirmOtp(@Param() params: ImpUidParams, @Body() body: ConfirmOtpDto): Promise<VerificationView> {
    return this.certifications.confirmOtp(params.imp_uid, body.otp);
  }

  /** The popup flow's result: 200 verification view (the token is issued once). */
  @Post()
  @HttpCode(200)
  verify(@Body() body: VerifyCertificationDto): Promise<VerificationView> {
    return this.certifications.verifyCertification(body.imp_uid);
  }

  /**
   * The redirect (mobile) flow's `m_redirect_url`: records the certification (no token) and
   * answers 302 to the success URL `?imp_uid=`, or to the failure URL `?imp_uid=&error_code=`.
   * Other query parameters the upstream appends (merchant_uid, error_msg, ...) are ignored.
   */
  @Get('redirect')
  @Redirect(undefined, 302)
  async redirect(
    @Query('imp_uid') impUid: unknown,
    @Query('success') success: unknown,
    @Query('imp_success') legacySuccess: unknown,
  ): Promise<{ url: string; statusCode: number }> {
    const url = await this.certifications.redirectTarget({ impUid, success: success ?? legacySuccess });
    return { url, statusCode: 302 };
  }
}
