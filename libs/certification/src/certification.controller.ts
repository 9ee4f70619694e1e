import { Body, Controller, Get, Headers, HttpCode, Ip, Param, Post, Query, Redirect, Req, Res, UseFilters } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, API_JSON_BODY_ERRORS, apiRateLimited, apiValidationFailed } from '@app/common';
import { JsonEndpoints, NoBody, RateLimit } from '@app/common';
import {
  AlreadyConfirmedError,
  CertificationNotFoundError,
  FlowAlreadyClaimedError,
  FlowExpiredError,
  FlowMismatchError,
  IdentityKeyMissingError,
  IdentityRejectedError,
  NotCertifiedError,
  OtpAttemptsExceededError,
  OtpExpiredError,
  OtpMismatchError,
  UpstreamError,
  UpstreamUnavailableError,
} from './certification.errors';
import { FLOW_SECRET_HEADER, flowCookie, type FlowCredentials } from './binding/flow-credentials';
import { RedirectRateLimitFilter } from './binding/redirect-rate-limit.filter';
import { CertificationService } from './certification.service';
import { OtpRequestedResponse, VerificationViewResponse, WindowStartedResponse } from './dto/certification.responses';
import { ConfirmOtpDto, ImpUidParams } from './dto/confirm-otp.dto';
import { RequestOtpDto } from './dto/request-otp.dto';
import { VerifyCertificationDto } from './dto/verify-certification.dto';
import type { VerificationView } from './verification-view';

/**
 * The person-facing certification endpoints. Adapter-agnostic (Express or Fastify): only Nest
 * decorators, and of the request and response only what both adapters share (`headers`,
 * `protocol`, `header()`). Bodies are validated by the host's global ValidationPipe
 * (`createValidationPipe` of @app/common: unknown fields rejected).
 */
@ApiTags('certifications')
@JsonEndpoints()
@Controller('certifications')
export class CertificationController {
  constructor(private readonly certifications: CertificationService) {}

  /** 201 `{imp_uid, expires_at}`: an OTP was sent to the phone. */
  @Post('otp/request')
  @RateLimit('otp-request')
  @ApiOperation({
    summary: 'Send an OTP by SMS (identity verification, step 1)',
    description:
      'Validates the personal data, asks the carrier (through i\'mport) to text a 6-digit OTP to the phone and stores a ' +
      'pending verification (name and phone encrypted). Confirm it with `POST /certifications/otp/confirm/{imp_uid}` before ' +
      '`expires_at`. Against the sandbox, the OTP is in its inbox (`GET /__sandbox/inbox?phone=`); a phone ending in 0000 is ' +
      'refused by the carrier.',
  })
  @ApiResponse({ status: 201, description: 'The OTP was sent', type: OtpRequestedResponse })
  @ApiErrorResponses(
    apiValidationFailed(
      [{ field: 'phone', message: 'phone must be a Korean mobile number (e.g. 010-1234-5678 or +82 10 1234 5678)' }],
      'a field is missing or invalid (phone, birth, gender_digit, carrier, ...), birth and gender_digit disagree on the century, ' +
        'or an unknown field was sent; `details.fields: [{field, message}]`',
    ),
    { error: new IdentityRejectedError('본인인증 정보가 일치하지 않습니다.'), description: 'the carrier refused the personal data; `details.upstream_message`' },
    apiRateLimited('too many OTP requests from this client IP, or for this phone number (5 per 10 minutes by default); `Retry-After`'),
    {
      error: new UpstreamError(undefined, { upstream_status: 500, upstream_code: -1, upstream_message: '통신사 오류' }),
      description: "i'mport answered with an error (5xx, a non-zero code, our API keys refused); `details.upstream_*`",
    },
    {
      error: new UpstreamUnavailableError(5, 'timeout'),
      description: "i'mport did not answer in time, could not be reached, or the circuit breaker is open; `Retry-After`, `details.reason`",
    },
    ...API_JSON_BODY_ERRORS,
  )
  async requestOtp(@Body() body: RequestOtpDto, @Ip() ip: string | undefined): Promise<{ imp_uid: string; expires_at: string; provider?: string }> {
    const { impUid, expiresAt } = await this.certifications.requestOtp(
      {
        name: body.name,
        phone: body.phone,
        birth: body.birth,
        genderDigit: body.gender_digit,
        carrier: body.carrier,
        isMvno: body.is_mvno,
        merchantUid: body.merchant_uid,
      },
      { ip: ip ?? null },
    );
    return this.named({ imp_uid: impUid, expires_at: expiresAt.toISOString() });
  }

