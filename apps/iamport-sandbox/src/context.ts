import type { IncomingHttpHeaders } from 'node:http';
import type { RequestBody } from './body';
import type { SandboxClock } from './clock';
import type { SandboxReply } from './envelope';
import type { FaultRegistry } from './faults';
import type { SandboxStore } from './store';
import type { TokenStore } from './tokens';
import type { V2State } from './v2/state';

/** What the route handlers share: the state of one sandbox instance and its settings. */
export interface SandboxContext {
  readonly store: SandboxStore;
  readonly tokens: TokenStore;
  readonly faults: FaultRegistry;
  readonly clock: SandboxClock;
  /** PortOne V2: verifications, tokens, the CI/DI switches (v2/). */
  readonly v2: V2State;
  readonly settings: {
    readonly impKey: string;
    readonly impSecret: string;
    readonly otpTtlSeconds: number;
    readonly merchantId: string;
  };
  /** Clears state, inbox, faults, stats, tokens and the clock offset. */
  reset(): void;
}

export interface SandboxRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: RequestBody;
}

export type RouteHandler = (ctx: SandboxContext, req: SandboxRequest) => SandboxReply;
