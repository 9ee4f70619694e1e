import { ArgumentsHost, Catch, Inject, Injectable, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RateLimitedError } from '@app/common';
import { CERTIFICATION_RESOLVED_OPTIONS } from '../certification.constants';
import type { ResolvedCertificationOptions } from '../certification.options';
import { appendQuery } from '../redirect-url';

/** The redirect's contract is always a 302: over its limit, to the failure URL with `error_code=RATE_LIMITED`. */
@Catch(RateLimitedError)
@Injectable()
export class RedirectRateLimitFilter implements ExceptionFilter {
  constructor(
    @Inject(CERTIFICATION_RESOLVED_OPTIONS) private readonly options: Pick<ResolvedCertificationOptions, 'redirect'>,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  catch(_error: RateLimitedError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse();
    this.adapterHost.httpAdapter.redirect(response, 302, appendQuery(this.options.redirect.failureUrl, { error_code: 'RATE_LIMITED' }));
  }
}
