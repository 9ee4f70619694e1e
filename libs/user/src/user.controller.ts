import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { AgePolicyGuard } from '@app/age-policy';
import { CreateUserDto } from './dto/create-user.dto';
import { UserService } from './user.service';

/**
 * `POST /users`: signup with a verification token. The age policy (module defaults of
 * AgePolicyModule, or a `@RequireAge` a host adds) is enforced by AgePolicyGuard before the
 * handler: 403 AGE_RESTRICTED. Adapter-agnostic.
 */
@Controller('users')
@UseGuards(AgePolicyGuard)
export class UserController {
  constructor(private readonly users: UserService) {}

  @Post()
  async create(@Body() body: CreateUserDto): Promise<{ id: string; created_at: string }> {
    const user = await this.users.signup({
      verificationToken: body.verification_token,
      nickname: body.nickname,
      marketingOptIn: body.marketing_opt_in,
    });
    return { id: user.id, created_at: user.createdAt.toISOString() };
  }
}
