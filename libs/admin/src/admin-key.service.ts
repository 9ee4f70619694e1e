import { Inject, Injectable, Logger } from '@nestjs/common';
import { ForbiddenError, UnauthorizedError } from '@app/common';
import { findKeyConstantTime, hashAdminKey, parseAdminApiKeys, type AdminKeyEntry } from './admin-keys';
import type { AdminScope } from './admin-scopes';
import { ADMIN_RESOLVED_OPTIONS } from './admin.constants';
import type { ResolvedAdminOptions } from './admin.options';

/** Who is calling: the id of the key that authenticated, and what it may do. */
export interface AdminPrincipal {
  readonly keyId: string;
  readonly scopes: ReadonlySet<AdminScope>;
}

/** Presented keys longer than this are rejected before hashing (generated keys are 47 chars). */
const MAX_KEY_LENGTH = 512;

/**
 * Authenticates admin requests and decides on scopes. The keys are parsed when the module is
 * created (a malformed `ADMIN_API_KEYS` fails the boot); only their SHA-256 is held.
 */
@Injectable()
export class AdminKeyService {
  private readonly logger = new Logger(AdminKeyService.name);
  private readonly entries: readonly AdminKeyEntry[];

  constructor(@Inject(ADMIN_RESOLVED_OPTIONS) options: ResolvedAdminOptions) {
    this.entries = Object.freeze(parseAdminApiKeys(options.apiKeys));
    if (this.entries.length === 0) {
      this.logger.warn('ADMIN_API_KEYS is empty: every admin request will be answered 401');
    } else {
      this.logger.log(`${this.entries.length} admin API key(s) loaded: ${this.entries.map((e) => e.id).join(', ')}`);
    }
  }

  /** Ids of the configured keys. */
  get keyIds(): string[] {
    return this.entries.map((e) => e.id);
  }

  /**
   * The principal behind an `Authorization: Bearer <key>` header.
   * @throws UnauthorizedError (401) when the header is missing, malformed or the key is unknown.
   */
  authenticate(authorization: unknown): AdminPrincipal {
    const key = bearerToken(authorization);
    if (key === null) throw new UnauthorizedError('Missing or invalid admin API key');
    const entry = findKeyConstantTime(hashAdminKey(key), this.entries);
    if (!entry) throw new UnauthorizedError('Missing or invalid admin API key');
    return { keyId: entry.id, scopes: entry.scopes };
  }

  /** @throws ForbiddenError (403) unless the principal holds every scope in `required`. */
  assertScopes(principal: AdminPrincipal, required: readonly AdminScope[]): void {
    const missing = required.filter((scope) => !principal.scopes.has(scope));
    if (missing.length > 0) {
      throw new ForbiddenError('This key lacks the scope the route needs', { required_scopes: missing });
    }
  }

  /** authenticate + assertScopes: the whole decision for one request. */
  authorize(authorization: unknown, required: readonly AdminScope[]): AdminPrincipal {
    const principal = this.authenticate(authorization);
    this.assertScopes(principal, required);
    return principal;
  }
}

/** The token of `Bearer <token>` (scheme case-insensitive), or null. */
function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null; // missing, or repeated (an array)
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) return null;
  const token = match[1];
  return token.length > 0 && token.length <= MAX_KEY_LENGTH ? token : null;
}
