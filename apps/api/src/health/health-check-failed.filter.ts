import { ArgumentsHost, Catch, ServiceUnavailableException, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { requestIdOf } from '@app/common';

/**
 * A failed health check answers 503 with terminus' own body
 * (`{status: "error", info, error, details}`), which is what probes and dashboards expect,
 * instead of the api's error envelope (the global filter would turn terminus'
 * ServiceUnavailableException into a 500). Scoped to the health controller.
 */
@Catch(ServiceUnavailableException)
export class HealthCheckFailedFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const adapter = this.adapterHost.httpAdapter;
    const response = ctx.getResponse();
    adapter.setHeader(response, 'x-request-id', requestIdOf(ctx.getRequest()));
    adapter.setHeader(response, 'cache-control', 'no-store');
    adapter.reply(response, exception.getResponse(), 503);
  }
}
