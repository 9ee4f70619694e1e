import { Controller, Delete, Get, HttpCode, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ForbiddenError, UnauthorizedError, apiRateLimited, apiValidationFailed } from '@app/common';
import { CertificationNotFoundError } from '../admin.errors';
import { AdminAuthGuard } from '../admin-auth.guard';
import { AdminCertificationsService, type CertificationPage } from '../admin-certifications.service';
import { AdminErasureService } from '../admin-erasure.service';
import { AdminKeyService } from '../admin-key.service';
import { AdminContext, type AdminRequestContext } from '../admin-request';
import {
  DEFAULT_PAGE_SIZE,
  ImpUidParamDto,
  ListCertificationsQueryDto,
  NoQueryDto,
  RevealQueryDto,
} from '../dto/admin-query.dto';
import { CertificationDetailResponse, CertificationPageResponse } from '../dto/admin.responses';
import { RequireScope } from '../require-scope.decorator';
import type { CertificationDetail } from '../views';

const AUTH_ERRORS = (...scopes: string[]) => [
  { error: new UnauthorizedError('Missing or invalid admin API key'), description: 'no `Authorization: Bearer <admin key>`, a malformed header or an unknown key' },
  {
    error: new ForbiddenError('This key lacks the scope the route needs', { required_scopes: scopes }),
    description: 'the key lacks a scope the route needs; `details.required_scopes`',
  },
  apiRateLimited('too many admin requests with this key (`ADMIN_RATE_LIMIT_PER_KEY` per 10 minutes, all admin routes together); `Retry-After`'),
];

@ApiTags('admin')
@ApiBearerAuth('admin-key')
@Controller('admin/certifications')
@UseGuards(AdminAuthGuard)
export class AdminCertificationsController {
  constructor(
    private readonly certifications: AdminCertificationsService,
    private readonly erasure: AdminErasureService,
    private readonly keys: AdminKeyService,
  ) {}

  /** Keyset-paginated list, newest first, personal data masked. */
  @Get()
  @RequireScope('verifications:read')
  @ApiOperation({
    summary: 'List verifications (scope verifications:read)',
    description:
      'Newest first, keyset-paginated, personal data masked (the birthday to its year); no CI or DI. Filters combine with AND. ' +
      'A `phone` filter is written to the audit log in the same transaction (one row per verification found, or `not_found`).',
  })
  @ApiExtension('x-required-scopes', ['verifications:read'])
  @ApiResponse({ status: 200, description: 'A page of verifications', type: CertificationPageResponse })
  @ApiErrorResponses(
    apiValidationFailed(
      [{ field: 'status', message: 'status must be one of pending, locked, expired, verified, used' }],
      'a bad filter, limit or cursor, `to` not after `from`, or an unknown query parameter',
    ),
    ...AUTH_ERRORS('verifications:read'),
  )
  list(@Query() query: ListCertificationsQueryDto, @AdminContext() ctx: AdminRequestContext): Promise<CertificationPage> {
    return this.certifications.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE }, ctx);
  }

  /** One verification, masked; `?reveal=true` (needs pii:reveal too, audited) shows everything. */
  @Get(':imp_uid')
  @RequireScope('verifications:read')
  @ApiOperation({
    summary: 'One verification (scope verifications:read; reveal: + pii:reveal, audited)',
    description:
      'Masked by default (not audited). `?reveal=true` shows the full name, phone, CI and DI, needs the scope pii:reveal ' +
      'as well, and is written to the audit log in the same transaction.',
  })
  @ApiExtension('x-required-scopes', ['verifications:read'])
  @ApiResponse({ status: 200, description: 'The verification (masked, or revealed)', type: CertificationDetailResponse })
  @ApiErrorResponses(
    apiValidationFailed([{ field: 'reveal', message: 'reveal must be true or false' }], 'a malformed imp_uid, a bad `reveal`, or an unknown query parameter'),
    ...AUTH_ERRORS('verifications:read', 'pii:reveal'),
    { error: new CertificationNotFoundError(), description: 'no verification with this imp_uid' },
  )
  get(
    @Param() params: ImpUidParamDto,
    @Query() query: RevealQueryDto,
    @AdminContext() ctx: AdminRequestContext,
  ): Promise<CertificationDetail> {
    if (query.reveal === 'true') {
      this.keys.assertScopes(ctx.principal, ['pii:reveal']);
      return this.certifications.reveal(params.imp_uid, ctx);
    }
    return this.certifications.get(params.imp_uid);
  }

  /** Erases the personal data here and upstream; answers the tombstone (200, also when repeated). */
  @Delete(':imp_uid')
  @HttpCode(200)
  @RequireScope('verifications:erase')
  @ApiOperation({
    summary: 'Erase the personal data of a verification, here and upstream (scope verifications:erase; audited)',
    description:
      "Clears the personal data in one transaction, expires its unused tokens, queues the deletion at i'mport (retried until " +
      'done) and answers the tombstone. Idempotent: erasing again answers the same tombstone.',
  })
  @ApiExtension('x-required-scopes', ['verifications:erase'])
  @ApiResponse({ status: 200, description: 'The tombstone (personal fields null, `erased: true`)', type: CertificationDetailResponse })
  @ApiErrorResponses(
    apiValidationFailed([{ field: 'imp_uid', message: "imp_uid must be an i'mport imp_uid" }], 'a malformed imp_uid, or a query parameter was sent'),
    ...AUTH_ERRORS('verifications:erase'),
    { error: new CertificationNotFoundError(), description: 'no verification with this imp_uid' },
  )
  erase(
    @Param() params: ImpUidParamDto,
    @Query() _query: NoQueryDto,
    @AdminContext() ctx: AdminRequestContext,
  ): Promise<CertificationDetail> {
    return this.erasure.erase(params.imp_uid, ctx);
  }
}
