import { Controller, Get, Param } from '@nestjs/common';
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
}
