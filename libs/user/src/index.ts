export { UserModule } from './user.module';
export type { UserModuleOptions, UserModuleExtras } from './user.options';
export type { UserModuleForRootOptions, UserModuleForRootAsyncOptions } from './user.module-definition';
export { USER_MODULE_OPTIONS } from './user.constants';
export { UserService, type SignupInput, type SignupResult } from './user.service';
export {
  UserRepository,
  type User,
  type UserStore,
  type UserWithCertification,
  type CiLookupAudit,
  type SignupRow,
  type SignupState,
} from './repositories/user.repository';
export type { UserEvent, UserEventType, UserEventListener } from './user.events';
export {
  AlreadyRegisteredError,
  VerificationExpiredError,
  VerificationNotFoundError,
  VerificationUsedError,
} from './user.errors';
export { UserEntity } from './user.entity';
export { UserDiBackfill } from './di-backfill';
export type { DiBackfillStore } from './repositories/user.repository';
