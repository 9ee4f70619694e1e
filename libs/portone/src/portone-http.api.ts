import type { HttpService } from '@nestjs/axios';
import type { OnApplicationShutdown } from '@nestjs/common';
import { IdentityVerificationError } from '@portone/server-sdk/identityVerification';
import { destroyOwnAgents, dropEmptyHeaderBuckets, rawExchange, systemErrorCode } from '@app/iamport';
import type { IdentityVerificationApi } from './portone.client';

type Api = IdentityVerificationApi;
type Method = 'GET' | 'POST';

/** A non-2xx answer: the SDK's error type (a RestError holding the body), as its own client throws. */
class PortOneAnswerError extends IdentityVerificationError {
  constructor(data: IdentityVerificationError['data']) {
    super(data);
    this.name = 'PortOneAnswerError';
  }
}

const USER_AGENT = 'identity-verification-backend (portone-server-sdk-js compatible)';

/**
 * The SDK's IdentityVerificationClient on the module's HttpService (axios on node:http, keep-alive):
 * the same paths, bodies and query strings, and on a non-2xx answer the SDK's own typed error from
 * the body. The SDK's client calls the global fetch, which costs about 5x the CPU of node:http per call
 * and lifts the api's RSS by ~100 MB under load (docs/performance.md, "Sixth round").
 */
export class PortOneHttpApi implements Api, OnApplicationShutdown {
  /** A request ends when the attempt's signal aborts (the call policy then needs no race). */
  readonly endsOnAbort = true;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly http: HttpService,
    secret: string,
    private readonly storeId: string | undefined,
  ) {
    this.headers = { Authorization: `PortOne ${secret}`, 'User-Agent': USER_AGENT };
    dropEmptyHeaderBuckets(http.axiosRef);
  }

  onApplicationShutdown(): void {
    destroyOwnAgents(this.http.axiosRef);
  }

  confirmIdentityVerification: Api['confirmIdentityVerification'] = ({ identityVerificationId, storeId, otp }, signal) =>
    this.call(signal, 'POST', `${path(identityVerificationId)}/confirm`, { storeId: storeId ?? this.storeId, otp });

  resendIdentityVerification: Api['resendIdentityVerification'] = ({ identityVerificationId, storeId }, signal) =>
    this.call(signal, 'POST', `${path(identityVerificationId)}/resend?${query('storeId', storeId)}`);

  sendIdentityVerification: Api['sendIdentityVerification'] = (o, signal) =>
    this.call(signal, 'POST', `${path(o.identityVerificationId)}/send`, {
      storeId: o.storeId ?? this.storeId,
      channelKey: o.channelKey,
      customer: o.customer,
      customData: o.customData,
      bypass: o.bypass,
      operator: o.operator,
      method: o.method,
    });

  getIdentityVerification: Api['getIdentityVerification'] = ({ identityVerificationId, storeId }, signal) =>
    this.call(signal, 'GET', `${path(identityVerificationId)}?${query('storeId', storeId)}`);

  getIdentityVerifications: Api['getIdentityVerifications'] = (o, signal) =>
    this.call(signal, 'GET', `/identity-verifications?${query('requestBody', JSON.stringify({ page: o?.page, sort: o?.sort, filter: o?.filter }))}`);

  private async call<T>(signal: AbortSignal | undefined, method: Method, url: string, body?: object): Promise<T> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const headers = data === undefined ? this.headers : { ...this.headers, 'Content-Type': 'application/json' };
    let response: { status: number; data: string };
    try {
      response = await rawExchange(this.http.axiosRef, { method, url, data, headers, signal });
    } catch (error) {
      // As fetch fails: a TypeError whose cause names the system error; nothing of the request is kept.
      throw new TypeError('PortOne request failed', { cause: { code: systemErrorCode(error) } });
    }
    const parsed = JSON.parse(response.data) as T; // not JSON: a SyntaxError, as the SDK's response.json()
    if (response.status < 200 || response.status >= 300) throw new PortOneAnswerError(parsed as IdentityVerificationError['data']);
    return parsed;
  }
}

function path(id: string): string {
  return `/identity-verifications/${encodeURIComponent(id)}`;
}

function query(key: string, value: string | undefined | null): string {
  return value == null ? '' : `${key}=${encodeURIComponent(value)}`;
}
