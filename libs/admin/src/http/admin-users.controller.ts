import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { AdminAuthGuard } from '../admin-auth.guard';
import { AdminContext, type AdminRequestContext } from '../admin-request';
import { AdminUsersService, type AdminUserView } from '../admin-users.service';
import { NoQueryDto, UserIdParamDto, UserLookupQueryDto } from '../dto/admin-query.dto';
import { RequireScope } from '../require-scope.decorator';

@Controller('admin/users')
@UseGuards(AdminAuthGuard)
@RequireScope('verifications:read')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  /**
   * The account of the person with this CI (URL-encode it: a CI contains `+`, `/` and `=`).
   * Audited, also when nobody is found.
   */
  @Get()
  findByCi(@Query() query: UserLookupQueryDto, @AdminContext() ctx: AdminRequestContext): Promise<AdminUserView> {
    // A CI is base64: it never contains a space, so a space is a `+` that was not URL-encoded.
    return this.users.findByCi(query.ci.replace(/ /g, '+').trim(), ctx);
  }

  @Get(':id')
  get(@Param() params: UserIdParamDto, @Query() _query: NoQueryDto): Promise<AdminUserView> {
    return this.users.getById(params.id);
  }
}
