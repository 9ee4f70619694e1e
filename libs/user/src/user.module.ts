import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CertificationEntity, VerificationTokenEntity } from '@app/certification';
import { Database } from '@app/common';
import { UserDiBackfill } from './di-backfill';
import { UserTombstoneRepository } from './repositories/user-tombstone.repository';
import { UserRepository } from './repositories/user.repository';
import { USER_DATABASE, USER_DATA_SOURCE } from './user.constants';
import { UserController } from './user.controller';
import { UserEntity } from './user.entity';
import { UserTombstoneEntity } from './user-tombstone.entity';
import {
  UserConfigurableModuleClass,
  type UserModuleForRootAsyncOptions,
  type UserModuleForRootOptions,
} from './user.module-definition';
import type { UserModuleExtras } from './user.options';
import { UserService } from './user.service';

/**
 * Accounts keyed by CI or DI and `POST /users` (and the backfill of old accounts' DI index). The host provides AgePolicyService and a DataSource
 * (default, or `dataSource: 'name'`) holding users, certifications and verification_tokens.
 */
@Module({
  providers: [
    { provide: USER_DATABASE, useFactory: (dataSource: DataSource) => new Database(dataSource), inject: [USER_DATA_SOURCE] },
    { provide: UserRepository, useFactory: (db: Database) => new UserRepository(db), inject: [USER_DATABASE] },
    { provide: UserTombstoneRepository, useFactory: (db: Database) => new UserTombstoneRepository(db), inject: [USER_DATABASE] },
    UserService,
    UserDiBackfill,
  ],
  exports: [UserService, UserRepository, UserTombstoneRepository, UserDiBackfill],
})
export class UserModule extends UserConfigurableModuleClass {
  static forRoot(options: UserModuleForRootOptions): DynamicModule {
    return withFeature(super.forRoot(options), options);
  }

  static forRootAsync(options: UserModuleForRootAsyncOptions): DynamicModule {
    return withFeature(super.forRootAsync(options), options);
  }
}

/** The entities on the chosen DataSource, an alias of it for the repository, and the controller. */
function withFeature(definition: DynamicModule, extras: UserModuleExtras): DynamicModule {
  return {
    ...definition,
    imports: [
      ...(definition.imports ?? []),
      // The signup statement reads and locks verification rows: their entities too.
      TypeOrmModule.forFeature([UserEntity, UserTombstoneEntity, CertificationEntity, VerificationTokenEntity], extras.dataSource),
    ],
    providers: [...(definition.providers ?? []), { provide: USER_DATA_SOURCE, useExisting: getDataSourceToken(extras.dataSource) }],
    controllers: extras.controller === false ? [] : [UserController],
  };
}
