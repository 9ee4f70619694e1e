import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import axios from 'axios';
import { CallDeadline } from './call-deadline';
import { IamportCallPolicy } from './call-policy';
import type { CallSpec } from './call-spec';
import { parseCertification, parseOtpResponse, parseTokenResponse, type TokenResponse } from './envelope';
import { destroyOwnAgents, dropEmptyHeaderBuckets, iamportHttpOptions } from './iamport.http';
import { IAMPORT_MODULE_OPTIONS } from './iamport.module-definition';
import { resolveIamportOptions, type IamportModuleOptions, type ResolvedIamportOptions } from './iamport.options';
import { IamportTransport } from './iamport.transport';
import type { IamportCertification, IamportOtpRequest, IamportOtpResponse } from './iamport.types';
import { IamportRedactor } from './redactor';
import { IamportTokenManager } from './token-manager';
import { IAMPORT_TOKEN_STORE, InMemoryIamportTokenStore, type IamportTokenStore } from './token-store';
import { UpstreamBreaker, type BreakerState } from './upstream-breaker';

/**
 * Typed client of the i'mport (PortOne V1) REST API: access token and certifications. The HTTP
 * goes through the module's HttpService; `new IamportClient(options)` outside Nest builds its own.
 */
@Injectable()
export class IamportClient implements OnModuleDestroy {
  private readonly logger = new Logger(IamportClient.name);
  private readonly options: ResolvedIamportOptions;
  private readonly http: HttpService;
  private readonly breaker: UpstreamBreaker;
  private readonly policy: IamportCallPolicy;
  private readonly tokens: IamportTokenManager;

  constructor(
    @Inject(IAMPORT_MODULE_OPTIONS) options: IamportModuleOptions,
    @Optional() @Inject(IAMPORT_TOKEN_STORE) tokenStore?: IamportTokenStore,
    @Optional() http?: HttpService,
  ) {
    this.options = resolveIamportOptions(options);
    this.http = http ?? standaloneHttp(options);
    dropEmptyHeaderBuckets(this.http.axiosRef);
    const redactor = new IamportRedactor([this.options.impKey, this.options.impSecret]);
    this.breaker = new UpstreamBreaker({
      failureRatio: this.options.failureRatio,
      windowMs: this.options.windowMs,
      minimumCalls: this.options.minimumCalls,
      failureThreshold: this.options.failureThreshold,
      resetTimeoutMs: this.options.resetTimeoutMs,
      onStateChange: (from, to) => {
        const text = `i'mport circuit breaker ${from} -> ${to}`;
        if (to === 'open') this.logger.warn(text);
        else this.logger.log(text);
      },
    });
    const transport = new IamportTransport(this.http, redactor, this.logger);
    this.policy = new IamportCallPolicy(this.options, transport, this.breaker, this.logger);
    this.tokens = new IamportTokenManager(
      tokenStore ?? options.tokenStore ?? new InMemoryIamportTokenStore(),
      this.options,
      redactor,
      (deadline) => this.policy.run(this.tokenSpec(), deadline),
      this.logger,
    );
  }

  onModuleDestroy(): void {
    destroyOwnAgents(this.http.axiosRef);
  }

  /** State of the circuit breaker (for readiness checks and metrics). */
  breakerState(): BreakerState {
    return this.breaker.state();
  }

  /**
   * POST /certifications/otp/request: asks upstream to send an SMS OTP. Never retried (an SMS may
   * have gone out), except once after a 401, which upstream did not process.
   */
  async requestOtp(input: IamportOtpRequest): Promise<IamportOtpResponse> {
    const body: Record<string, unknown> = {
      name: input.name,
      phone: input.phone,
      birth: input.birth,
      gender_digit: input.gender_digit,
      carrier: input.carrier,
    };
    if (input.is_mvno !== undefined) body.is_mvno = input.is_mvno;
    if (input.company !== undefined) body.company = input.company;
    if (input.merchant_uid !== undefined) body.merchant_uid = input.merchant_uid;
    if (input.pg !== undefined) body.pg = input.pg;
    return this.call({
      operation: 'requestOtp',
      method: 'POST',
      path: '/certifications/otp/request',
      body,
      authenticated: true,
      attempts: 1,
      sensitive: [input.name, input.phone, input.birth, String(input.gender_digit)],
      parse: parseOtpResponse,
    });
  }

  /** POST /certifications/otp/confirm/{imp_uid}. Not retried: the caller checks through getCertification. */
  async confirmOtp(impUid: string, otp: string): Promise<IamportCertification> {
    return this.call({
      operation: 'confirmOtp',
      method: 'POST',
      path: `/certifications/otp/confirm/${encodeImpUid(impUid)}`,
      body: { otp },
      authenticated: true,
      attempts: 1,
      sensitive: [otp],
      parse: parseCertification,
    });
  }

  /** GET /certifications/{imp_uid}; retried with backoff on 5xx / timeouts / network errors. */
  async getCertification(impUid: string): Promise<IamportCertification> {
    return this.call({
      operation: 'getCertification',
      method: 'GET',
      path: `/certifications/${encodeImpUid(impUid)}`,
      authenticated: true,
      attempts: this.options.retryAttempts,
      sensitive: [],
      parse: parseCertification,
    });
  }

  /**
   * DELETE /certifications/{imp_uid}, retried like GET; the echoed certification is discarded (no
   * PII kept). A 404 after an attempt of unknown outcome is success; on the first attempt it is thrown.
   */
  async deleteCertification(impUid: string): Promise<void> {
    await this.call<void>({
      operation: 'deleteCertification',
      method: 'DELETE',
      path: `/certifications/${encodeImpUid(impUid)}`,
      authenticated: true,
      attempts: this.options.retryAttempts,
      sensitive: [],
      parse: () => undefined,
      recover: (error, info) =>
        error.httpStatus === 404 && info.earlierAttemptUncertain ? { value: undefined } : undefined,
    });
  }

  private call<T>(spec: CallSpec<T>): Promise<T> {
    return this.policy.run(spec, CallDeadline.start(this.options.callDeadlineMs), this.tokens);
  }

  private tokenSpec(): CallSpec<TokenResponse> {
    return {
      operation: 'getToken',
      method: 'POST',
      path: '/users/getToken',
      body: { imp_key: this.options.impKey, imp_secret: this.options.impSecret },
      authenticated: false,
      attempts: this.options.retryAttempts,
      sensitive: [],
      parse: parseTokenResponse,
    };
  }
}

/** Outside Nest: an HttpService of its own with the module's defaults (axios' CJS and ESM typings differ, hence the casts). */
function standaloneHttp(options: IamportModuleOptions): HttpService {
  const instance = axios.create(iamportHttpOptions(options) as Parameters<typeof axios.create>[0]);
  return new HttpService(instance as unknown as ConstructorParameters<typeof HttpService>[0]);
}

function encodeImpUid(impUid: string): string {
  if (typeof impUid !== 'string' || impUid.length === 0) {
    throw new TypeError('impUid must be a non-empty string');
  }
  return encodeURIComponent(impUid);
}