  /** 201 `{imp_uid, expires_at}`: a new OTP was sent (V2: the same imp_uid; V1: a new one, the old one expired). */
  @Post('otp/resend/:imp_uid')
  @NoBody()
  @RateLimit('otp-request')
  @ApiOperation({
    summary: 'Send a new OTP for a pending OTP verification',
    description:
      'Within the OTP request\'s send limits. On PortOne V2 the provider resends for the same imp_uid and its window starts ' +
      "again; on i'mport V1 (no resend upstream) a new request is made from the stored data and the answer names a new imp_uid. " +
      'Wrong attempts already used stay used.',
  })
  @ApiResponse({ status: 201, description: 'A new OTP was sent', type: OtpRequestedResponse })
  @ApiErrorResponses(
    apiValidationFailed([{ field: 'imp_uid', message: 'imp_uid must be an imp_uid (letters, digits, _ and -)' }], 'the imp_uid is malformed'),
    { error: new CertificationNotFoundError(), description: 'no OTP verification with this imp_uid' },
    { error: new OtpExpiredError(), description: 'the verification is no longer pending (expired, verified, used): request a new OTP' },
    { error: new OtpAttemptsExceededError(5), description: 'the verification is locked' },
    { error: new IdentityRejectedError('본인인증 정보가 일치하지 않습니다.'), description: 'the provider refused the resend' },
    apiRateLimited('the OTP request\'s limits (per client IP and per phone); `Retry-After`'),
    { error: new UpstreamError(), description: 'the provider answered with an error' },
    { error: new UpstreamUnavailableError(5, 'timeout'), description: 'the provider is unavailable; `Retry-After`' },
    ...API_JSON_BODY_ERRORS,
  )
  async resendOtp(@Param() params: ImpUidParams, @Ip() ip: string | undefined): Promise<{ imp_uid: string; expires_at: string; provider?: string }> {
    const { impUid, expiresAt } = await this.certifications.resendOtp(params.imp_uid, { ip: ip ?? null });
    return this.named({ imp_uid: impUid, expires_at: expiresAt.toISOString() });
  }

  /**
   * Answers name the provider when it is not i'mport V1, the default: a V1 deployment answers
   * exactly as before (its clients match the bodies field for field).
   */
  private named<T extends object>(answer: T): T & { provider?: string } {
    const provider = this.certifications.providerName;
    return provider === 'iamport' ? answer : { ...answer, provider };
  }

