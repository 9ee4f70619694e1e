export { UserModule } from './user.module';
export {
  type UserModuleOptions,
  type UserModuleExtras,
  type UserModuleForRootOptions,
  type UserModuleForRootAsyncOptions,
} from './user.module-definition';
export { USER_MODULE_OPTIONS } from './user.constants';
export { UserService, type SignupInput, type SignupResult } from './user.service';
export type { UserEvent, UserEventType, UserEventListener } from './user.events';
export {
  AlreadyRegisteredError,
  VerificationExpiredError,
  VerificationNotFoundError,
  VerificationUsedError,
} from './user.errors';
export { UserEntity } from './user.entity';
