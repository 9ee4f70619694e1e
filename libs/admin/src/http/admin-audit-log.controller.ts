import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../admin-auth.guard';
import { AuditLogService, type AuditLogView } from '../audit-log.service';
import { AuditLogQueryDto, DEFAULT_PAGE_SIZE } from '../dto/admin-query.dto';
import { RequireScope } from '../require-scope.decorator';

@Controller('admin/audit-log')
@UseGuards(AdminAuthGuard)
export class AdminAuditLogController {
  constructor(private readonly audit: AuditLogService) {}

  /** Who revealed, erased or looked up what, when: newest first, keyset-paginated. */
  @Get()
  @RequireScope('audit:read')
  list(@Query() query: AuditLogQueryDto): Promise<{ items: AuditLogView[]; next_cursor: string | null }> {
    return this.audit.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }
}
