import { Injectable, type ExecutionContext } from '@nestjs/common';
import type { AgeSubjectResolver } from '@app/age-policy';
import { UserService } from './user.service';

/**
 * Tells AgePolicyGuard whose age a signup is about: the verified birthday behind the body's
 * `verification_token` (hashed and looked up), or null when the token is malformed, unknown,
 * used or expired, so the handler answers its own error (400, 404, 409, 410). Reads the parsed
 * body through the ExecutionContext only (Express and Fastify both put it on `request.body`).
 */
@Injectable()
export class VerificationBirthdayResolver implements AgeSubjectResolver {
  constructor(private readonly users: UserService) {}

  async resolveBirthday(context: ExecutionContext): Promise<string | null> {
    if (context.getType() !== 'http') return null;
    const request = context.switchToHttp().getRequest<{ body?: unknown }>();
    const body = request?.body;
    const token = body && typeof body === 'object' ? (body as Record<string, unknown>).verification_token : undefined;
    return this.users.birthdayForToken(token);
  }
}
