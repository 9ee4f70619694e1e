import { Inject, Injectable, Logger } from '@nestjs/common';
import { CERTIFICATION_RESOLVED_OPTIONS } from './certification.constants';
import type { CertificationEvent, CertificationEventType } from './certification.events';
import type { ResolvedCertificationOptions } from './certification.options';
import { LogThrottle } from './log-throttle';
import { IdentityProviderError } from './providers/identity-provider';

/** The log context of the lib's services: the one operators (and test/ops) filter on since before the split. */
export const CERTIFICATION_LOG_CONTEXT = 'CertificationService';

/** Reports what the flows do: events to the host's observer, provider failures to the log. */
@Injectable()
export class CertificationReporter {
  private readonly logger = new Logger(CERTIFICATION_LOG_CONTEXT);
  // One line per operation and cause every 5 s: an outage's refusals would write one per request.
  private readonly failures = new LogThrottle(5_000);

  constructor(@Inject(CERTIFICATION_RESOLVED_OPTIONS) private readonly options: Pick<ResolvedCertificationOptions, 'onEvent'>) {}

  emit(event: CertificationEvent): void {
    const listener = this.options.onEvent;
    if (!listener) return;
    try {
      listener(event);
    } catch (error) {
      this.logger.warn(`onEvent listener threw on ${event.type satisfies CertificationEventType}: ${(error as Error)?.name ?? 'error'}`);
    }
  }

  /** The 502/503 of a provider failure, logged and reported; any other error is returned as is. */
  upstreamFailure(error: unknown, flow: 'otp' | 'popup', certificationId?: string): unknown {
    if (!(error instanceof IdentityProviderError)) return error;
    const held = this.failures.admit(`${error.operation}\n${error.detail.cause}`);
    if (held !== null) {
      this.logger.warn(`Upstream ${error.operation} failed: ${error.detail.cause}${held > 0 ? ` (and ${held} more like it since the last such line)` : ''}`);
    }
    this.emit({ type: 'upstream_failed', flow, certificationId, errorCode: error.failure.code });
    return error.failure;
  }
}
