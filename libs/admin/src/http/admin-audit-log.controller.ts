import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ForbiddenError, UnauthorizedError, apiRateLimited, apiValidationFailed } from '@app/common';
import { AdminAuthGuard } from '../admin-auth.guard';
import { AdminContext, type AdminRequestContext } from '../admin-request';
import { AuditLogService, type AuditLogView } from '../audit-log.service';
import { AuditLogQueryDto, DEFAULT_PAGE_SIZE } from '../dto/admin-query.dto';
import { AuditLogPageResponse } from '../dto/admin.responses';
import { RequireScope } from '../require-scope.decorator';

const AUTH_ERRORS = [
  { error: new UnauthorizedError('Missing or invalid admin API key'), description: 'no `Authorization: Bearer <admin key>`, a malformed header or an unknown key' },
  {
    error: new ForbiddenError('This key lacks the scope the route needs', { required_scopes: ['audit:read'] }),
    description: 'the key lacks a scope the route needs; `details.required_scopes`',
  },
  apiRateLimited('too many admin requests with this key (`ADMIN_RATE_LIMIT_PER_KEY` per 10 minutes, all admin routes together); `Retry-After`'),
];

@ApiTags('admin')
@ApiBearerAuth('admin-key')
@Controller('admin/audit-log')
@UseGuards(AdminAuthGuard)
export class AdminAuditLogController {
  constructor(private readonly audit: AuditLogService) {}

  /** Who revealed, erased or looked up what, when: newest first, keyset-paginated. */
  @Get()
  @RequireScope('audit:read')
  @ApiOperation({
    summary: 'The audit log (scope audit:read; audited)',
    description: 'Who revealed, erased, looked up or read what, when: newest first, keyset-paginated. Each read is itself written to the audit log.',
  })
  @ApiExtension('x-required-scopes', ['audit:read'])
  @ApiResponse({ status: 200, description: 'A page of audit entries', type: AuditLogPageResponse })
  @ApiErrorResponses(
    apiValidationFailed([{ field: 'limit', message: 'limit must be an integer between 1 and 100' }], 'a bad limit, cursor or filter, or an unknown query parameter'),
    ...AUTH_ERRORS,
  )
  list(@Query() query: AuditLogQueryDto, @AdminContext() ctx: AdminRequestContext): Promise<{ items: AuditLogView[]; next_cursor: string | null }> {
    return this.audit.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE }, ctx);
  }
}
