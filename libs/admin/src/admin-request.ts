import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { isIP } from 'node:net';
import { requestIdOf } from '@app/common';
import type { AdminPrincipal } from './admin-key.service';

const PRINCIPAL = Symbol.for('iamport-backend.admin-principal');

interface RequestLike {
  ip?: unknown;
  [PRINCIPAL]?: AdminPrincipal;
}

/** What an audited operation records about its caller. */
export interface AdminRequestContext {
  principal: AdminPrincipal;
  /** `request.ip` (Express and Fastify both have it; honours their trust-proxy setting), or null. */
  clientIp: string | null;
  requestId: string;
}

export function setAdminPrincipal(request: unknown, principal: AdminPrincipal): void {
  (request as RequestLike)[PRINCIPAL] = principal;
}

export function adminRequestContext(request: unknown): AdminRequestContext {
  const req = (request ?? {}) as RequestLike;
  const principal = req[PRINCIPAL];
  if (!principal) throw new Error('No admin principal on this request: is the route guarded by AdminAuthGuard?');
  const ip = typeof req.ip === 'string' && isIP(req.ip) ? req.ip : null;
  return { principal, clientIp: ip, requestId: requestIdOf(request) };
}

/** Parameter decorator: the `AdminRequestContext` of a route guarded by `AdminAuthGuard`. */
export const AdminContext = createParamDecorator((_data: unknown, ctx: ExecutionContext): AdminRequestContext =>
  adminRequestContext(ctx.switchToHttp().getRequest()),
);
