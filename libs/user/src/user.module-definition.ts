import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { CertificationEntity, VerificationTokenEntity } from '@app/certification';
import { USER_DATA_SOURCE, USER_MODULE_OPTIONS } from './user.constants';
import { UserController } from './user.controller';
import { UserEntity } from './user.entity';
import type { UserEventListener } from './user.events';

/** Options of `UserModule.forRoot` / `forRootAsync`. */
export interface UserModuleOptions {
  /** Observer of signups (metrics): see `UserEvent`. Must not throw. */
  onEvent?: UserEventListener;
  /** Source of "now" for token expiry (tests). Default `() => new Date()`. */
  clock?: () => Date;
}

export interface UserModuleExtras {
  /** Register the module globally (default false). */
  isGlobal?: boolean;
  /** Name of the host's TypeORM DataSource (default: the default DataSource). */
  dataSource?: string;
  /** Mount `UserController` (`POST /users`). Default true. */
  controller?: boolean;
}

export const {
  ConfigurableModuleClass: UserConfigurableModuleClass,
  OPTIONS_TYPE: USER_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: USER_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<UserModuleOptions>({ moduleName: 'User', optionsInjectionToken: USER_MODULE_OPTIONS })
  .setClassMethodName('forRoot')
  .setExtras<UserModuleExtras>({ isGlobal: false, controller: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal === true,
    ...withExtras(definition, extras),
  }))
  .build();

export type UserModuleForRootOptions = typeof USER_OPTIONS_TYPE;
export type UserModuleForRootAsyncOptions = typeof USER_ASYNC_OPTIONS_TYPE;

/** Entities on the chosen DataSource, an alias of it for the services, and the controller. */
function withExtras(definition: DynamicModule, extras: UserModuleExtras): Partial<DynamicModule> {
  return {
    imports: [
      ...(definition.imports ?? []),
      // The signup reads and locks verification rows in its own transaction: their entities too.
      TypeOrmModule.forFeature([UserEntity, CertificationEntity, VerificationTokenEntity], extras.dataSource),
    ],
    providers: [
      ...(definition.providers ?? []),
      { provide: USER_DATA_SOURCE, useExisting: getDataSourceToken(extras.dataSource) },
    ],
    controllers: extras.controller === false ? [] : [UserController],
  };
}
