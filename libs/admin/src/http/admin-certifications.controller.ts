import { Controller, Delete, Get, HttpCode, Param, Query, UseGuards } from '@nestjs/common';
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
import { RequireScope } from '../require-scope.decorator';
import type { CertificationDetail } from '../views';

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
  list(@Query() query: ListCertificationsQueryDto): Promise<CertificationPage> {
    return this.certifications.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  /** One verification, masked; `?reveal=true` (needs pii:reveal too, audited) shows everything. */
  @Get(':imp_uid')
  @RequireScope('verifications:read')
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
  erase(
    @Param() params: ImpUidParamDto,
    @Query() _query: NoQueryDto,
    @AdminContext() ctx: AdminRequestContext,
  ): Promise<CertificationDetail> {
    return this.erasure.erase(params.imp_uid, ctx);
  }
}
