import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { ApiErrorResponses, DomainError, apiValidationFailed } from '@iamport-identity/nest/common';
import { UserService } from '@iamport-identity/nest/user';

/** The host's own error, in the same envelope as the libs' (DomainExceptionFilter maps it). */
export class MemberNotFoundError extends DomainError {
  readonly code = 'MEMBER_NOT_FOUND';
  readonly status = 404;
  constructor() {
    super('No such member');
  }
}

class MemberIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id: string;
}

/** A route of the host built on a lib's exported service (UserService of @app/user). */
@ApiTags('host')
@Controller('members')
export class MembersController {
  constructor(private readonly users: UserService) {}

  @Get(':id')
  @ApiOperation({ summary: "A member's public profile (no personal data)" })
  @ApiErrorResponses(apiValidationFailed([{ field: 'id', message: 'id must be a UUID' }]), new MemberNotFoundError())
  async get(@Param() params: MemberIdParams): Promise<{ id: string; nickname: string | null; member_since: string }> {
    const user = await this.users.findById(params.id);
    if (!user) throw new MemberNotFoundError();
    return { id: user.id, nickname: user.nickname, member_since: user.createdAt.toISOString() };
  }

  /**
   * 회원 탈퇴: the member withdraws. A real host puts this behind its own login (the member
   * erases their own account only); UserService.erase does the rest (tombstone, verifications,
   * upstream deletions queued for AdminModule's worker, audit row as `user:self`).
   */
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw: erase the member and every copy of their personal data' })
  @ApiErrorResponses(apiValidationFailed([{ field: 'id', message: 'id must be a UUID' }]), new MemberNotFoundError())
  async withdraw(@Param() params: MemberIdParams): Promise<void> {
    const result = await this.users.erase(params.id, { reason: 'withdrawal' });
    if (result.outcome !== 'erased') throw new MemberNotFoundError();
  }
}
