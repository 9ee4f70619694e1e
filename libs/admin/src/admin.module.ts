import { Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  CertificationEntity,
  CertificationRepository,
  VerificationTokenEntity,
  VerificationTokenRepository,
} from '@app/certification';
import { Database } from '@app/common';
import { UserEntity, UserRepository, UserTombstoneEntity, UserTombstoneRepository } from '@app/user';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminCertificationsService } from './admin-certifications.service';
import { CertificationRecords } from './certification-records';
import { AdminErasureService } from './admin-erasure.service';
import { AdminJobs } from './admin-jobs';
import { AdminKeyService } from './admin-key.service';
import { AdminUserErasureService } from './admin-user-erasure.service';
import { AdminUserExportService } from './admin-user-export.service';
import { AdminUsersService } from './admin-users.service';
import { ADMIN_DATABASE, ADMIN_RESOLVED_OPTIONS } from './admin.constants';
import { ADMIN_MODULE_OPTIONS, AdminConfigurableModuleClass } from './admin.module-definition';
import { resolveAdminOptions, type AdminModuleOptions } from './admin.options';
import { AuditLogService } from './audit-log.service';
import { AuditLogEntity } from './entities/audit-log.entity';
import { UpstreamDeletionEntity } from './entities/upstream-deletion.entity';
import { AdminAuditLogController } from './http/admin-audit-log.controller';
import { AdminCertificationsController } from './http/admin-certifications.controller';
import { AdminUsersController } from './http/admin-users.controller';
import { AuditLogRepository } from './repositories/audit-log.repository';
import { UpstreamDeletionRepository } from './repositories/upstream-deletion.repository';
import { ErasureReplayService } from './erasure-replay.service';
import { RetentionService } from './retention.service';

/** A repository provider over the admin's Database. */
const repository = <T>(token: new (db: Database) => T) => ({
  provide: token,
  useFactory: (db: Database) => new token(db),
  inject: [ADMIN_DATABASE],
});

/**
 * The admin API (keys and scopes, audited reveal / erasure / CI lookup, upstream deletion outbox,
 * retention). The host provides the default DataSource, IamportClient, PiiCipher and BlindIndex.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      AuditLogEntity,
      UpstreamDeletionEntity,
      CertificationEntity,
      VerificationTokenEntity,
      UserEntity,
      UserTombstoneEntity,
    ]),
  ],
  controllers: [AdminCertificationsController, AdminUsersController, AdminAuditLogController],
  providers: [
    {
      provide: ADMIN_RESOLVED_OPTIONS,
      useFactory: (options: AdminModuleOptions) => resolveAdminOptions(options),
      inject: [ADMIN_MODULE_OPTIONS],
    },
    { provide: ADMIN_DATABASE, useFactory: (dataSource: DataSource) => new Database(dataSource), inject: [getDataSourceToken()] },
    repository(AuditLogRepository),
    repository(UpstreamDeletionRepository),
    // The owners' repositories of certifications, verification_tokens and users, on the admin's
    // DataSource: no dependency on the host's CertificationModule or UserModule.
    repository(CertificationRepository),
    repository(VerificationTokenRepository),
    repository(UserRepository),
    repository(UserTombstoneRepository),
    CertificationRecords,
    AdminKeyService,
    AdminAuthGuard,
    AuditLogService,
    AdminCertificationsService,
    AdminErasureService,
    AdminUsersService,
    AdminUserErasureService,
    AdminUserExportService,
    RetentionService,
    ErasureReplayService,
    AdminJobs,
  ],
  exports: [AdminKeyService, AdminAuthGuard, AuditLogService, AdminErasureService, RetentionService, ErasureReplayService],
})
export class AdminModule extends AdminConfigurableModuleClass {}
