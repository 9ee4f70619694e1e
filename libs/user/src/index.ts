export { UserModule } from './user.module';
export type { UserModuleOptions, UserModuleExtras } from './user.options';
export type { UserModuleForRootOptions, UserModuleForRootAsyncOptions } from './user.module-definition';
export { USER_MODULE_OPTIONS } from './user.constants';
export { UserService, SELF_ERASURE_ACTOR, type SignupInput, type SignupResult, type EraseOptions } from './user.service';
export {
  UserRepository,
  type User,
  type UserStore,
  type UserWithCertification,
  type CiLookupAudit,
  type SignupRow,
  type SignupState,
  type EraseRow,
  type ErasedAccount,
} from './repositories/user.repository';
export { UserTombstoneRepository, type UserTombstone, type UserTombstoneStore } from './repositories/user-tombstone.repository';
export { UserTombstoneEntity } from './user-tombstone.entity';
export type { UserEvent, UserEventType, UserEventListener } from './user.events';
export {
  AccountErasedError,
  AlreadyRegisteredError,
  VerificationExpiredError,
  VerificationNotFoundError,
  VerificationUsedError,
} from './user.errors';
export { UserEntity } from './user.entity';
export { UserDiBackfill } from './di-backfill';
export type { DiBackfillStore } from './repositories/user.repository';
