import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CertificationEntity, VerificationTokenEntity } from '@app/certification';
import { UserEntity } from '@app/user';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminCertificationsService } from './admin-certifications.service';
import { AdminErasureService } from './admin-erasure.service';
import { AdminJobs } from './admin-jobs';
import { AdminKeyService } from './admin-key.service';
import { AdminUsersService } from './admin-users.service';
import {
  ADMIN_MODULE_OPTIONS,
  ADMIN_RESOLVED_OPTIONS,
  AdminConfigurableModuleClass,
  resolveAdminOptions,
  type AdminModuleOptions,
} from './admin.module-definition';
import { AuditLogService } from './audit-log.service';
import { AuditLogEntity } from './entities/audit-log.entity';
import { UpstreamDeletionEntity } from './entities/upstream-deletion.entity';
import { AdminAuditLogController } from './http/admin-audit-log.controller';
import { AdminCertificationsController } from './http/admin-certifications.controller';
import { AdminUsersController } from './http/admin-users.controller';
import { RetentionService } from './retention.service';

/**
 * The admin API: scoped API keys, masked lookups, audited reveal / erasure / CI lookup, the
 * upstream deletion outbox and retention.
 *
 *   AdminModule.forRoot({ apiKeys: env.ADMIN_API_KEYS, unusedVerificationDays: 30 })
 *   AdminModule.forRootAsync({ inject: [ConfigService], useFactory: (c) => ({ apiKeys: ... }) })
 *
 * The host provides a TypeORM DataSource (with the entities of @app/certification, @app/user
 * and this module, and the admin migration), `IamportClient` (@app/iamport) and
 * `PiiCipher` / `BlindIndex` (@app/pii), e.g. as global modules, and `ScheduleModule.forRoot()`
 * for the scheduled jobs. It should also install the global ValidationPipe and the
 * DomainExceptionFilter of @app/common, as the api does.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      AuditLogEntity,
      UpstreamDeletionEntity,
      CertificationEntity,
      VerificationTokenEntity,
      UserEntity,
    ]),
  ],
  controllers: [AdminCertificationsController, AdminUsersController, AdminAuditLogController],
  providers: [
    {
      provide: ADMIN_RESOLVED_OPTIONS,
      useFactory: (options: AdminModuleOptions) => resolveAdminOptions(options),
      inject: [ADMIN_MODULE_OPTIONS],
    },
    AdminKeyService,
    AdminAuthGuard,
    AuditLogService,
    AdminCertificationsService,
    AdminErasureService,
    AdminUsersService,
    RetentionService,
    AdminJobs,
  ],
  exports: [AdminKeyService, AdminAuthGuard, AuditLogService, AdminErasureService, RetentionService],
})
export class AdminModule extends AdminConfigurableModuleClass {}
