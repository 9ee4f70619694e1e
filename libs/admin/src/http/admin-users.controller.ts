import { Body, Controller, Delete, Get, HttpCode, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ForbiddenError, UnauthorizedError, ValidationFailedError, apiRateLimited, apiValidationFailed } from '@app/common';
import { AccountErasedError } from '@app/user';
import { UserNotFoundError } from '../admin.errors';
import { AdminAuthGuard } from '../admin-auth.guard';
import { AdminContext, type AdminRequestContext } from '../admin-request';
import { AdminUserErasureService, type AdminUserErasureView } from '../admin-user-erasure.service';
import { AdminUserExportService, type UserExport } from '../admin-user-export.service';
import { AdminUsersService, type AdminUserView } from '../admin-users.service';
import { EraseUserDto } from '../dto/erase-user.dto';
import { NoQueryDto, UserIdParamDto, UserLookupQueryDto } from '../dto/admin-query.dto';
import { AdminUserResponse } from '../dto/admin.responses';
import { RequireScope } from '../require-scope.decorator';

const AUTH_ERRORS = [
  { error: new UnauthorizedError('Missing or invalid admin API key'), description: 'no `Authorization: Bearer <admin key>`, a malformed header or an unknown key' },
  {
    error: new ForbiddenError('This key lacks the scope the route needs', { required_scopes: ['verifications:read'] }),
    description: 'the key lacks a scope the route needs; `details.required_scopes`',
  },
  apiRateLimited('too many admin requests with this key (`ADMIN_RATE_LIMIT_PER_KEY` per 10 minutes, all admin routes together); `Retry-After`'),
];

@ApiTags('admin')
@ApiBearerAuth('admin-key')
@Controller('admin/users')
@UseGuards(AdminAuthGuard)
@RequireScope('verifications:read')
export class AdminUsersController {
  constructor(
    private readonly users: AdminUsersService,
    private readonly erasure: AdminUserErasureService,
    private readonly exports: AdminUserExportService,
  ) {}

  /**
   * The account of the person with this CI (URL-encode it: a CI contains `+`, `/` and `=`).
   * Audited, also when nobody is found.
   */
  @Get()
  @ApiOperation({
    summary: 'Find the account of a person by CI or DI (scope verifications:read; audited)',
    description:
      'Looked up through the blind index of the CI (`?ci=`) or of the DI (`?di=`, merchant-scoped: PortOne V2 channels that ' +
      'give no CI). Audited, also when nobody is found. The answer is masked (no CI, no DI).',
  })
  @ApiExtension('x-required-scopes', ['verifications:read'])
  @ApiResponse({ status: 200, description: 'The account, masked', type: AdminUserResponse })
  @ApiErrorResponses(
    apiValidationFailed([{ field: 'ci', message: 'ci is required' }], 'ci is missing or too long, or an unknown query parameter was sent'),
    ...AUTH_ERRORS,
    { error: new UserNotFoundError(), description: 'nobody has an account with this CI (or DI)' },
  )
  findByCi(@Query() query: UserLookupQueryDto, @AdminContext() ctx: AdminRequestContext): Promise<AdminUserView> {
    if (query.ci !== undefined && query.di !== undefined) {
      throw new ValidationFailedError([{ field: 'di', message: 'give ci or di, not both' }]);
    }
    // CI and DI are base64: they never contain a space, so a space is a `+` that was not URL-encoded.
    if (query.di !== undefined) return this.users.findByDi(query.di.replace(/ /g, '+').trim(), ctx);
    return this.users.findByCi(query.ci!.replace(/ /g, '+').trim(), ctx);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One account by id (scope verifications:read)', description: 'Masked (no CI, no DI), with the verification it was made with.' })
  @ApiExtension('x-required-scopes', ['verifications:read'])
  @ApiResponse({ status: 200, description: 'The account, masked', type: AdminUserResponse })
  @ApiErrorResponses(
    apiValidationFailed([{ field: 'id', message: 'id must be a UUID' }], 'the id is not a UUID, or a query parameter was sent'),
    ...AUTH_ERRORS,
    { error: new UserNotFoundError(), description: 'no account with this id' },
    { error: new AccountErasedError(), description: 'the account was erased (a tombstone remains)' },
  )
  get(@Param() params: UserIdParamDto, @Query() _query: NoQueryDto): Promise<AdminUserView> {
    return this.users.getById(params.id);
  }

  /** 회원 탈퇴 by an operator: the account and its verifications, here and upstream. */
  @Delete(':id')
  @HttpCode(200)
  @RequireScope('users:erase')
  @ApiOperation({
    summary: 'Erase an account and every verification behind it, here and upstream (scope users:erase; audited)',
    description:
      'One statement: the personal data of the account and of its verifications goes, a tombstone (id, erased_at, reason) stays, ' +
      "the i'mport deletions are queued (retried until done), the audit row is written. The person can sign up again.",
  })
  @ApiExtension('x-required-scopes', ['users:erase'])
  @ApiResponse({ status: 200, description: 'The tombstone and the state of each upstream deletion' })
  @ApiErrorResponses(
    apiValidationFailed([{ field: 'reason', message: 'reason must be 1-200 characters' }], 'the id is not a UUID, or the reason is missing or too long'),
    ...AUTH_ERRORS,
    { error: new UserNotFoundError(), description: 'no account with this id' },
    { error: new AccountErasedError(), description: 'the account was erased already (audited as `already_erased`)' },
  )
  erase(
    @Param() params: UserIdParamDto,
    @Query() _query: NoQueryDto,
    @Body() body: EraseUserDto,
    @AdminContext() ctx: AdminRequestContext,
  ): Promise<AdminUserErasureView> {
    return this.erasure.erase(params.id, body.reason.trim(), ctx);
  }

  /** An access request: everything held about the person, decrypted. */
  @Get(':id/export')
  @RequireScope('pii:reveal')
  @ApiOperation({
    summary: "A person's data export for an access request (scope pii:reveal; audited)",
    description: 'Every field held about the person, decrypted: the account, each verification (with its upstream deletion) and the audit rows about them.',
  })
  @ApiExtension('x-required-scopes', ['pii:reveal'])
  @ApiResponse({ status: 200, description: 'The export (JSON)' })
  @ApiErrorResponses(
    apiValidationFailed([{ field: 'id', message: 'id must be a UUID' }], 'the id is not a UUID, or a query parameter was sent'),
    ...AUTH_ERRORS,
    { error: new UserNotFoundError(), description: 'no account with this id' },
    { error: new AccountErasedError(), description: 'the account was erased: nothing is held any more' },
  )
  export(@Param() params: UserIdParamDto, @Query() _query: NoQueryDto, @AdminContext() ctx: AdminRequestContext): Promise<UserExport> {
    return this.exports.export(params.id, ctx);
  }
}
