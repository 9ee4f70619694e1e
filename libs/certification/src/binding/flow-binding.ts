import { Inject, Injectable } from '@nestjs/common';
import { CERTIFICATION_RESOLVED_OPTIONS } from '../certification.constants';
import { FlowAlreadyClaimedError, FlowExpiredError, FlowMismatchError } from '../certification.errors';
import type { ResolvedCertificationOptions } from '../certification.options';
import { CertificationFlowRepository, type CertificationFlowRow, type CertificationFlowStore } from '../repositories/certification-flow.repository';
import {
  hashFlowSecret,
  isFlowMerchantUid,
  isFlowSecret,
  newFlowMerchantUid,
  newFlowSecret,
  secretFor,
  secretMatches,
  type FlowCredentials,
} from './flow-credentials';

/** A started flow: what the page passes to `IMP.init` / `IMP.certification`, and the secret to bind the browser with. */
export interface StartedFlow {
  merchantUid: string;
  impCode: string | null;
  minAge: number | null;
  expiresAt: Date;
  /** The verification's id when the provider names it before the window opens (PortOne V2); else null. */
  verificationId: string | null;
  /** Generated unless the client gave its own; set it as the flow cookie (never put it in a URL). */
  secret: string;
  /** Seconds the cookie should live: the flow's lifetime plus the claim window. */
  cookieMaxAgeSeconds: number;
}

/**
 * Starts browser flows and decides whether a window result may be accepted: its upstream
 * merchant_uid is a flow started here, the browser holds that flow's secret, no other
 * certification claimed the flow, and it was certified recently (the claim window).
 */
@Injectable()
export class FlowBinding {
  constructor(
    @Inject(CERTIFICATION_RESOLVED_OPTIONS) private readonly options: Pick<ResolvedCertificationOptions, 'window' | 'clock'>,
    @Inject(CertificationFlowRepository) private readonly flows: CertificationFlowStore,
  ) {}

  /** A new flow, bound to `clientSecret` when the client brings its own (the header), else to a fresh secret. */
  async start(clientSecret?: string | null): Promise<StartedFlow> {
    const { flowTtlSeconds, claimWindowSeconds, impCode, minAge } = this.options.window;
    const secret = isFlowSecret(clientSecret) ? clientSecret : newFlowSecret();
    const expiresAt = new Date(this.options.clock().getTime() + flowTtlSeconds * 1000);
    const flow = await this.flows.insert({ merchantUid: newFlowMerchantUid(), secretHash: hashFlowSecret(secret), minAge, expiresAt });
    return {
      merchantUid: flow.merchantUid,
      verificationId: null,
      impCode,
      minAge,
      expiresAt,
      secret,
      cookieMaxAgeSeconds: flowTtlSeconds + claimWindowSeconds,
    };
  }

  /** 403 FlowMismatchError unless `merchantUid` names a flow of ours and the credentials hold its secret. */
  async authorize(merchantUid: string | null, credentials: FlowCredentials): Promise<CertificationFlowRow> {
    if (!isFlowMerchantUid(merchantUid)) throw new FlowMismatchError();
    const secret = secretFor(merchantUid, credentials);
    const flow = secret === null ? null : await this.flows.findByMerchantUid(merchantUid);
    if (flow === null || secret === null || !secretMatches(secret, flow.secretHash)) throw new FlowMismatchError();
    return flow;
  }

  /**
   * Binds the flow to `impUid` once it is known certified at `certifiedAt`: 410 FlowExpiredError
   * past the claim window or when completed after the flow expired, 409 FlowAlreadyClaimedError
   * when another certification holds the flow. Repeating it for the same imp_uid is allowed.
   */
  async claim(flow: CertificationFlowRow, impUid: string, certifiedAt: Date | null): Promise<void> {
    const now = this.options.clock();
    if (flow.impUid !== null && flow.impUid !== impUid) throw new FlowAlreadyClaimedError();
    const at = certifiedAt ?? now;
    if (at.getTime() > flow.expiresAt.getTime()) throw new FlowExpiredError();
    if (now.getTime() - at.getTime() > this.options.window.claimWindowSeconds * 1000) throw new FlowExpiredError();
    if (!(await this.flows.claim(flow.id, impUid, now))) throw new FlowAlreadyClaimedError();
  }

}
