import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { UnauthorizedError } from '@app/common';
import { MetricsAccess } from './metrics-access';

/** GET /metrics on the public listener: METRICS_TOKEN's bearer check (MetricsAccess decides). */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(private readonly access: MetricsAccess) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    if (!this.access.allows(request.headers.authorization)) throw new UnauthorizedError('GET /metrics needs the METRICS_TOKEN bearer token');
    return true;
  }
}
