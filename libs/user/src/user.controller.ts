import { Body, Controller, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AgeRestrictedError } from '@app/age-policy';
import { ApiErrorResponses, API_JSON_BODY_ERRORS, apiRateLimited, apiValidationFailed } from '@app/common';
import { JsonEndpoints, RateLimit } from '@app/common';
import { CreateUserDto } from './dto/create-user.dto';
import { UserCreatedResponse } from './dto/user.responses';
import { AlreadyRegisteredError, VerificationExpiredError, VerificationNotFoundError, VerificationUsedError } from './user.errors';
import { UserService } from './user.service';

/**
 * `POST /users`: signup with a verification token. The age policy (module defaults of
 * AgePolicyModule) is applied by `UserService.signup` inside its statement: 403
 * AGE_RESTRICTED. Adapter-agnostic.
 */
@ApiTags('users')
@JsonEndpoints()
@Controller('users')
export class UserController {
  constructor(private readonly users: UserService) {}

  @Post()
  @RateLimit('signup')
  @ApiOperation({
    summary: 'Sign up with a verification token',
    description:
      'Consumes the token of a confirmed verification and creates the account of that person: one account per person ' +
      '(keyed by the CI behind the token), subject to the age policy (minimum age and mode of the configuration).',
  })
  @ApiResponse({ status: 201, description: 'The account was created', type: UserCreatedResponse })
  @ApiErrorResponses(
    apiValidationFailed(
      [{ field: 'verification_token', message: 'verification_token must be a verification token (43 base64url characters)' }],
      'the token is missing or malformed, nickname or marketing_opt_in is invalid, or an unknown field was sent',
    ),
    { error: new AgeRestrictedError(19, 'international'), description: 'the verified person is younger than the policy; `details.min_age`, `details.policy` (`international` or `calendar-year`)' },
    { error: new VerificationNotFoundError(), description: 'a well-formed token that was never issued, or whose verification was erased' },
    { error: new VerificationUsedError(), description: 'the token (or its verification) was used for a signup already' },
    { error: new AlreadyRegisteredError(), description: 'this person (same CI) already has an account' },
    { error: new VerificationExpiredError(), description: 'the token\'s lifetime passed: verify again' },
    apiRateLimited('too many signups from this client IP; `Retry-After`'),
    ...API_JSON_BODY_ERRORS,
  )
  async create(@Body() body: CreateUserDto): Promise<{ id: string; created_at: string }> {
    const user = await this.users.signup({
      verificationToken: body.verification_token,
      nickname: body.nickname,
      marketingOptIn: body.marketing_opt_in,
    });
    return { id: user.id, created_at: user.createdAt.toISOString() };
  }
}
