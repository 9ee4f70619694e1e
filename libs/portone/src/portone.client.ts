import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IdentityVerification as V2 } from '@portone/server-sdk';
import { PORTONE_MODULE_OPTIONS } from './portone.module-definition';
import { resolvePortOneOptions, type PortOneModuleOptions, type ResolvedPortOneOptions } from './portone.options';
import { PortOneCallPolicy } from './portone-call-policy';
import { PortOneRedactor } from './portone-redactor';
import { PORTONE_IDENTITY_VERIFICATION_API } from './portone.constants';

type WithSignal<F> = F extends (options: infer O) => infer R ? (options: O, signal?: AbortSignal) => R : never;

/**
 * The SDK's IdentityVerificationClient, each call also handed the attempt's signal. One that ends
 * its request when that signal aborts says so with `endsOnAbort` (PortOneHttpApi); the SDK's own
 * client does not, so its attempts are raced against the timeout instead.
 */
export type IdentityVerificationApi = { [K in keyof V2.IdentityVerificationClient]: WithSignal<V2.IdentityVerificationClient[K]> } & {
  readonly endsOnAbort?: boolean;
};
export type IdentityVerificationObject = V2.IdentityVerification;
export type VerifiedIdentityVerification = V2.VerifiedIdentityVerification;
export type PortOneOperator = V2.IdentityVerificationOperator;

export interface SendIdentityVerificationInput {
  identityVerificationId: string;
  channelKey: string;
  customer: { name: string; phoneNumber: string; identityNumber?: string; ipAddress: string; id?: string };
  operator: PortOneOperator;
  method: 'SMS' | 'APP';
  bypass?: object;
  customData?: string;
}

/**
 * PortOne V2 identity verifications through the official `@portone/server-sdk`, each call under the
 * call policy (deadline, breaker; get and list retried, send/confirm/resend never).
 */
@Injectable()
export class PortOneClient {
  private readonly logger = new Logger('PortOneClient');
  private readonly options: ResolvedPortOneOptions;
  private readonly policy: PortOneCallPolicy;

  constructor(
    @Inject(PORTONE_MODULE_OPTIONS) options: PortOneModuleOptions,
    @Inject(PORTONE_IDENTITY_VERIFICATION_API) private readonly api: IdentityVerificationApi,
  ) {
    this.options = resolvePortOneOptions(options);
    this.policy = new PortOneCallPolicy(this.options, new PortOneRedactor(this.options.apiSecret), this.logger, api.endsOnAbort === true);
  }

  /** Sends the SMS (or app push). Never retried: a message may have gone out. */
  async send(input: SendIdentityVerificationInput): Promise<void> {
    await this.policy.run('send', false, (signal) =>
      this.api.sendIdentityVerification({ ...input, storeId: this.options.storeId }, signal),
    );
  }

  /** Confirms with the OTP; answers the verified verification. Never retried (a second confirmation is refused). */
  async confirm(identityVerificationId: string, otp?: string): Promise<VerifiedIdentityVerification> {
    const { identityVerification } = await this.policy.run('confirm', false, (signal) =>
      this.api.confirmIdentityVerification({ identityVerificationId, otp, storeId: this.options.storeId }, signal),
    );
    return identityVerification;
  }

  /** Sends a new OTP for a verification sent by the API. Never retried. */
  async resend(identityVerificationId: string): Promise<void> {
    await this.policy.run('resend', false, (signal) =>
      this.api.resendIdentityVerification({ identityVerificationId, storeId: this.options.storeId }, signal),
    );
  }

  get(identityVerificationId: string): Promise<IdentityVerificationObject> {
    return this.policy.run('get', true, (signal) =>
      this.api.getIdentityVerification({ identityVerificationId, storeId: this.options.storeId }, signal),
    );
  }

  list(options: Parameters<IdentityVerificationApi['getIdentityVerifications']>[0] = {}): Promise<V2.GetIdentityVerificationsResponse> {
    const filter = this.options.storeId ? { storeId: this.options.storeId, ...options?.filter } : options?.filter;
    return this.policy.run('list', true, (signal) => this.api.getIdentityVerifications({ ...options, filter }, signal));
  }

  /** The breaker's state (health checks). */
  breakerState(): 'closed' | 'open' | 'half-open' {
    return this.policy.state();
  }
}
