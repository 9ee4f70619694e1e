export { AdminModule } from './admin.module';
export { ADMIN_MODULE_OPTIONS, type AdminModuleForRootOptions, type AdminModuleForRootAsyncOptions } from './admin.module-definition';
export type { AdminModuleOptions, AdminModuleExtras, AdminRequestLimiter } from './admin.options';
export { ADMIN_REQUEST_LIMITER } from './admin.constants';
export { ADMIN_SCOPES, isAdminScope, type AdminScope } from './admin-scopes';
export {
  parseAdminApiKeys,
  generateAdminKey,
  parseAdminKeyArgs,
  runAdminKeyCommand,
  ADMIN_KEY_USAGE,
  hashAdminKey,
  AdminKeyConfigError,
  ADMIN_KEY_PREFIX,
  type AdminKeyEntry,
  type GeneratedAdminKey,
} from './admin-keys';
export { AdminKeyService, type AdminPrincipal } from './admin-key.service';
export { AdminAuthGuard } from './admin-auth.guard';
export { RequireScope, REQUIRE_SCOPE_METADATA } from './require-scope.decorator';
export { AdminContext, type AdminRequestContext } from './admin-request';
export { AdminErasureService, type UpstreamDeletionRun, type UpstreamDeletionOutcome } from './admin-erasure.service';
export {
  RetentionService,
  RETENTION_ACTOR,
  type RetentionRun,
  type FullRetentionRun,
  type TableRetentionRun,
  type RetentionRulePlan,
} from './retention.service';
export { AuditLogService, type AuditLogView } from './audit-log.service';
export { AuditLogRepository, type AuditEntry, type AuditLogStore } from './repositories/audit-log.repository';
export { UpstreamDeletionRepository, type UpstreamDeletionStore } from './repositories/upstream-deletion.repository';
export { CertificationNotFoundError, UserNotFoundError } from './admin.errors';
export {
  AuditLogEntity,
  type AuditAction,
  type AuditResult,
  type AuditSubjectType,
} from './entities/audit-log.entity';
export { UpstreamDeletionEntity, type UpstreamDeletionReason } from './entities/upstream-deletion.entity';
export type { CertificationDetail, CertificationListItem } from './views';
export type { AdminUserView } from './admin-users.service';
export type { AdminUserErasureView } from './admin-user-erasure.service';
export type { UserExport } from './admin-user-export.service';
export { ErasureReplayService, REPLAY_ACTOR, type ErasureReplayRun, type RecordedErasure } from './erasure-replay.service';