  /** 200 verification view (with the verification token, shown this once). */
  @Post('otp/confirm/:imp_uid')
  @RateLimit('confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Confirm the OTP (identity verification, step 2)',
    description:
      'Checks the OTP upstream. At most 5 wrong OTPs per imp_uid, then the verification is locked. On success, answers the ' +
      'verification view with a single-use `verification_token` for `POST /users` (shown this once).',
  })
  @ApiResponse({ status: 200, description: 'Verified: the verification view with its token', type: VerificationViewResponse })
  @ApiErrorResponses(
    apiValidationFailed([{ field: 'otp', message: 'otp must be 6 digits' }], 'the OTP is not 6 digits, the imp_uid is malformed, or an unknown field was sent'),
    { error: new OtpMismatchError(4), description: 'wrong OTP; `details.attempts_left` wrong OTPs remain before the lock' },
    { error: new CertificationNotFoundError('No OTP verification with this imp_uid'), description: 'unknown imp_uid (here or upstream), or not an OTP verification' },
    { error: new AlreadyConfirmedError(), description: 'confirmed already and its token issued, or used for a signup' },
    { error: new OtpExpiredError(), description: 'the OTP window passed (`expires_at`), or the OTP expired upstream: request a new OTP' },
    { error: new OtpAttemptsExceededError(5), description: '5 wrong OTPs used up: the verification is locked; `details.max_attempts`' },
    { error: new IdentityKeyMissingError(), description: 'the provider gave neither a CI nor a DI (its contract): this verification cannot serve a signup' },
    apiRateLimited(
      'too many confirmations from this client IP, or too many wrong OTPs for this phone today (`details.counts: failed_confirmations`, ' +
        '20 per 24 hours by default); `Retry-After`',
    ),
    { error: new UpstreamError(), description: "i'mport answered with an error; the attempt is given back" },
    { error: new UpstreamUnavailableError(5, 'timeout'), description: "i'mport is unavailable; the attempt is given back; `Retry-After`" },
    ...API_JSON_BODY_ERRORS,
  )
  async confirmOtp(@Param() params: ImpUidParams, @Body() body: ConfirmOtpDto): Promise<VerificationView> {
    return this.named(await this.certifications.confirmOtp(params.imp_uid, body.otp));
  }

  /** 201: a browser flow started and bound to this browser by an HttpOnly cookie (or the client's header secret). */
  @Post('window')
  @NoBody()
  @RateLimit('window-start')
  @ApiOperation({
    summary: 'Start a browser verification flow (popup or redirect)',
    description:
      'Answers the `merchant_uid` to pass to `IMP.certification` (with `imp_code` for `IMP.init` and `min_age`) and binds the ' +
      'flow to this browser: an HttpOnly, SameSite=Lax cookie `certflow_<merchant_uid>` (Secure on HTTPS). A client without ' +
      `cookies sends its own random secret (32-128 of A-Z a-z 0-9 _ -) in \`${FLOW_SECRET_HEADER}\` here and on the claim. Only ` +
      'this browser can then claim the result, within the claim window. No body.',
  })
  @ApiHeader({ name: FLOW_SECRET_HEADER, required: false, description: 'The secret of a client without cookies (instead of the cookie)' })
  @ApiResponse({
    status: 201,
    description: 'The flow started',
    type: WindowStartedResponse,
    headers: { 'Set-Cookie': { description: 'certflow_<merchant_uid>=<secret>; Path=/; HttpOnly; SameSite=Lax[; Secure]', schema: { type: 'string' } } },
  })
  @ApiErrorResponses(apiRateLimited('too many flows started from this client IP; `Retry-After`'))
  async startWindow(
    @Headers(FLOW_SECRET_HEADER) headerSecret: string | undefined,
    @Req() req: { protocol?: string },
    @Res({ passthrough: true }) res: { header(name: string, value: string): unknown },
  ): Promise<WindowStartedResponse> {
    const flow = await this.certifications.startWindow(headerSecret ?? null);
    const { secureCookie } = this.certifications.options.window;
    const secure = secureCookie === 'auto' ? req.protocol === 'https' : secureCookie;
    if (headerSecret === undefined) res.header('set-cookie', flowCookie(flow.merchantUid, flow.secret, flow.cookieMaxAgeSeconds, secure));
    const answer = { merchant_uid: flow.merchantUid, imp_code: flow.impCode, min_age: flow.minAge, expires_at: flow.expiresAt.toISOString() };
    if (flow.verificationId === null) return this.named(answer);
    // PortOne V2: what `PortOne.requestIdentityVerification` needs; the id is ours, tied to the flow.
    const portone = this.certifications.options.portone;
    return this.named({ ...answer, imp_uid: flow.verificationId, store_id: portone?.storeId ?? null, channel_key: portone?.channelKey ?? null });
  }

  /** The popup flow's result: 200 verification view (the token is issued once). */
  @Post()
  @RateLimit('confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record a popup-flow certification and get its verification token',
    description:
      "After i'mport's certification popup (`IMP.certification`) or the redirect flow's success page, the front end sends the " +
      'imp_uid: the api fetches the certification upstream and accepts it only when its `merchant_uid` is a flow started by ' +
      '`POST /certifications/window` from this browser (its cookie, or the `' + FLOW_SECRET_HEADER + '` header), no other ' +
      'certification claimed that flow, and it was certified within the claim window. It records it and answers the ' +
      'verification view with its `verification_token` (issued once).',
  })
  @ApiHeader({ name: FLOW_SECRET_HEADER, required: false, description: 'The flow secret of a client without cookies' })
  @ApiResponse({ status: 200, description: 'Verified: the verification view with its token', type: VerificationViewResponse })
  @ApiErrorResponses(
    apiValidationFailed([{ field: 'imp_uid', message: 'imp_uid must be an imp_uid (letters, digits, _ and -)' }], 'the imp_uid is missing or malformed, or an unknown field was sent'),
    { error: new CertificationNotFoundError(), description: "unknown to i'mport (or erased here)" },
    { error: new NotCertifiedError(), description: 'not completed upstream (or an OTP verification that expired or locked here)' },
    { error: new AlreadyConfirmedError(), description: 'its token was issued already (also under concurrent posts)' },
    { error: new FlowMismatchError(), description: 'not a flow this service started, or this browser does not hold its secret' },
    { error: new FlowAlreadyClaimedError(), description: 'another certification was already accepted for this flow' },
    { error: new FlowExpiredError(), description: 'certified longer ago than the claim window, or after the flow expired' },
    { error: new IdentityKeyMissingError(), description: 'the provider gave neither a CI nor a DI: this verification cannot serve a signup' },
    apiRateLimited('too many confirmations from this client IP; `Retry-After`'),
    { error: new UpstreamError(), description: "i'mport answered with an error" },
    { error: new UpstreamUnavailableError(5, 'timeout'), description: "i'mport is unavailable; `Retry-After`" },
    ...API_JSON_BODY_ERRORS,
  )
  async verify(@Body() body: VerifyCertificationDto, @Req() req: WithHeaders): Promise<VerificationView> {
    return this.named(await this.certifications.verifyCertification(body.imp_uid, credentialsOf(req)));
  }

  /**
   * The redirect (mobile) flow's `m_redirect_url`: records the certification (no token) and
   * answers 302 to the success URL `?imp_uid=`, or to the failure URL `?imp_uid=&error_code=`.
   * Other query parameters the upstream appends (merchant_uid, error_msg, ...) are ignored.
   */
  @Get('redirect')
  @RateLimit('redirect')
  @UseFilters(RedirectRateLimitFilter)
  @Redirect(undefined, 302)
  @ApiOperation({
    summary: "m_redirect_url of the mobile redirect flow (i'mport sends the browser here)",
    description:
      'Records the certification (no token: a token never travels in a URL) and redirects to the configured success URL ' +
      '`?imp_uid=`, or to the failure URL `?imp_uid=&error_code=`. The same flow binding as `POST /certifications` applies ' +
      '(the flow cookie comes back with this top-level navigation). Rate-limited per IP: over the limit, the failure URL ' +
      'with `error_code=RATE_LIMITED`. Never answers an error body; other query parameters are ignored. The success page ' +
      'then posts the imp_uid to `POST /certifications` for the token.',
  })
  @ApiQuery({ name: 'imp_uid', required: false, type: String, description: 'The certification (missing or malformed: failure with VALIDATION_FAILED)', example: 'imp_707020278258' })
  @ApiQuery({ name: 'success', required: false, type: String, description: '`true` when the person completed the certification', example: 'true' })
  @ApiQuery({ name: 'imp_success', required: false, type: String, description: 'Legacy name of `success`' })
  @ApiQuery({ name: 'identityVerificationId', required: false, type: String, description: 'PortOne V2 (`redirectUrl`): the verification, when `imp_uid` is absent' })
  @ApiQuery({ name: 'code', required: false, type: String, description: 'PortOne V2: present when the window failed' })
  @ApiResponse({
    status: 302,
    description:
      'To the success URL with `imp_uid`, or to the failure URL with `imp_uid` and `error_code`, one of: ' +
      '`VALIDATION_FAILED`, `NOT_CERTIFIED`, `CERTIFICATION_NOT_FOUND`, `ALREADY_CONFIRMED`, `FLOW_MISMATCH`, `FLOW_ALREADY_CLAIMED`, ' +
      '`FLOW_EXPIRED`, `RATE_LIMITED`, `UPSTREAM_ERROR`, `UPSTREAM_UNAVAILABLE`, `INTERNAL_ERROR`',
    headers: { Location: { description: 'The success or failure URL', schema: { type: 'string' } } },
    'x-redirect-error-codes': [
      'VALIDATION_FAILED',
      'NOT_CERTIFIED',
      'CERTIFICATION_NOT_FOUND',
      'ALREADY_CONFIRMED',
      'FLOW_MISMATCH',
      'FLOW_ALREADY_CLAIMED',
      'FLOW_EXPIRED',
      'RATE_LIMITED',
      'UPSTREAM_ERROR',
      'UPSTREAM_UNAVAILABLE',
      'INTERNAL_ERROR',
    ],
  } as Parameters<typeof ApiResponse>[0])
  async redirect(
    @Query('imp_uid') impUid: unknown,
    @Query('success') success: unknown,
    @Query('imp_success') legacySuccess: unknown,
    @Query('identityVerificationId') identityVerificationId: unknown,
    @Query('code') code: unknown,
    @Req() req: WithHeaders,
  ): Promise<{ url: string; statusCode: number }> {
    const query = { impUid, success: success ?? legacySuccess, identityVerificationId, code };
    const url = await this.certifications.redirectTarget(query, credentialsOf(req));
    return { url, statusCode: 302 };
  }
}

type WithHeaders = { headers: Record<string, string | string[] | undefined> };

/** The flow secret travels in the cookie, or (clients without cookies) in the header. */
function credentialsOf(req: WithHeaders): FlowCredentials {
  const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? null;
  return { cookieHeader: one(req.headers.cookie), secret: one(req.headers[FLOW_SECRET_HEADER]) };
}
